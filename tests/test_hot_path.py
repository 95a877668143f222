"""What the webhook's hot path relies on: bounded hints and greetings, ordered turns, replays."""

from dataclasses import asdict
from xml.etree import ElementTree

from flask import request
from sqlalchemy import select

import twiml
from handoff import calls
from handoff.config import (
    DestinationConfig,
    EnvironmentConfig,
    FlowConfig,
    HeaderConfig,
    TopicConfig,
)
from handoff.decision import Gather
from handoff.voice.carry import GREETINGS_KEPT, render
from models import Conversation, TranscriptTurn, WebhookReply, db
from tests.voice_support import add_destination, add_topic, pstn_call, statements_sent


def test_hints_keep_the_first_unique_phrases_up_to_the_limit():
    phrases = (f"phrase {i % 150}" for i in range(10_000))
    response = twiml.gather("Hello", "https://h.test", attempt=1, hints=twiml.hints(phrases))
    hints = ElementTree.fromstring(response.to_xml()).find("./Gather").get("hints").split(", ")
    assert hints == [f"phrase {i}" for i in range(twiml.voice.MAX_HINTS)]


def test_turns_are_numbered_in_the_order_they_happen(app, twilio):
    with app.app_context():
        destination = add_destination(name="Billing team")
        add_topic(
            name="Billing",
            phrases=["billing"],
            destination_id=destination.id,
            utterance="Connecting you to billing.",
        )
    params = pstn_call()
    assert twilio.post("/voice/call", params).status_code == 200
    gather = {**params, "SpeechResult": "it is about billing"}
    assert twilio.post("/voice/gather", gather, query={"attempt": "1"}).status_code == 200
    with app.app_context():
        conversation = db.session.scalar(
            select(Conversation).where(Conversation.call_sid == params["CallSid"])
        )
        turns = db.session.scalars(
            select(TranscriptTurn)
            .where(TranscriptTurn.conversation_id == conversation.id)
            .order_by(TranscriptTurn.id)
        ).all()
    assert [(t.position, t.speaker, t.text) for t in turns] == [
        (0, "service", "Thanks for calling. How can we help you today?"),
        (1, "caller", "it is about billing"),
        (2, "service", "Connecting you to billing."),
    ]


def test_a_stored_reply_is_found_by_either_key(app):
    with app.app_context():
        db.session.add(WebhookReply(token="token:abc", call_sid="CA1", body="<Response/>"))
        db.session.commit()
        assert calls.stored_reply(db.session, ("CA1:call", "token:abc")) == "<Response/>"
        assert calls.stored_reply(db.session, ("CA1:call",)) is None
        assert calls.stored_reply(db.session, ()) is None


def test_the_call_record_queries_are_not_built_again_for_each_webhook(app, monkeypatch):
    with app.app_context():
        db.session.add(WebhookReply(token="CA1:call", call_sid="CA1", body="<Response/>"))
        db.session.commit()

        def built(*_):
            raise AssertionError("a query was built on the hot path")

        monkeypatch.setattr(calls, "select", built)
        # Each still reads what it should, from statements built when the module loaded.
        assert calls.stored_reply(db.session, ("CA1:call", "token:x")) == "<Response/>"
        assert calls.stored_keys(db.session, ["CA1:call", "token:x"]) == {"CA1:call"}
        assert calls.conversation_for(db.session, "CA1") is None
        assert calls.glance(db.session, "CA2") is None
        calls.remember_conversations(db.session, ["CA3", "CA4"])
        assert calls.stored_turns(db.session, "cv_none") == []


def test_a_remembered_greeting_differs_from_a_fresh_rendering_only_in_its_turn():
    topics = (TopicConfig(id=1, name="Billing", phrases=("billing",), dtmf="1"),)
    flow = FlowConfig(greeting="Hi <there> & turn=", voice="Polly.Joanna")
    config = EnvironmentConfig("live", 3, flow=flow, topics=topics)
    rendered_now = twiml.gather(
        flow.greeting,
        "https://h.test",
        attempt=1,
        turn="0123456789ab",
        env="live",
        timeout=flow.gather_timeout,
        hints="billing",
        dtmf=("1",),
        options=twiml.say_options(flow.language, flow.voice),
    ).to_xml()
    decision = Gather(flow.greeting, 1)

    first = render(config, decision, "https://h.test", turn="0123456789ab")
    again = render(config, decision, "https://h.test", turn="ba9876543210")

    assert first == rendered_now
    assert again == rendered_now.replace("turn=0123456789ab", "turn=ba9876543210")
    assert len(config.derived("greetings", dict)) == 1


def test_remembered_greetings_are_bounded():
    config = EnvironmentConfig("live", 1)
    for i in range(GREETINGS_KEPT + 10):
        render(config, Gather(f"Hello caller {i}", 1), "https://h.test", turn="0123456789ab")

    kept = config.derived("greetings", dict)
    assert len(kept) == GREETINGS_KEPT
    assert ("Hello caller 10", 1, "https://h.test", False) in kept
    assert ("Hello caller 9", 1, "https://h.test", False) not in kept


def test_webhooks_open_no_cookie_session_and_the_ui_still_does(app):
    sessions = app.session_interface
    with app.test_request_context("/voice/call", method="POST"):
        assert sessions.open_session(app, request) is None
    with app.test_request_context("/ui/login"):
        assert sessions.open_session(app, request) is not None


def test_a_destination_is_stored_whole_and_built_once_per_snapshot():
    desk = DestinationConfig(
        3, "Desk", "sip_refer", "sip:desk@pbx.test", sip_headers=(HeaderConfig("X-A", "$env"),)
    )
    config = EnvironmentConfig("live", 1, destinations=(desk,))
    first = calls.stored_destination(config, desk)
    assert first == asdict(desk) and first["sip_headers"] == ({"name": "X-A", "value": "$env"},)
    assert calls.stored_destination(config, desk) is first
    # A destination a function made for one call is not one of the snapshot's.
    made = DestinationConfig(0, "sip:x@y.test", "sip_refer", "sip:x@y.test")
    assert calls.stored_destination(config, made) == asdict(made)
    assert 0 not in config.derived("stored_destinations", dict)


def test_a_new_call_reads_no_transcript(app, twilio):
    with app.app_context():
        add_destination(name="Front desk")
        sent = statements_sent(db.engine)
    twilio.post("/voice/call", pstn_call())
    assert any("INSERT INTO transcript_turns" in s for s in sent), sent
    assert not [s for s in sent if "FROM transcript_turns" in s]
