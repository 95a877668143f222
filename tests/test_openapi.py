"""The OpenAPI 3 document is generated from the schemas and is valid."""

from openapi_spec_validator import validate


def test_openapi_document_is_valid(client):
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path in ("/v1/handoffs", "/v1/handoffs/{destination_id}/default", "/v1/integration"):
        assert path in spec["paths"]
    destination = spec["components"]["schemas"]["Destination"]["properties"]
    assert {"name", "method", "route", "sip_headers", "warnings"} <= set(destination)
    assert spec["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "x-api-key"
    patch = spec["paths"]["/v1/handoffs/{destination_id}"]["patch"]
    assert "If-Match" in [p["name"] for p in patch["parameters"]]
    assert patch["responses"]["400"]


def test_docs_page_is_served_without_a_key(client):
    response = client.get("/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.data


def test_openapi_covers_the_context_endpoints(client):
    spec = client.get("/v1/openapi.json").get_json()
    expected = {
        "/v1/handoff_state": {"get"},
        "/v1/conversations": {"get"},
        "/v1/conversations/{conversation_id}": {"get"},
        "/v1/conversations/{conversation_id}/handoff_states": {"get", "post"},
        "/v1/subscriptions": {"get", "post"},
        "/v1/subscriptions/{subscription_id}": {"get", "patch", "delete"},
        "/v1/subscriptions/{subscription_id}/deliveries": {"get"},
        "/v1/handoff_states/stream": {"get"},
        "/v1/calls/{call_sid}/handoff": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(spec["paths"].get(path, {})), path
    schemas = spec["components"]["schemas"]
    assert {"handoff", "metrics", "transcript"} <= set(schemas["Conversation"]["properties"])
    assert {"id", "shared_id", "data"} <= set(schemas["HandoffContext"]["properties"])
    live = spec["paths"]["/v1/calls/{call_sid}/handoff"]["post"]["responses"]
    assert {"200", "404", "409", "502"} <= set(live)
