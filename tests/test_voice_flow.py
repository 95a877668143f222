"""The whole call flow through signed webhooks, and what it records."""

import pathlib

from sqlalchemy import select

from handoff import states
from handoff.sip_uri import split_sip_uri
from models import Conversation, Handoff, HandoffState, TranscriptTurn, db
from tests.voice_support import (
    add_destination,
    add_topic,
    follow,
    pstn_call,
    set_integration,
    sip_call,
    xml,
)


def _states(conversation_id):
    rows = db.session.scalars(
        select(HandoffState)
        .where(HandoffState.conversation_id == conversation_id)
        .order_by(HandoffState.id)
    )
    return [(r.state, r.sip_code) for r in rows]


def test_pstn_call_gather_handoff_and_records(app, twilio):
    with app.app_context():
        add_destination(name="Support", route="+14155550199;ext=204")
        billing = add_destination(
            name="Billing",
            method="sip_refer",
            route="sip:billing@pbx.example.com",
            headers=[("X-Caller", "$caller_id")],
        ).id
        add_topic(
            phrases=["billing"], destination_id=billing, reason="billing", utterance="One moment."
        )
    params = pstn_call()
    greeting = xml(twilio.post("/voice/call", params))
    gather = greeting.find("./Gather")
    assert gather.get("input") == "speech dtmf"
    assert gather.get("hints") == "billing"
    assert gather.find("./Say").text.startswith("Thanks for calling")

    said = {**params, "SpeechResult": "It's about billing", "Confidence": "0.9"}
    answer = xml(follow(twilio, gather.get("action"), said))
    assert [c.tag for c in answer] == ["Say", "Dial"]
    assert answer.find("./Say").text == "One moment."
    sip = answer.find("./Dial/Sip").text
    assert sip.startswith("sip:billing@pbx.example.com;transport=tls;secure=true?X-Caller=+1415")

    with app.app_context():
        conversation = db.session.scalar(
            select(Conversation).where(Conversation.call_sid == params["CallSid"])
        )
        handoff = db.session.scalar(select(Handoff))
        assert conversation.status == states.HANDOFF_INITIATED
        assert (handoff.requested_method, handoff.method) == ("sip_refer", "sip_invite")
        assert handoff.reason == "billing" and handoff.utterance == "One moment."
        assert handoff.sip_headers[-1]["name"] == "X-Handoff-ID"
        assert handoff.sip_headers[-1]["value"] == handoff.id
        assert handoff.destination["name"] == "Billing"
        assert "method_mismatch" in [w["code"] for w in handoff.warnings]
        context = handoff.context
        assert context["reason"] == "billing"
        assert context["destination"]["method"] == "sip_invite"
        assert context["caller"]["from"] == params["From"]
        assert [t["text"] for t in context["transcript"]][1] == "It's about billing"
        turns = db.session.scalars(select(TranscriptTurn).order_by(TranscriptTurn.position))
        assert [(t.speaker, t.kind) for t in turns] == [
            ("service", "say"),
            ("caller", "speech"),
            ("service", "say"),
        ]
        assert _states(conversation.id) == [(states.HANDOFF_INITIATED, None)]


def test_sip_call_refers_with_inbound_headers(app, twilio):
    with app.app_context():
        set_integration(kind="twilio_sip", required_method=None)
        add_destination(
            method="sip_refer",
            route="sip:desk@pbx.example.com",
            headers=[("X-Customer", "$sip_X-Customer-Id"), ("X-Env", "$env")],
        )
        add_topic(phrases=["agent"], immediate=True)
    params = sip_call(**{"SipHeader_X-Customer-Id": "C&42;x=1"})
    answer = xml(twilio.post("/voice/call", params))
    refer = answer.find("./Refer")
    assert "/voice/refer-status?handoff=ho_" in refer.get("action")
    assert refer.find("./Sip").text.startswith(
        "sip:desk@pbx.example.com?X-Customer=C%2642%3Bx%3D1&X-Env=live&X-Handoff-ID=ho_"
    )


def test_no_match_twice_goes_to_default_with_reason(app, twilio):
    with app.app_context():
        add_destination(route="sip:support@pbx.example.com", encryption="udp_rtp")
    params = pstn_call()
    first = xml(twilio.post("/voice/call", params))
    again = xml(
        follow(twilio, first.find("./Gather").get("action"), {**params, "SpeechResult": "x"})
    )
    assert again.find("./Gather/Say").text == "Sorry, I didn't catch that."
    final = xml(follow(twilio, again.find("./Gather").get("action"), params))
    assert final.find("./Dial/Sip").text.startswith("sip:support@pbx.example.com?X-Handoff-ID=")
    with app.app_context():
        assert db.session.scalar(select(Handoff.reason)) == "no_input"


def test_no_default_apologises_and_marks_unrouted(app, twilio):
    with app.app_context():
        add_destination(is_default=False)
        add_topic(phrases=["x"], immediate=True)
    params = pstn_call()
    answer = xml(twilio.post("/voice/call", params))
    assert [c.tag for c in answer] == ["Say", "Hangup"]
    with app.app_context():
        conversation = db.session.scalar(select(Conversation))
        assert conversation.status == states.UNROUTED


def test_dial_failure_tries_fallback_then_default_then_apologises(app, twilio):
    with app.app_context():
        add_destination(name="Default", route="sip:default@pbx.example.com")
        backup = add_destination(name="Backup", route="sip:backup@pbx.example.com").id
        first = add_destination(name="First", route="sip:first@pbx.example.com", fallback_id=backup)
        add_topic(phrases=["x"], immediate=True, destination_id=first.id)
    params = pstn_call()
    answer = xml(twilio.post("/voice/call", params))
    assert "sip:first@" in answer.find("./Dial/Sip").text
    busy = {**params, "DialCallStatus": "busy", "DialSipResponseCode": "486"}
    second = xml(follow(twilio, answer.find("./Dial").get("action"), busy))
    assert "sip:backup@" in second.find("./Dial/Sip").text
    third = xml(
        follow(
            twilio, second.find("./Dial").get("action"), {**params, "DialCallStatus": "no-answer"}
        )
    )
    assert "sip:default@" in third.find("./Dial/Sip").text
    last = xml(
        follow(twilio, third.find("./Dial").get("action"), {**params, "DialCallStatus": "failed"})
    )
    assert [c.tag for c in last] == ["Say", "Hangup"]
    with app.app_context():
        conversation = db.session.scalar(select(Conversation))
        assert _states(conversation.id) == [
            (states.HANDOFF_INITIATED, None),
            (states.HANDOFF_FAILED, 486),
            (states.HANDOFF_INITIATED, None),
            (states.HANDOFF_FAILED, None),
            (states.HANDOFF_INITIATED, None),
            (states.HANDOFF_FAILED, None),
            (states.UNROUTED, None),
        ]
        chain = db.session.scalars(select(Handoff).order_by(Handoff.created_at)).all()
        assert [h.destination_name for h in chain] == ["First", "Backup", "Default"]
        assert chain[1].previous_id == chain[0].id


def test_completed_dial_and_status_end_the_conversation(app, twilio):
    with app.app_context():
        add_destination()
        add_topic(phrases=["x"], immediate=True)
    params = pstn_call()
    answer = xml(twilio.post("/voice/call", params))
    done = {**params, "DialCallStatus": "completed", "DialSipResponseCode": "200"}
    assert [c.tag for c in xml(follow(twilio, answer.find("./Dial").get("action"), done))] == [
        "Hangup"
    ]
    assert (
        xml(twilio.post("/voice/status", {**params, "CallStatus": "completed"})).tag == "Response"
    )
    with app.app_context():
        conversation = db.session.scalar(select(Conversation))
        assert conversation.ended_at is not None
        assert [s for s, _ in _states(conversation.id)] == [
            states.HANDOFF_INITIATED,
            states.HANDOFF_COMPLETED,
            states.ENDED,
        ]
        assert db.session.scalar(select(Handoff.state)) == states.HANDOFF_COMPLETED


def test_soft_handoff_then_a_real_one_at_the_same_attempt_is_not_a_replay(app, twilio):
    folder = app.config["FUNCTIONS_DIR"]
    pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
    pathlib.Path(folder, "desk.py").write_text(
        "def ticket(conv):\n"
        "    return conv.soft_handoff('ticket', 'Ticket opened. Anything else?')\n"
    )
    with app.app_context():
        add_destination(route="sip:support@pbx.example.com")
        add_topic(name="Ticket", phrases=["ticket"], action="function", function="desk.ticket")
        add_topic(name="Agent", phrases=["agent"], position=1)
    params = pstn_call()
    greeting = xml(twilio.post("/voice/call", params))
    soft = xml(
        follow(
            twilio, greeting.find("./Gather").get("action"), {**params, "SpeechResult": "ticket"}
        )
    )
    assert soft.find("./Gather/Say").text == "Ticket opened. Anything else?"
    real = xml(
        follow(twilio, soft.find("./Gather").get("action"), {**params, "SpeechResult": "agent"})
    )
    assert real.find("./Dial/Sip").text.startswith("sip:support@pbx.example.com")
    with app.app_context():
        assert [
            h.method for h in db.session.scalars(select(Handoff).order_by(Handoff.created_at))
        ] == [
            "soft_handoff",
            "sip_invite",
        ]


HOSTILE = "</Say><Hangup/>&x=1?X-Evil=1;transport=udp\r\nX-Injected: yes\x00 ünï"


def test_hostile_caller_values_cannot_inject_headers_or_break_twiml(app, twilio):
    with app.app_context():
        set_integration(kind="twilio_sip", required_method=None)
        add_destination(
            method="sip_refer",
            route="sip:desk@pbx.example.com",
            headers=[("X-Said", "$speech"), ("X-In", "$sip_X-Note"), ("X-Who", "$caller_id")],
        )
        add_topic(phrases=["agent"], utterance="You said: $speech")
    params = sip_call(CallerName=HOSTILE, **{"SipHeader_X-Note": HOSTILE})
    params["From"] = "sip:" + HOSTILE
    greeting = xml(twilio.post("/voice/call", params))
    said = {**params, "SpeechResult": "agent " + HOSTILE}
    root = xml(follow(twilio, greeting.find("./Gather").get("action"), said))
    assert [c.tag for c in root] == ["Say", "Refer"]
    base, headers = split_sip_uri(root.find("./Refer/Sip").text)
    assert base == "sip:desk@pbx.example.com"
    assert [n for n, _ in headers] == ["X-Said", "X-In", "X-Who", "X-Handoff-ID"]
    assert all("\r" not in v and "\n" not in v and "\x00" not in v for _, v in headers)
    assert dict(headers)["X-In"].startswith("</Say><Hangup/>&x=1?X-Evil=1;transport=udp")
