"""What the webhook's hot path relies on: bounded hints, ordered turns, one-query replays."""

from xml.etree import ElementTree

from sqlalchemy import select

import twiml
from handoff import calls
from models import Conversation, TranscriptTurn, WebhookReply, db
from tests.voice_support import add_destination, add_topic, pstn_call


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
