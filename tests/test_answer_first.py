"""With records written in the request, a webhook is answered as new and a retry is caught at
the commit, by a unique key, instead of by a read before every request."""

from pathlib import Path

from sqlalchemy import func, select

from models import Conversation, Handoff, HandoffState, WebhookReply, db
from tests.test_functions_voice import functions_dir
from tests.test_prometheus import samples
from tests.voice_support import (
    add_billing,
    add_destination,
    add_topic,
    follow,
    pstn_call,
    statements_sent,
    xml,
)

# A function with an effect outside the database: it must run once however often Twilio asks.
COUNTED = """
from pathlib import Path

def route(conv, team, ledger):
    with open(ledger, "a") as out:
        out.write(conv.caller_number + "\\n")
    return conv.call_handoff(team, reason="counted")
"""


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def reads_of_calls(sent: list[str]) -> list[str]:
    """Return the reads of call records among ``sent`` (configuration reads left out)."""
    tables = ("FROM webhook_replies", "FROM conversations", "FROM transcript_turns")
    return [s for s in sent if any(table in s for table in tables)]


def test_a_new_call_is_answered_with_no_read_before_its_inserts(app, twilio):
    with app.app_context():
        add_destination()
        sent = statements_sent(db.engine)
    xml(twilio.post("/voice/call", pstn_call()))
    # No stored reply looked for, no conversation looked up: the call is new.
    assert reads_of_calls(sent) == [], sent
    assert any("INSERT INTO conversations" in s for s in sent), sent


def test_a_gather_looks_for_no_stored_reply_first(app, twilio):
    with app.app_context():
        add_billing()
    params = pstn_call()
    action = xml(twilio.post("/voice/call", params)).find("./Gather").get("action")
    with app.app_context():
        sent = statements_sent(db.engine)
    assert xml(follow(twilio, action, {**params, "SpeechResult": "billing please"})).find("./Dial")
    assert not [s for s in sent if "FROM webhook_replies" in s], sent


def test_a_retried_call_gets_the_first_answer_and_is_recorded_and_counted_once(app, client, twilio):
    with app.app_context():
        add_destination(name="Support")
        add_topic(name="Everything", immediate=True)
    params = pstn_call()
    before = samples(client)
    first = twilio.post("/voice/call", params, headers={"I-Twilio-Idempotency-Token": "t-1"})
    # Twilio's retry after a timeout: the same call and step, another token.
    again = twilio.post("/voice/call", params, headers={"I-Twilio-Idempotency-Token": "t-2"})
    assert first.data == again.data and xml(first).find("./Dial") is not None
    with app.app_context():
        assert count(Conversation) == count(Handoff) == count(WebhookReply) == 1
        assert count(HandoffState) == 1
    # The retry's transaction was rolled back at its commit: its handoff is not counted.
    labels = {"destination": "Support", "environment": "live", "method": "sip_invite"}
    key = ("handoff_handoffs_total", tuple(sorted({**labels, "outcome": "initiated"}.items())))
    assert samples(client)[key] == before.get(key, 0) + 1


def test_a_retried_gather_gets_the_first_answer_and_one_handoff(app, twilio):
    with app.app_context():
        add_billing()
    params = pstn_call()
    action = xml(twilio.post("/voice/call", params)).find("./Gather").get("action")
    spoken = {**params, "SpeechResult": "billing please"}
    first = follow(twilio, action, spoken, headers={"I-Twilio-Idempotency-Token": "g-1"})
    again = follow(twilio, action, spoken, headers={"I-Twilio-Idempotency-Token": "g-2"})
    assert first.data == again.data
    with app.app_context():
        assert count(Handoff) == 1 and count(WebhookReply) == 2  # the call's and the gather's


def test_a_call_whose_conversation_the_fallback_opened_is_still_greeted(app, twilio):
    with app.app_context():
        add_billing()
    params = pstn_call(ErrorCode="11200", ErrorUrl="https://handoff.example.test/voice/call")
    xml(twilio.post("/voice/fallback", params))
    # Taken for new, it breaks the unique CallSid at the commit, and is answered reading first.
    greeting = xml(twilio.post("/voice/call", params))
    assert greeting.find("./Gather") is not None
    with app.app_context():
        assert count(Conversation) == 1


def test_a_function_runs_once_however_often_its_gather_is_retried(app, twilio, tmp_path):
    ledger = tmp_path / "ledger.txt"
    (functions_dir(app) / "counted.py").write_text(COUNTED)
    with app.app_context():
        add_destination(name="Support")
        add_destination(name="Desk", route="sip:desk@pbx.example.com")
        add_topic(
            name="Counted",
            phrases=["counted"],
            action="function",
            function="counted.route",
            params={"team": "Desk", "ledger": str(ledger)},
        )
    params = pstn_call()
    action = xml(twilio.post("/voice/call", params)).find("./Gather").get("action")
    spoken = {**params, "SpeechResult": "counted please"}
    answers = [
        follow(twilio, action, spoken, headers={"I-Twilio-Idempotency-Token": f"f-{i}"})
        for i in range(3)
    ]
    assert len({a.data for a in answers}) == 1
    assert "sip:desk@pbx.example.com" in xml(answers[0]).find("./Dial/Sip").text
    assert Path(ledger).read_text().count("\n") == 1
