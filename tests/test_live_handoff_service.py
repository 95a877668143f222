"""Live-call handoff through the real twilio client against a local stand-in for Twilio."""

import base64
from xml.etree import ElementTree

import pytest

from handoff.environments import get_environment
from handoff.live_handoff import InvalidLiveHandoff, live_handoff
from handoff.twilio_rest import (
    CallNotFound,
    CallNotInProgress,
    TwilioNotConfigured,
    TwilioUnavailable,
)
from models import Destination, Handoff, db
from tests import calls_factory as f
from tests.twilio_standin import TwilioStandIn

BASE = "https://handoff.example.test"


def add_destination(env="live", name="Billing", route="sip:billing@pbx.example.com", **kw):
    row = Destination(
        environment_id=get_environment(db.session, env).id,
        name=name,
        name_key=name.lower(),
        method=kw.pop("method", "sip_invite"),
        route=route,
        **kw,
    )
    db.session.add(row)
    db.session.flush()
    return row


def settings(url, **kw):
    return {
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "tok",
        "TWILIO_API_BASE_URL": url,
        **kw,
    }


def test_redirects_the_call_with_the_handoff_twiml(app):
    with TwilioStandIn({"CAlive": "in-progress"}) as twilio, app.app_context():
        add_destination(is_default=True)
        conv = f.conversation(call_sid="CAlive", environment="live")
        db.session.commit()
        request = {
            "destination": "billing",
            "reason": "needs_human",
            "utterance": "Hold on",
            "sip_headers": [{"name": "X-Agent", "value": "ai-7"}],
        }
        result = live_handoff(db.session, settings(twilio.url), BASE, "CAlive", request)
        stored = db.session.get(Handoff, result["handoff_id"])
        assert stored.conversation_id == conv.id and stored.reason == "needs_human"
        assert conv.status == "handoff_initiated"
    assert result["call_status"] == "in-progress"
    update = twilio.updates[0]
    assert update["path"] == f"/2010-04-01/Accounts/AC{'0' * 32}/Calls/CAlive.json"
    assert update["auth"] == "Basic " + base64.b64encode(f"AC{'0' * 32}:tok".encode()).decode()
    root = ElementTree.fromstring(update["form"]["Twiml"][0])
    assert root.find("./Say").text == "Hold on"
    sip = root.find("./Dial/Sip").text
    assert sip.startswith("sip:billing@pbx.example.com") and "X-Agent=ai-7" in sip
    assert f"X-Handoff-ID={result['handoff_id']}" in sip


def test_route_and_method_and_api_key_credentials(app):
    with TwilioStandIn({"CAx": "in-progress"}) as twilio, app.app_context():
        keys = settings(twilio.url, TWILIO_API_KEY="SKkey", TWILIO_API_SECRET="sec")
        request = {"route": "+14155550123", "method": "sip_invite", "environment": "sandbox"}
        result = live_handoff(db.session, keys, BASE, "CAx", request)
    assert result["method"] == "sip_invite"
    assert twilio.updates[0]["auth"] == "Basic " + base64.b64encode(b"SKkey:sec").decode()
    root = ElementTree.fromstring(twilio.updates[0]["form"]["Twiml"][0])
    assert root.find("./Dial/Number").text == "+14155550123"


@pytest.mark.parametrize(
    ("calls", "error"),
    [({}, CallNotFound), ({"CAx": "completed"}, CallNotInProgress)],
)
def test_twilio_errors_roll_back(app, calls, error):
    with TwilioStandIn(calls) as twilio, app.app_context():
        add_destination()
        with pytest.raises(error):
            live_handoff(db.session, settings(twilio.url), BASE, "CAx", {"destination": "Billing"})
        assert db.session.query(Handoff).count() == 0


def test_twilio_unreachable(app):
    with app.app_context():
        add_destination()
        with pytest.raises(TwilioUnavailable):
            live_handoff(
                db.session, settings("http://127.0.0.1:9"), BASE, "CAx", {"destination": "Billing"}
            )


def test_not_configured(app):
    with app.app_context():
        add_destination()
        with pytest.raises(TwilioNotConfigured):
            live_handoff(db.session, {}, BASE, "CAx", {"destination": "Billing"})


def test_unknown_destination(app):
    with app.app_context(), pytest.raises(InvalidLiveHandoff) as info:
        live_handoff(
            db.session, settings("http://127.0.0.1:9"), BASE, "CAx", {"destination": "Nope"}
        )
    assert "destination" in info.value.errors
