"""/v1/topics: validation table, reason defaults, destination links and versions."""

import pytest

BAD = [
    ({"name": ""}, "name"),
    ({"name": "n" * 81}, "name"),
    ({"dtmf": "12"}, "dtmf"),
    ({"dtmf": "a"}, "dtmf"),
    ({"action": "transfer"}, "action"),
    ({"action": "function"}, "function"),
    ({"action": "function", "function": "rm -rf"}, "function"),
    ({"reason": "Needs Human"}, "reason"),
    ({"reason": "1st"}, "reason"),
    ({"reason": "a" * 65}, "reason"),
    ({"utterance": "u" * 501}, "utterance"),
    ({"destination_id": 4242}, "destination_id"),
    # Beyond PostgreSQL's INTEGER, and beyond SQLite's 64 bits: a 400, not a 500.
    ({"destination_id": 2**31}, "destination_id"),
    ({"destination_id": 2**63}, "destination_id"),
    ({"phrases": "billing"}, "phrases"),
    ({"phrases": [""]}, "phrases"),
    ({"immediate": "often"}, "immediate"),
]


@pytest.mark.parametrize(("changes", "field"), BAD)
def test_bad_topic_is_a_400_naming_the_field(api, changes, field):
    response = api.post("/v1/topics", json={"name": "Billing", **changes})
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("dtmf", [*"0123456789", "*", "#", None])
def test_any_single_key_is_a_good_dtmf(api, dtmf):
    assert api.post("/v1/topics", json={"name": "T", "dtmf": dtmf}).status_code == 201


def test_reason_defaults_to_the_destination_name_slugified(api):
    destination = api.create_destination(name="Billing & Payments")
    topic = api.post(
        "/v1/topics", json={"name": "Billing", "destination_id": destination["id"]}
    ).get_json()
    assert topic["reason"] == "billing_payments"
    default = api.post("/v1/topics", json={"name": "Agent", "phrases": ["agent"]}).get_json()
    assert default["destination_id"] is None and default["reason"] is None


def test_topic_shape_and_uniqueness(api):
    topic = api.post(
        "/v1/topics",
        json={"name": "Agent", "phrases": ["agent", " human "], "dtmf": "0", "utterance": "Hi"},
    ).get_json()
    assert set(topic) >= {
        "id", "name", "phrases", "dtmf", "action", "destination_id", "function", "reason",
        "utterance",
    }  # fmt: skip
    assert topic["phrases"] == ["agent", "human"]
    clash = api.post("/v1/topics", json={"name": "agent", "dtmf": "0"}).get_json()
    assert {"name", "dtmf"} <= set(clash["errors"])


def test_topic_update_delete_and_stale_version(api):
    topic = api.post("/v1/topics", json={"name": "Agent"}).get_json()
    patched = api.patch(f"/v1/topics/{topic['id']}", json={"dtmf": "5"}, headers={"If-Match": "1"})
    assert patched.status_code == 200 and patched.get_json()["dtmf"] == "5"
    stale = api.put(f"/v1/topics/{topic['id']}", json={"name": "Agent", "version": 1})
    assert stale.status_code == 412
    assert api.delete(f"/v1/topics/{topic['id']}").status_code == 204
    assert api.get(f"/v1/topics/{topic['id']}").status_code == 404


def test_function_topic(api):
    body = {"name": "VIP", "action": "function", "function": "transfer_call"}
    assert api.post("/v1/topics", json=body).get_json()["function"] == "transfer_call"


def test_deleting_a_destination_sends_its_topics_to_the_default(api):
    api.create_destination(name="Default")
    billing = api.create_destination(name="Billing")
    topic = api.post("/v1/topics", json={"name": "B", "destination_id": billing["id"]}).get_json()
    api.delete(f"/v1/handoffs/{billing['id']}", confirm="Billing")
    assert api.get(f"/v1/topics/{topic['id']}").get_json()["destination_id"] is None


def test_refer_with_an_utterance_warns(api):
    api.put("/v1/integration", json={"kind": "twilio_sip"})
    refer = api.create_destination(name="Refer", method="sip_refer")
    api.post(
        "/v1/topics", json={"name": "T", "destination_id": refer["id"], "utterance": "One moment"}
    )
    warnings = api.get(f"/v1/handoffs/{refer['id']}").get_json()["warnings"]
    assert [w["code"] for w in warnings] == ["utterance_may_not_play"]


def test_topics_page(api):
    for n in range(3):
        api.post("/v1/topics", json={"name": f"T{n}"})
    first = api.get("/v1/topics", limit=2).get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = api.get("/v1/topics", limit=2, cursor=first["next_cursor"]).get_json()
    assert [t["name"] for t in rest["items"]] == ["T2"] and rest["next_cursor"] is None


def test_topics_carry_warnings(api):
    unreachable = api.post("/v1/topics", json={"name": "Nothing"}).get_json()
    assert {w["code"] for w in unreachable["warnings"]} == {"no_default", "unreachable"}
    api.create_destination(name="Support")
    listed = api.get("/v1/topics").get_json()["items"][0]
    assert [w["code"] for w in listed["warnings"]] == ["unreachable"]


def test_timestamps_carry_their_utc_offset(api):
    topic = api.post("/v1/topics", json={"name": "T", "dtmf": "1"}).get_json()
    assert topic["created_at"].endswith("+00:00")


def test_automatic_position_never_exceeds_the_documented_maximum(client, api_headers):
    first = {"name": "Last", "phrases": ["last"], "position": 10_000}
    assert client.post("/v1/topics", json=first, headers=api_headers).status_code == 201
    response = client.post(
        "/v1/topics", json={"name": "After", "phrases": ["after"]}, headers=api_headers
    )
    assert response.status_code == 201
    assert response.get_json()["position"] == 10_000
