"""Every destination rule of DESIGN §2: bad input is a 400 naming the field."""

import pytest

from handoff.schemas import DestinationSchema

LONG_HOST = "a" * 60 + "." + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + ".com"

# (payload changes, the field the 400 must name)
BAD = [
    ({"name": ""}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"name": "a\nb"}, "name"),
    ({"description": "d" * 501}, "description"),
    ({"method": "sip_transfer"}, "method"),
    ({"method": "sip_refer", "route": ""}, "route"),
    ({"method": "sip_invite", "route": ""}, "route"),
    ({"method": "sip_bye", "route": "sip:a@example.com"}, "route"),
    ({"route": "not a route"}, "route"),
    ({"route": "sip:@example.com"}, "route"),
    ({"route": "sip:a@exa mple.com"}, "route"),
    ({"route": "sip:a@example.com?X-A=1"}, "route"),
    ({"route": "+1415555"}, "route"),
    ({"route": "ext204"}, "route"),
    ({"route": "+14155550100;extension=2"}, "route"),
    ({"route": f"sip:user@{LONG_HOST}"}, "route"),
    ({"sip_headers": [{"name": "Foo", "value": "1"}]}, "sip_headers"),
    ({"sip_headers": [{"name": "X-Twilio-Thing", "value": "1"}]}, "sip_headers"),
    ({"sip_headers": [{"name": "X-Bad Name", "value": "1"}]}, "sip_headers"),
    ({"sip_headers": [{"name": "X-A", "value": "a\r\nX-Evil: 1"}]}, "sip_headers"),
    ({"sip_headers": [{"name": "X-A", "value": "nul\x00"}]}, "sip_headers"),
    ({"sip_headers": [{"name": "X-A\n", "value": "1"}]}, "sip_headers"),
    (
        {"sip_headers": [{"name": "X-A", "value": "1"}, {"name": "x-a", "value": "2"}]},
        "sip_headers",
    ),
    ({"sip_headers": [{"name": "X-Big", "value": "v" * 1000}]}, "sip_headers"),
    ({"sip_headers": "X-A: 1"}, "sip_headers"),
    ({"encryption": "aes"}, "encryption"),
    ({"ring_timeout": 4}, "ring_timeout"),
    ({"ring_timeout": 601}, "ring_timeout"),
    ({"ring_timeout": "soon"}, "ring_timeout"),
    ({"fallback_id": 99999}, "fallback_id"),
    ({"fallback_id": 2**31}, "fallback_id"),
    ({"fallback_id": 2**63}, "fallback_id"),
    ({"fallback_id": "first"}, "fallback_id"),
]

GOOD = [
    {"route": "sip:support@sip.example.com"},
    {"route": "sips:support@10.0.0.1:5061;transport=tls"},
    {"route": "+14155550100"},
    {"route": "+14155550100;ext=204"},
    {"route": "204"},
    {"method": "sip_bye", "route": ""},
    {"method": "sip_bye", "route": None},
    {"sip_headers": [{"name": "User-to-User", "value": "abc;encoding=hex"}]},
    {"sip_headers": [{"name": "X-Caller", "value": "${caller_id} & $$5"}]},
    {"ring_timeout": 5, "encryption": "udp_rtp"},
    {"ring_timeout": 600},
]


@pytest.mark.parametrize(("changes", "field"), BAD)
def test_bad_destination_is_a_400_naming_the_field(api, changes, field):
    body = {"name": "Support", "method": "sip_invite", "route": "sip:s@example.com", **changes}
    response = api.post("/v1/handoffs", json=body)
    assert response.status_code == 400, response.get_json()
    payload = response.get_json()
    assert payload["code"] == "validation_failed"
    assert field in payload["errors"], payload
    assert payload["message"]


@pytest.mark.parametrize("changes", GOOD)
def test_good_destination_is_created(api, changes):
    body = {"name": "Support", "method": "sip_invite", "route": "sip:s@example.com", **changes}
    response = api.post("/v1/handoffs", json=body)
    assert response.status_code == 201, response.get_json()


def test_every_bad_field_is_named_at_once(api):
    body = {"name": "", "method": "sip_bye", "route": "sip:a@b.com", "ring_timeout": 1}
    errors = api.post("/v1/handoffs", json=body).get_json()["errors"]
    assert {"name", "route", "ring_timeout"} <= set(errors)


def test_name_is_unique_per_environment_ignoring_case(api):
    api.create_destination(name="Billing")
    response = api.post("/v1/handoffs", json={"name": "BILLING", "method": "sip_bye"})
    assert response.status_code == 400
    assert "name" in response.get_json()["errors"]


def test_headers_too_long_for_twilio_are_refused_at_save(api):
    headers = [{"name": f"X-H{i}", "value": "v" * 90} for i in range(12)]
    response = api.post(
        "/v1/handoffs", json={"name": "Big", "route": "sip:a@example.com", "sip_headers": headers}
    )
    assert response.status_code == 400
    assert "1024" in " ".join(response.get_json()["errors"]["sip_headers"])


def test_fallback_must_be_another_destination_of_the_environment(api):
    first = api.create_destination(name="First")
    second = api.create_destination(name="Second", fallback_id=first["id"])
    assert second["fallback_id"] == first["id"]
    self_loop = api.patch(f"/v1/handoffs/{first['id']}", json={"fallback_id": first["id"]})
    assert "fallback_id" in self_loop.get_json()["errors"]
    loop = api.patch(f"/v1/handoffs/{first['id']}", json={"fallback_id": second["id"]})
    assert loop.status_code == 400
    assert "fallback_id" in loop.get_json()["errors"]


def test_schema_is_usable_without_flask():
    data = DestinationSchema().load({"name": " Billing ", "route": "+14155550100;ext=204"})
    assert data["name"] == "Billing"
    assert data["method"] == "sip_refer"
    assert data["encryption"] == "tls_srtp"
    assert data["ring_timeout"] == 30


@pytest.mark.parametrize(("encryption", "status"), [("tls_srtp", 400), ("udp_rtp", 201)])
def test_uri_limit_counts_the_tls_parameters_an_invite_adds(api, encryption, status):
    host = "h" * 60 + "." + "i" * 60 + "." + "j" * 60 + "." + "k" * 46 + ".com"
    route = f"sip:u@{host}"
    assert len(route) <= 255 < len(route + ";transport=tls;secure=true")
    body = {"name": "Long", "method": "sip_invite", "route": route, "encryption": encryption}
    response = api.post("/v1/handoffs", json=body)
    assert response.status_code == status
    if status == 400:
        assert "route" in response.get_json()["errors"]
