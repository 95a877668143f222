"""RECORDS_WRITE_BEHIND=1: calls are answered from memory and recorded just after."""

import logging
import time
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from app import create_app
from handoff.subscriptions import create_subscription
from models import Conversation, Delivery, Handoff, HandoffState, Metric, TranscriptTurn, db
from tests.conftest import TwilioSigner, make_test_config
from tests.live_server import LiveServer
from tests.test_functions_voice import VIP, functions_dir
from tests.test_resilience_load import STORM, handoff_id, storm
from tests.test_resilience_outage import asks, outage, place_call, route_of
from tests.voice_support import BILLING_URI, add_billing, add_destination, add_topic, pstn_call


@pytest.fixture
def behind(app):
    """An app that writes records behind the answer, with a billing topic."""
    app.config["RECORDS_WRITE_BEHIND"] = True
    with app.app_context():
        add_billing(utterance="Connecting you to billing.")
    return app


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_call_is_recorded_whole_after_its_answers(behind, twilio):
    params = pstn_call()
    assert place_call(twilio, params).startswith(BILLING_URI)
    with behind.app_context():
        conversation = db.session.scalar(
            select(Conversation).where(Conversation.call_sid == params["CallSid"])
        )
        assert conversation.status == "handoff_initiated"
        handoff = db.session.scalar(
            select(Handoff).where(Handoff.conversation_id == conversation.id)
        )
        assert handoff.destination_name == "Billing team"
        spoken = [turn["text"] for turn in handoff.context["transcript"]]
        assert spoken[1:] == ["it is about billing", "Connecting you to billing."]
        assert count(HandoffState, HandoffState.handoff_id == handoff.id) == 1
        names = set(
            db.session.scalars(select(Metric.name).where(Metric.conversation_id == conversation.id))
        )
        assert {"HANDOFF_TO", "HANDOFF_REASON"} <= names


def test_a_call_and_its_gather_in_one_batch_make_one_whole_record(behind, twilio, caplog):
    behind.config["RECORDS_LINGER"] = 0.5
    with behind.app_context():
        create_subscription(db.session, "https://crm.example.com/hook", None)
    twilio.drain = False
    params = pstn_call()
    assert asks(twilio.post("/voice/call", params))
    gather = {**params, "SpeechResult": "billing"}
    assert route_of(twilio.post("/voice/gather", gather, query={"attempt": "1"}))
    recorder = behind.extensions["handoff_recorder"]
    assert recorder.pending == 2, "both records should wait in one batch"
    with caplog.at_level(logging.INFO, logger="handoff.recorder"):
        assert recorder.drain(timeout=10)
    # Written in one transaction, not record by record after a failed batch.
    assert "one by one" not in caplog.text
    with behind.app_context():
        conversation = db.session.scalar(
            select(Conversation).where(Conversation.call_sid == params["CallSid"])
        )
        turns = db.session.scalars(
            select(TranscriptTurn.position)
            .where(TranscriptTurn.conversation_id == conversation.id)
            .order_by(TranscriptTurn.id)
        ).all()
        assert turns == [0, 1, 2]
        state = db.session.scalar(
            select(HandoffState).where(HandoffState.conversation_id == conversation.id)
        )
        delivery = db.session.scalar(
            select(Delivery).where(Delivery.conversation_id == conversation.id)
        )
        assert delivery.handoff_state_id == state.id
        assert delivery.payload["id"] == state.id
        assert delivery.payload["state"] == "handoff_initiated"
        assert delivery.payload["at"]


def test_a_retry_in_another_process_gets_the_same_answer_and_no_second_record(
    behind, twilio, migrated, tmp_path
):
    other = create_app(make_test_config(migrated, tmp_path, RECORDS_WRITE_BEHIND=True))
    elsewhere = TwilioSigner(other.test_client())
    params = pstn_call()
    token = {"I-Twilio-Idempotency-Token": "retry-1"}
    first = twilio.post("/voice/call", params, headers=token)
    assert elsewhere.post("/voice/call", params, headers=token).data == first.data
    gather = {**params, "SpeechResult": "billing"}
    query = {"attempt": "1"}
    answer = twilio.post("/voice/gather", gather, query=query)
    again = elsewhere.post("/voice/gather", gather, query=query)
    assert again.data == answer.data
    assert twilio.post("/voice/gather", gather, query=query).data == answer.data
    with behind.app_context():
        conversation = db.session.scalar(
            select(Conversation).where(Conversation.call_sid == params["CallSid"])
        )
        assert count(Handoff, Handoff.conversation_id == conversation.id) == 1
        assert count(TranscriptTurn, TranscriptTurn.conversation_id == conversation.id) == 3
    other.extensions["handoff_recorder"].stop()
    with other.app_context():
        db.engine.dispose()


def test_calls_during_an_outage_are_answered_normally_and_recorded_after_it(
    behind, twilio, migrated
):
    assert place_call(twilio, pstn_call()).startswith(BILLING_URI)
    during = [pstn_call() for _ in range(3)]
    twilio.drain = False
    with outage(behind, migrated):
        for params in during:
            first = twilio.post("/voice/call", params)
            # The greeting from memory, not the last-known-good fallback's direct handoff.
            assert asks(first)
            assert ElementTree.fromstring(first.data).find("./Gather/Say") is not None
            gather = {**params, "SpeechResult": "billing"}
            route = route_of(twilio.post("/voice/gather", gather, query={"attempt": "1"}))
            assert route.startswith(BILLING_URI)
    assert behind.extensions["handoff_recorder"].drain(timeout=20)
    with behind.app_context():
        for params in during:
            conversation = db.session.scalar(
                select(Conversation).where(Conversation.call_sid == params["CallSid"])
            )
            assert conversation is not None and conversation.status == "handoff_initiated"
            assert count(Handoff, Handoff.conversation_id == conversation.id) == 1


def test_gunicorn_workers_write_what_they_hold_before_they_exit(behind, migrated, tmp_path):
    # Batches wait 5 s to fill, so the records are still queued when gunicorn stops.
    live = LiveServer(migrated, tmp_path, workers=3, RECORDS_WRITE_BEHIND="1", RECORDS_LINGER="5")
    try:
        calls = [pstn_call() for _ in range(30)]
        for params in calls:
            assert live.post_signed("/voice/call", params)[0] == 200
        params = calls[0]
        gather = {**params, "SpeechResult": "billing"}
        answers = storm(lambda: live.post_signed("/voice/gather?attempt=1", gather), STORM)
        assert len({body for _, body in answers}) == 1
    finally:
        live.stop()
    with behind.app_context():
        recorded = set(db.session.scalars(select(Conversation.call_sid)))
        assert recorded == {p["CallSid"] for p in calls}
        conversation = db.session.scalar(
            select(Conversation).where(Conversation.call_sid == params["CallSid"])
        )
        handoffs = db.session.scalars(
            select(Handoff.id).where(Handoff.conversation_id == conversation.id)
        ).all()
        assert handoffs == [handoff_id(answers[0][1])]


def test_calls_a_killed_worker_answered_are_recorded_by_its_successor(behind, migrated, tmp_path):
    # Batches wait 30 s to fill, so the killed worker still holds every record it answered.
    settings = {"RECORDS_WRITE_BEHIND": "1", "RECORDS_LINGER": "30"}
    live = LiveServer(migrated, tmp_path, workers=1, **settings)
    try:
        calls = [pstn_call() for _ in range(5)]
        for params in calls:
            assert live.post_signed("/voice/call", params)[0] == 200
        killed = live.kill_worker()
        deadline = time.monotonic() + 20
        while killed in live.worker_pids() or not live.worker_pids():
            assert time.monotonic() < deadline, "gunicorn did not replace the worker"
            time.sleep(0.1)
        later = pstn_call()
        assert live.post_signed("/voice/call", later)[0] == 200
    finally:
        live.stop()
    with behind.app_context():
        recorded = set(db.session.scalars(select(Conversation.call_sid)))
        assert recorded == {p["CallSid"] for p in [*calls, later]}
        for params in calls:
            conversation = db.session.scalar(
                select(Conversation).where(Conversation.call_sid == params["CallSid"])
            )
            turns = db.session.scalars(
                select(TranscriptTurn).where(TranscriptTurn.conversation_id == conversation.id)
            ).all()
            assert [t.speaker for t in turns] == ["service"]


def test_a_function_topic_sees_the_records_written_behind_and_records_its_own_first(behind, twilio):
    (functions_dir(behind) / "vip.py").write_text(VIP)
    with behind.app_context():
        add_destination(name="VIP desk", route="sip:vip@pbx.example.com")
        add_topic(
            name="VIP",
            phrases=["vip"],
            action="function",
            function="vip.route",
            params={"team": "VIP desk"},
        )
    # The call's record waits in the recorder until the function topic needs it.
    behind.config["RECORDS_LINGER"] = 30
    twilio.drain = False
    params = pstn_call(CallSid="CAvipbehind")
    assert asks(twilio.post("/voice/call", params))
    gather = {**params, "SpeechResult": "vip please"}
    sip = route_of(twilio.post("/voice/gather", gather, query={"attempt": "1"}))
    assert sip.startswith("sip:vip@pbx.example.com") and "X-Customer-ID=C-0123" in sip
    # Answered only after its records were written, in the request, with the call's.
    with behind.app_context():
        conversation = db.session.scalar(
            select(Conversation).where(Conversation.call_sid == "CAvipbehind")
        )
        assert conversation.state == {"customer": "C-0123"}
        handoff = db.session.scalar(
            select(Handoff).where(Handoff.conversation_id == conversation.id)
        )
        assert (handoff.destination_name, handoff.reason) == ("VIP desk", "vip")
        # The greeting, recorded behind the call's answer, comes before what the caller said.
        spoken = [turn["text"] for turn in handoff.context["transcript"]]
        assert spoken[1:2] == ["vip please"]
        assert count(Conversation) == 1
