"""POST /v1/calls/{call_sid}/handoff with the real twilio client and a local Twilio stand-in."""

from xml.etree import ElementTree

import pytest

from tests.twilio_standin import TwilioStandIn
from tests.voice_support import add_destination, pstn_call, xml


@pytest.fixture
def standin(app):
    with TwilioStandIn({"CAlive": "in-progress", "CAdone": "completed"}) as server:
        app.config["TWILIO_API_BASE_URL"] = server.url
        yield server


def test_live_call_handoff(app, client, twilio, api_headers, standin):
    with app.app_context():
        add_destination(name="Support")
        add_destination(name="Billing", route="sip:billing@pbx.example.com")
    xml(twilio.post("/voice/call", pstn_call(CallSid="CAlive")))
    body = {
        "destination": "Billing",
        "reason": "ai_escalation",
        "utterance": "Transferring",
        "sip_headers": [{"name": "X-Summary", "value": "refund & more"}],
    }
    response = client.post("/v1/calls/CAlive/handoff", json=body, headers=api_headers)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["call_status"] == "in-progress" and result["reason"] == "ai_escalation"
    sent = ElementTree.fromstring(standin.updates[0]["form"]["Twiml"][0])
    assert sent.find("./Dial/Sip").text.startswith("sip:billing@pbx.example.com")
    assert "X-Summary=refund%20%26%20more" in sent.find("./Dial/Sip").text
    assert "/voice/dial-status" in sent.find("./Dial").get("action")
    conversation = client.get(
        f"/v1/conversations/{result['conversation_id']}", headers=api_headers
    ).get_json()
    assert conversation["call_sid"] == "CAlive"
    assert conversation["handoff"]["reason"] == "ai_escalation"
    context = client.get(f"/v1/handoff_state?id={result['handoff_id']}", headers=api_headers)
    assert context.get_json()["data"]["reason"] == "ai_escalation"


@pytest.mark.parametrize(
    ("call_sid", "status", "code"),
    [("CAnope", 404, "call_not_found"), ("CAdone", 409, "call_not_in_progress")],
)
def test_twilio_refusals(app, client, api_headers, standin, call_sid, status, code):
    with app.app_context():
        add_destination(name="Support")
    response = client.post(
        f"/v1/calls/{call_sid}/handoff", json={"destination": "Support"}, headers=api_headers
    )
    assert response.status_code == status and response.get_json()["code"] == code
    listed = client.get("/v1/conversations?handoff=true", headers=api_headers)
    assert listed.get_json()["items"] == []


def test_twilio_unreachable(app, client, api_headers):
    app.config["TWILIO_API_BASE_URL"] = "http://127.0.0.1:9"
    with app.app_context():
        add_destination(name="Support")
    response = client.post(
        "/v1/calls/CAlive/handoff", json={"destination": "Support"}, headers=api_headers
    )
    assert response.status_code == 502 and response.get_json()["code"] == "twilio_unavailable"


def test_twilio_not_configured(app, client, api_headers):
    app.config.update(TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="")
    with app.app_context():
        add_destination(name="Support")
    response = client.post(
        "/v1/calls/CAlive/handoff", json={"destination": "Support"}, headers=api_headers
    )
    assert response.status_code == 503 and response.get_json()["code"] == "twilio_not_configured"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "destination"),
        ({"destination": "Nope"}, "destination"),
        ({"destination": "Support", "route": "sip:x@y.example.com"}, "route"),
        ({"route": "sip:x@y.example.com"}, "method"),
        ({"route": "sip:x@y.example.com", "method": "fax"}, "method"),
        ({"route": "not a route", "method": "sip_invite"}, "route"),
        ({"destination": "Support", "reason": "Bad Reason"}, "reason"),
        ({"destination": "Support", "utterance": "x" * 501}, "utterance"),
        ({"destination": "Support", "sip_headers": [{"name": "Bad", "value": "1"}]}, "sip_headers"),
        (
            {"destination": "Support", "sip_headers": [{"name": "X-A", "value": "a\r\nB: 1"}]},
            "sip_headers",
        ),
    ],
)
def test_bad_requests(app, client, api_headers, standin, body, field):
    with app.app_context():
        add_destination(name="Support")
    response = client.post("/v1/calls/CAlive/handoff", json=body, headers=api_headers)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["errors"]
    assert standin.updates == []
