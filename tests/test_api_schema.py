"""Schemathesis against /v1/openapi.json: no 5xx, and every response matches its schema."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import API_KEY
from tests.twilio_standin import TwilioStandIn

# Bounded: CI runs every operation with this many generated requests.
EXAMPLES = 8
# What the API promises: no 5xx, and status, content type and body as documented. (Whether a
# schema-valid but meaningless value, e.g. a made-up cursor, is accepted is not checked.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_api_conforms_to_its_openapi_document(app):
    # Live-call handoffs reach a local Twilio that knows no call (404), never the real one,
    # where an unreachable network would make a documented but unwanted 502.
    with TwilioStandIn({}) as twilio:
        app.config["TWILIO_API_BASE_URL"] = twilio.url
        check_every_operation(app)


def check_every_operation(app):
    """Run schemathesis on each operation, then fail with every failure found."""
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
    failures = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operation"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers={"x-api-key": API_KEY}, checks=CHECKS)

        try:
            run()
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # report every operation's failure
            failures[operation.label] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
