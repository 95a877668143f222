"""Whatever JSON arrives, the API answers 2xx or a 4xx JSON error naming fields, never a 500."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = st.sampled_from(
    ["name", "method", "route", "sip_headers", "encryption", "fallback_id", "ring_timeout",
     "description", "version", "phrases", "dtmf", "action", "destination_id", "reason"]
)  # fmt: skip
BODIES = st.dictionaries(FIELDS, JSON, max_size=6) | JSON


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES, path=st.sampled_from(["/v1/handoffs", "/v1/topics", "/v1/integration"]))
def test_any_body_is_answered_without_a_500(api, body, path):
    method = "put" if path == "/v1/integration" else "post"
    response = getattr(api, method)(path, json=body)
    assert response.status_code in (200, 201, 400, 409, 412), response.get_data(as_text=True)
    if response.status_code >= 400:
        assert set(response.get_json()) == {"code", "message", "errors"}
