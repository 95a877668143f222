"""The REST API under /v1 (flask-smorest): one module per resource, OpenAPI from the schemas."""

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from flask_smorest import Api

from handoff.web.api.errors import ErrorSchema

SPEC_SETTINGS = {
    "API_TITLE": "Handoff API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    # The page loads Swagger UI from a CDN in the reader's browser; the spec itself is local.
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
}


class HandoffApi(Api):
    """flask-smorest's Api, leaving error handling to the API blueprints alone."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        # flask-smorest would handle every HTTP error of the app (the web UI's too).
        pass


def schema_name(schema) -> str:
    """Name a schema's OpenAPI component: DestinationSchema(partial=True) → DestinationPatch."""
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema") or cls.__name__
    return name + "Patch" if getattr(schema, "partial", False) is True else name


def resource_blueprints() -> list:
    """Return every /v1 resource blueprint (imported here: no work at import time)."""
    from handoff.web.api import (
        audit,
        calls,
        conversations,
        destinations,
        environments,
        integration,
        numbers,
        stream,
        subscriptions,
        topics,
    )

    return [
        destinations.blp,
        topics.blp,
        integration.blp,
        environments.blp,
        numbers.blp,
        audit.blp,
        conversations.blp,
        subscriptions.blp,
        stream.blp,
        calls.blp,
    ]


def init_api(app: Flask) -> Api:
    """Attach the /v1 API and its OpenAPI document to ``app``."""
    for key, value in SPEC_SETTINGS.items():
        app.config.setdefault(key, value)
    api = HandoffApi(
        app,
        spec_kwargs={
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
            "info": {"description": "Configure call handoffs: destinations, topics, environments."},
            "security": [{"ApiKeyAuth": []}],
        },
    )
    api.spec.components.security_scheme(
        "ApiKeyAuth", {"type": "apiKey", "in": "header", "name": "x-api-key"}
    )
    for blp in resource_blueprints():
        api.register_blueprint(blp)
    from handoff.web.api import misc

    app.register_blueprint(misc.bp)
    return api
