"""A gather whose signed URL says `fresh=1` is decided without reading its conversation."""

import pytest
from sqlalchemy.exc import OperationalError

from handoff import calls
from handoff.config_cache import ConfigCache
from handoff.voice import steps
from handoff.voice.webhook import Webhook
from models import db
from tests.test_functions_voice import functions_dir
from tests.voice_support import (
    add_billing,
    add_topic,
    follow,
    pstn_call,
    split_action,
    statements_sent,
    xml,
)

# A function that keeps something in the conversation's state and leaves the call automated.
TAG = """
def gold(conv):
    conv.state.tier = "gold"
    return conv.soft_handoff("tagged", utterance="Noted. What else can I help with?")
"""


@pytest.fixture
def billing(app):
    """A billing topic whose utterance quotes the conversation's state."""
    with app.app_context():
        add_billing(utterance="Connecting our $tier customer to billing.")
    return app


def action_of(response) -> str:
    """Return the action URL of the answer's <Gather>."""
    return xml(response).find("./Gather").get("action")


def said(response) -> str:
    """Return the text of the answer's first <Say>."""
    return xml(response).find("./Say").text


@pytest.mark.parametrize("write_behind", [False, True], ids=["in-request", "write-behind"])
def test_the_greeting_sends_the_caller_to_a_fresh_gather(billing, twilio, write_behind):
    billing.config["RECORDS_WRITE_BEHIND"] = write_behind
    params = pstn_call()
    action = action_of(twilio.post("/voice/call", params))
    assert split_action(action)[1]["fresh"] == "1"
    answer = follow(twilio, action, {**params, "SpeechResult": "billing please"})
    # No state yet: the variable is empty, and the caller is routed.
    assert said(answer) == "Connecting our  customer to billing."
    assert xml(answer).find("./Dial/Sip").text.startswith("sip:billing@pbx.example.com")


def test_a_fresh_gather_answers_without_reading_the_conversation(billing, twilio):
    billing.config["RECORDS_WRITE_BEHIND"] = True
    params = pstn_call()
    action = action_of(twilio.post("/voice/call", params))
    with billing.app_context():
        sent = statements_sent(db.engine)
    follow(twilio, action, {**params, "SpeechResult": "billing please"})
    assert not [s for s in sent if "FROM conversations" in s], sent
    # Without the mark the same gather reads it: the assertion above can fail.
    stale = action.replace("&fresh=1", "")
    follow(twilio, stale, {**pstn_call(), "SpeechResult": "billing please"})
    assert [s for s in sent if "FROM conversations" in s]


@pytest.mark.parametrize("write_behind", [False, True], ids=["in-request", "write-behind"])
def test_after_a_function_keeps_state_the_next_gather_reads_it(billing, twilio, write_behind):
    billing.config["RECORDS_WRITE_BEHIND"] = write_behind
    (functions_dir(billing) / "tag.py").write_text(TAG)
    with billing.app_context():
        add_topic(name="Account", phrases=["account"], action="function", function="tag.gold")
    params = pstn_call()
    action = action_of(twilio.post("/voice/call", params))
    tagged = follow(twilio, action, {**params, "SpeechResult": "my account"})
    again = action_of(tagged)
    assert "fresh" not in split_action(again)[1]
    answer = follow(twilio, again, {**params, "SpeechResult": "billing please"})
    assert said(answer) == "Connecting our gold customer to billing."


def test_an_unreadable_conversation_is_not_called_fresh(billing, monkeypatch, tmp_path):
    def away(session, call_sid):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(calls, "glance", away)
    webhook = Webhook(
        params={**pstn_call(), "SpeechResult": "hello"}, query={"attempt": "1", "env": "live"}
    )
    cache = ConfigCache(str(tmp_path))
    with billing.app_context():
        plan = steps.plan_gather(db.session, cache, webhook)
        assert plan.decision.__class__.__name__ == "Gather"
        assert not plan.fresh
        monkeypatch.undo()
        assert steps.plan_gather(db.session, cache, webhook).fresh
