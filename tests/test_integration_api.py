"""/v1/integration and /v1/flow: kinds bring their default constraints; warnings follow."""

import pytest


@pytest.mark.parametrize(
    ("kind", "required_method"),
    [("twilio_pstn", "sip_invite"), ("twilio_sip", None), ("sip_trunk", None)],
)
def test_kind_change_applies_its_default_constraints(api, kind, required_method):
    if kind == "twilio_pstn":
        api.put("/v1/integration", json={"kind": "sip_trunk"})
    body = api.put("/v1/integration", json={"kind": kind}).get_json()
    assert body["kind"] == kind
    assert body["required_method"] == required_method


def test_explicit_constraints_win_over_kind_defaults(api):
    body = api.put(
        "/v1/integration",
        json={"kind": "twilio_sip", "required_method": "sip_refer", "headers_hidden": True},
    ).get_json()
    assert (body["required_method"], body["headers_hidden"]) == ("sip_refer", True)


def test_integration_drives_method_mismatch(api):
    refer = api.create_destination(name="Refer", method="sip_refer")
    assert "method_mismatch" in {w["code"] for w in refer["warnings"]}
    api.put("/v1/integration", json={"kind": "twilio_sip"})
    again = api.get(f"/v1/handoffs/{refer['id']}").get_json()
    assert "method_mismatch" not in {w["code"] for w in again["warnings"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "skype"}, "kind"),
        ({"required_method": "sip_transfer"}, "required_method"),
        ({"sip_host": "bad host"}, "sip_host"),
        ({"route_hidden": "perhaps"}, "route_hidden"),
    ],
)
def test_bad_integration_is_a_400(api, body, field):
    response = api.put("/v1/integration", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_integration_stale_version_is_a_412(api):
    assert api.put("/v1/integration", json={"sip_host": "pbx.example.com"}).status_code == 200
    stale = api.put("/v1/integration", json={"sip_host": "x.example.com", "version": 1})
    assert stale.status_code == 412


def test_live_integration_is_read_only(api):
    response = api.put("/v1/integration", json={"kind": "sip_trunk"}, environment="live")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"greeting": ""}, "greeting"),
        ({"gather_timeout": 0}, "gather_timeout"),
        ({"max_attempts": 11}, "max_attempts"),
        ({"language": "english"}, "language"),
    ],
)
def test_bad_flow_is_a_400(api, body, field):
    response = api.put("/v1/flow", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_flow_update(api):
    body = api.put("/v1/flow", json={"greeting": "Hello", "max_attempts": 3}).get_json()
    assert (body["greeting"], body["max_attempts"]) == ("Hello", 3)
    assert api.get("/v1/flow").get_json()["greeting"] == "Hello"
