"""Transfer outcomes, the function seam, environments of numbers and the config cache."""

import pytest
from sqlalchemy import event, select

from handoff import states
from handoff.environments import get_environment
from handoff.voice.outcomes import dial_outcome, refer_outcome
from models import Conversation, Handoff, HandoffState, PhoneNumber, db
from tests.voice_support import (
    NUMBER,
    add_destination,
    add_topic,
    follow,
    pstn_call,
    set_integration,
    sip_call,
    xml,
)


@pytest.mark.parametrize(
    ("params", "connected", "code"),
    [
        ({"DialCallStatus": "completed", "DialSipResponseCode": "200"}, True, 200),
        ({"DialCallStatus": "answered"}, True, None),
        ({"DialCallStatus": "busy", "DialSipResponseCode": "486"}, False, 486),
        ({"DialCallStatus": "no-answer", "DialSipResponseCode": "487"}, False, 487),
        ({"DialCallStatus": "failed", "DialSipResponseCode": "503"}, False, 503),
        ({"DialCallStatus": "canceled"}, False, None),
        ({"DialCallStatus": "completed", "DialSipResponseCode": "404"}, False, 404),
        ({}, False, None),
    ],
)
def test_dial_outcome(params, connected, code):
    outcome = dial_outcome(params)
    assert (outcome.connected, outcome.sip_code) == (connected, code)


@pytest.mark.parametrize(
    ("params", "connected", "code"),
    [
        (
            {
                "ReferCallStatus": "in-progress",
                "ReferSipResponseCode": "202",
                "NotifySipResponseCode": "200",
            },
            True,
            200,
        ),
        ({"ReferCallStatus": "completed", "ReferSipResponseCode": "202"}, True, 202),
        (
            {
                "ReferCallStatus": "failed",
                "ReferSipResponseCode": "202",
                "NotifySipResponseCode": "486",
            },
            False,
            486,
        ),
        ({"ReferCallStatus": "failed", "ReferSipResponseCode": "603"}, False, 603),
        ({"ReferSipResponseCode": "405"}, False, 405),
        ({"ReferCallStatus": "in-progress", "NotifySipResponseCode": "480"}, False, 480),
        ({}, False, None),
    ],
)
def test_refer_outcome(params, connected, code):
    outcome = refer_outcome(params)
    assert (outcome.connected, outcome.sip_code) == (connected, code)


def _refer_call(app, twilio):
    with app.app_context():
        set_integration(kind="twilio_sip", required_method=None)
        add_destination(name="Default", method="sip_invite", route="sip:default@pbx.example.com")
        first = add_destination(name="Desk", method="sip_refer", route="sip:desk@pbx.example.com")
        add_topic(phrases=["x"], immediate=True, destination_id=first.id, reason="desk")
    params = sip_call()
    return params, xml(twilio.post("/voice/call", params))


def test_refer_rejected_falls_back_to_default_with_same_reason(app, twilio):
    params, answer = _refer_call(app, twilio)
    failed = {**params, "ReferCallStatus": "failed", "ReferSipResponseCode": "603"}
    retry = xml(follow(twilio, answer.find("./Refer").get("action"), failed))
    assert retry.find("./Dial/Sip").text.startswith("sip:default@pbx.example.com;transport=tls")
    with app.app_context():
        rows = db.session.scalars(select(Handoff).order_by(Handoff.created_at)).all()
        assert [(h.destination_name, h.state, h.reason) for h in rows] == [
            ("Desk", states.HANDOFF_FAILED, "desk"),
            ("Default", states.HANDOFF_INITIATED, "desk"),
        ]
        failed_state = db.session.scalar(
            select(HandoffState).where(HandoffState.state == states.HANDOFF_FAILED)
        )
        assert failed_state.sip_code == 603 and "ReferCallStatus=failed" in failed_state.detail


def test_refer_completed_hangs_up_and_repeated_outcome_is_replayed(app, twilio):
    params, answer = _refer_call(app, twilio)
    done = {
        **params,
        "ReferCallStatus": "in-progress",
        "ReferSipResponseCode": "202",
        "NotifySipResponseCode": "200",
    }
    action = answer.find("./Refer").get("action")
    first = follow(twilio, action, done)
    assert [c.tag for c in xml(first)] == ["Hangup"]
    assert follow(twilio, action, done).data == first.data
    with app.app_context():
        assert db.session.scalar(select(Handoff.state)) == states.HANDOFF_COMPLETED
        completed = db.session.scalars(
            select(HandoffState).where(HandoffState.state == states.HANDOFF_COMPLETED)
        ).all()
        assert len(completed) == 1 and completed[0].sip_code == 200


def test_outcome_for_an_unrecorded_handoff_hangs_up_or_tries_the_default(app, twilio):
    with app.app_context():
        default = add_destination(route="sip:support@pbx.example.com").id
    done = pstn_call(DialCallStatus="completed")
    root = xml(twilio.post("/voice/dial-status", done, query={"handoff": "ho_unknown"}))
    assert [c.tag for c in root] == ["Hangup"]
    busy = pstn_call(DialCallStatus="busy")
    query = {"handoff": "ho_unknown", "destination": "999"}
    root = xml(twilio.post("/voice/dial-status", busy, query=query))
    assert root.find("./Dial/Sip").text.startswith("sip:support@pbx.example.com")
    query["destination"] = str(default)
    root = xml(twilio.post("/voice/dial-status", pstn_call(DialCallStatus="busy"), query=query))
    assert [c.tag for c in root] == ["Say", "Hangup"]


def test_function_topic_without_runtime_hands_off_to_default_with_function_error(app, twilio):
    with app.app_context():
        add_destination()
        add_topic(phrases=["x"], immediate=True, action="function", function="transfer_call")
    xml(twilio.post("/voice/call", pstn_call()))
    with app.app_context():
        assert db.session.scalar(select(Handoff.reason)) == "function_error"


def test_number_assigned_to_sandbox_uses_sandbox_and_unknown_uses_live(app, twilio):
    with app.app_context():
        sandbox = get_environment(db.session, "sandbox")
        db.session.add(PhoneNumber(number=NUMBER, environment_id=sandbox.id))
        db.session.commit()
    twilio.post("/voice/call", pstn_call())
    twilio.post("/voice/call", pstn_call(To="+14155550111"))
    with app.app_context():
        envs = db.session.scalars(select(Conversation.environment).order_by(Conversation.called))
        assert list(envs) == ["sandbox", "live"]


def test_a_cached_call_reads_no_configuration_tables(app, twilio):
    with app.app_context():
        add_destination()
        add_topic(phrases=["billing"])
    twilio.post("/voice/call", pstn_call())  # loads and caches the configuration
    statements = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        twilio.post("/voice/call", pstn_call())
    finally:
        event.remove(engine, "before_cursor_execute", record)
    config_tables = ("FROM destinations", "FROM topics", "FROM integrations", "FROM flow_settings")
    assert not [s for s in statements if any(t in s for t in config_tables)]
    assert any("FROM environments" in s for s in statements)


def test_config_change_is_seen_on_the_next_call(app, twilio):
    with app.app_context():
        add_destination()
    first = xml(twilio.post("/voice/call", pstn_call()))
    assert first.find("./Gather") is not None
    with app.app_context():
        add_topic(phrases=["x"], immediate=True)
    second = xml(twilio.post("/voice/call", pstn_call()))
    assert second.find("./Dial") is not None


def test_status_ignores_progress_and_unknown_calls(app, twilio):
    with app.app_context():
        add_destination()
    params = pstn_call()
    twilio.post("/voice/call", params)
    for status in ("ringing", "in-progress"):
        assert xml(twilio.post("/voice/status", {**params, "CallStatus": status})).tag == "Response"
    assert xml(twilio.post("/voice/status", pstn_call(CallStatus="completed"))).tag == "Response"
    with app.app_context():
        conversation = db.session.scalar(select(Conversation))
        assert conversation.status == states.AUTOMATED and conversation.ended_at is None


def test_gather_for_a_call_never_seen_opens_its_conversation(app, twilio):
    with app.app_context():
        add_destination()
    params = pstn_call(SpeechResult="hello")
    root = xml(twilio.post("/voice/gather", params, query={"attempt": "1"}))
    assert root.find("./Gather") is not None
    with app.app_context():
        assert db.session.scalar(select(Conversation.call_sid)) == params["CallSid"]
