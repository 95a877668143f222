"""The Handoff API, Conversations API and handoff-states API over HTTP."""

import pytest

from handoff import states
from handoff.api_keys import create_api_key
from models import db
from tests import calls_factory as f
from tests.voice_support import add_destination, add_topic, pstn_call, xml


@pytest.fixture
def call(app):
    """A conversation handed off (with stored context) and then completed."""
    with app.app_context():
        conv = f.conversation(call_sid="CAapi", environment="live")
        f.say(conv, ("caller", "billing please"))
        ho = f.handoff(conv, shared_id="crm-77", context={"reason": "billing", "x": [1]})
        states.transition(db.session, conv, states.HANDOFF_COMPLETED, handoff=ho, sip_code=200)
        db.session.commit()
        return {"conversation": conv.id, "handoff": ho.id}


def test_handoff_state_by_id_and_shared_id(client, api_headers, call):
    expected = {
        "id": call["handoff"],
        "shared_id": "crm-77",
        "data": {"reason": "billing", "x": [1]},
    }
    by_id = client.get(f"/v1/handoff_state?id={call['handoff']}", headers=api_headers)
    assert by_id.status_code == 200 and by_id.get_json() == expected
    shared = client.get("/v1/handoff_state?shared_id=crm-77", headers=api_headers)
    assert shared.get_json() == expected


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("", 400, "validation_failed"),
        ("?id=ho_nope", 404, "not_found"),
        ("?shared_id=nope", 404, "not_found"),
    ],
)
def test_handoff_state_errors(client, api_headers, call, query, status, code):
    response = client.get(f"/v1/handoff_state{query}", headers=api_headers)
    assert response.status_code == status
    body = response.get_json()
    assert body["code"] == code and body["message"]
    if status == 400:
        assert "id" in body["errors"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/handoff_state?id=0&shared_id=%00", "shared_id"),
        ("/v1/conversations?destination=a%00b", "destination"),
        ("/v1/conversations/cv%00x/handoff_states", "conversation_id"),
    ],
)
def test_a_nul_in_the_query_or_path_is_a_400_naming_the_field(client, api_headers, path, field):
    # PostgreSQL refuses NUL even in a comparison: it must never reach the database.
    response = client.get(path, headers=api_headers)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {field: ["Must not contain NUL characters."]}


NUL = ["Must not contain NUL characters."]


@pytest.mark.parametrize(
    ("path", "body", "errors"),
    [
        ("/v1/topics", {"name": "a\x00"}, {"name": NUL}),
        ("/v1/topics", {"name": "ok", "phrases": ["fine", "b\x00"]}, {"phrases": {"1": NUL}}),
        ("/v1/topics", {"name": "ok", "params": {"k\x00": 1}}, {"params": {"k\x00": NUL}}),
        (
            "/v1/subscriptions",
            {"url": "https://crm.example.com/h", "secret": "\x00"},
            {"secret": NUL},
        ),
    ],
)
def test_a_nul_in_a_json_body_is_a_400_naming_the_field(client, api_headers, path, body, errors):
    # Found by schemathesis on PostgreSQL, which cannot store a NUL: a 500 before. The
    # errors nest as marshmallow's do (a list item by its index).
    response = client.post(path, json=body, headers=api_headers)
    assert response.status_code == 400
    assert response.get_json()["errors"] == errors
    assert client.get(path, headers=api_headers).get_json()["items"] == []


def test_api_key_required(client, call):
    response = client.get(f"/v1/handoff_state?id={call['handoff']}")
    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


def test_handoff_state_matches_what_the_call_carried(app, client, twilio, api_headers):
    """Play the receiving side: read X-Handoff-ID from the TwiML, fetch the context."""
    with app.app_context():
        add_destination(name="Billing", headers=[("X-Caller", "$caller_id")])
        add_topic(name="Billing", phrases=["bill"], reason="billing_question")
    call = pstn_call()
    xml(twilio.post("/voice/call", call))
    root = xml(twilio.post("/voice/gather", {**call, "SpeechResult": "my bill"}))
    from handoff.sip_uri import split_sip_uri

    _, headers = split_sip_uri(root.find("./Dial/Sip").text)
    sent = dict(headers)
    context = client.get(f"/v1/handoff_state?id={sent['X-Handoff-ID']}", headers=api_headers)
    assert context.status_code == 200
    body = context.get_json()
    assert body["id"] == sent["X-Handoff-ID"] and body["shared_id"] == call["CallSid"]
    data = body["data"]
    assert data["reason"] == "billing_question"
    assert data["caller"]["from"] == call["From"]
    assert {h["name"]: h["value"] for h in data["sip_headers"]}["X-Caller"] == sent["X-Caller"]
    assert any(turn["text"] == "my bill" for turn in data["transcript"])


def test_conversations_list_filters_and_pages(app, client, api_headers, call):
    with app.app_context():
        for minute in range(1, 4):
            f.conversation(minutes=minute)
        db.session.commit()
    seen, cursor = [], ""
    while True:
        page = client.get(f"/v1/conversations?limit=2&cursor={cursor}", headers=api_headers)
        assert page.status_code == 200
        body = page.get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 4
    handed = client.get("/v1/conversations?handoff=true&reason=billing", headers=api_headers)
    assert [c["id"] for c in handed.get_json()["items"]] == [call["conversation"]]
    item = handed.get_json()["items"][0]
    assert item["handoff"]["destination"] == "Billing" and item["state"] == "handoff_completed"
    none = client.get("/v1/conversations?handoff=false&environment=live", headers=api_headers)
    assert none.get_json()["items"] == []
    window = client.get(
        "/v1/conversations?started_after=2026-11-23T12:02:00Z&started_before=2026-11-23T12:04:00Z",
        headers=api_headers,
    )
    assert len(window.get_json()["items"]) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=garbage", "cursor"),
        ("limit=0", "limit"),
        ("environment=staging", "environment"),
        ("started_after=yesterday", "started_after"),
        ("handoff=maybe", "handoff"),
    ],
)
def test_conversations_bad_filters(client, api_headers, query, field):
    response = client.get(f"/v1/conversations?{query}", headers=api_headers)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_conversation_detail(client, api_headers, call):
    response = client.get(f"/v1/conversations/{call['conversation']}", headers=api_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["caller"] == "+14155550100" and body["environment"] == "live"
    assert body["transcript"][0]["text"] == "billing please"
    assert [m["name"] for m in body["metrics"]] == ["HANDOFF_TO", "HANDOFF_REASON"]
    handoff = body["handoff"]
    assert {k: handoff[k] for k in ("id", "destination", "reason", "method", "state")} == {
        "id": call["handoff"],
        "destination": "Billing",
        "reason": "billing",
        "method": "sip_refer",
        "state": "handoff_completed",
    }
    assert [(s["state"], s["sip_code"]) for s in handoff["states"]] == [
        ("handoff_initiated", None),
        ("handoff_completed", 200),
    ]


def test_conversation_without_handoff_has_null_handoff(app, client, api_headers):
    with app.app_context():
        conv_id = f.conversation().id
        db.session.commit()
    body = client.get(f"/v1/conversations/{conv_id}", headers=api_headers).get_json()
    assert body["handoff"] is None and body["metrics"] == []


def test_unknown_conversation(client, api_headers):
    for path in ("/v1/conversations/cv_nope", "/v1/conversations/cv_nope/handoff_states"):
        response = client.get(path, headers=api_headers)
        assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    posted = client.post(
        "/v1/conversations/cv_nope/handoff_states", json={"state": "ended"}, headers=api_headers
    )
    assert posted.status_code == 404


def test_report_custom_state(client, api_headers, call):
    path = f"/v1/conversations/{call['conversation']}/handoff_states"
    report = {"state": "complaint_escalation", "detail": "desk 4", "source": "zendesk"}
    created = client.post(path, json=report, headers=api_headers)
    assert created.status_code == 201
    assert created.get_json()["state"] == "complaint_escalation"
    assert created.get_json()["handoff_id"] == call["handoff"]
    listed = client.get(path, headers=api_headers).get_json()["items"]
    assert [s["state"] for s in listed] == [
        "handoff_initiated",
        "handoff_completed",
        "complaint_escalation",
    ]
    assert listed[-1]["source"] == "zendesk"
    detail = client.get(f"/v1/conversations/{call['conversation']}", headers=api_headers)
    assert detail.get_json()["state"] == "complaint_escalation"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "state"),
        ({"state": "Not Valid"}, "state"),
        ({"state": "automated"}, "state"),
        ({"state": "ended", "sip_code": 42}, "sip_code"),
        ({"state": "ended", "handoff_id": "ho_other"}, "handoff_id"),
        ({"state": "ended", "detail": "x" * 1001}, "detail"),
    ],
)
def test_report_state_validation(client, api_headers, call, body, field):
    path = f"/v1/conversations/{call['conversation']}/handoff_states"
    response = client.post(path, json=body, headers=api_headers)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_reporting_needs_write_scope(app, client, call):
    with app.app_context():
        _, key = create_api_key(db.session, "reader", "read")
        db.session.commit()
    path = f"/v1/conversations/{call['conversation']}/handoff_states"
    assert client.get(path, headers={"x-api-key": key}).status_code == 200
    response = client.post(path, json={"state": "ended"}, headers={"x-api-key": key})
    assert response.status_code == 403
