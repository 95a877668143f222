"""Under real gunicorn processes: Twilio retry storms and workers killed mid-request."""

import http.client
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from models import Conversation, Handoff, HandoffState, TranscriptTurn, WebhookReply, db
from tests.live_server import LiveServer
from tests.voice_support import add_billing, pstn_call

STORM = 20


@pytest.fixture
def configured(app):
    """A live environment whose 'billing' topic hands off to a SIP destination."""
    with app.app_context():
        add_billing()
    return app


@pytest.fixture
def live(configured, migrated, tmp_path):
    server = LiveServer(migrated, tmp_path, workers=3)
    yield server
    server.stop()


def handoff_id(twiml: str) -> str:
    """Return the handoff id carried in the <Dial action> URL of a handoff answer."""
    dial = ElementTree.fromstring(twiml).find("./Dial")
    assert dial is not None, twiml
    return parse_qs(urlparse(dial.get("action")).query)["handoff"][0]


def storm(send, count: int) -> list:
    """Call ``send`` from ``count`` threads released at the same instant."""
    barrier = threading.Barrier(count)

    def one(_):
        barrier.wait()
        return send()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_retry_storms_make_one_conversation_and_one_handoff(configured, live):
    call = pstn_call()
    answers = storm(lambda: live.post_signed("/voice/call", call), STORM)
    assert {status for status, _ in answers} == {200}
    # Every retry is answered with the very same TwiML.
    assert len({body for _, body in answers}) == 1
    gather = {**call, "SpeechResult": "a question about billing please"}
    token = {"I-Twilio-Idempotency-Token": secrets.token_hex(16)}
    answers = storm(lambda: live.post_signed("/voice/gather?attempt=1", gather, token), STORM)
    assert {status for status, _ in answers} == {200}
    assert len({body for _, body in answers}) == 1
    with configured.app_context():
        conversations = db.session.scalars(
            select(Conversation).where(Conversation.call_sid == call["CallSid"])
        ).all()
        assert len(conversations) == 1
        handoffs = db.session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversations[0].id)
        ).all()
    assert [h.id for h in handoffs] == [handoff_id(answers[0][1])]
    assert handoffs[0].destination_name == "Billing team"


def send_calls(live, calls: list[dict], kill_after: int) -> dict[str, tuple]:
    """POST each call's gather from 6 threads; SIGKILL a worker after ``kill_after`` answers."""
    results: dict[str, tuple] = {}
    answered = threading.Semaphore(0)

    def one(params):
        try:
            results[params["CallSid"]] = live.post_signed("/voice/gather?attempt=1", params)
        # The killed worker's connection, lost before the answer or in the middle of it
        # (IncompleteRead): Twilio would retry.
        except (OSError, http.client.HTTPException) as exc:
            results[params["CallSid"]] = (None, repr(exc))
        answered.release()

    def killer():
        for _ in range(kill_after):
            answered.acquire()
        live.kill_worker()

    threading.Thread(target=killer, daemon=True).start()
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(one, calls))
    return results


def test_killed_worker_leaves_no_half_written_handoff(configured, live):
    workers_before = set(live.worker_pids())
    calls = [pstn_call(SpeechResult="billing") for _ in range(120)]
    results = send_calls(live, calls, kill_after=30)
    deadline = time.monotonic() + 10
    while set(live.worker_pids()) & workers_before == workers_before:
        assert time.monotonic() < deadline, "no worker was replaced"
        time.sleep(0.1)
    # Twilio retries what got no answer; a retry must complete the call normally.
    for params in calls:
        if results[params["CallSid"]][0] != 200:
            results[params["CallSid"]] = live.post_signed("/voice/gather?attempt=1", params)
    assert {status for status, _ in results.values()} == {200}
    with configured.app_context():
        assert_complete_records(calls, results)


def assert_complete_records(calls: list[dict], results: dict[str, tuple]) -> None:
    """Each call: one conversation, one handoff (the one answered), its state and its reply."""
    sids = [p["CallSid"] for p in calls]
    conversations = db.session.scalars(
        select(Conversation).where(Conversation.call_sid.in_(sids))
    ).all()
    assert sorted(c.call_sid for c in conversations) == sorted(sids)
    for conversation in conversations:
        handoffs = db.session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation.id)
        ).all()
        assert [h.id for h in handoffs] == [handoff_id(results[conversation.call_sid][1])]
        assert handoffs[0].context, "the handoff context is written with the handoff"
        assert conversation.status == "handoff_initiated"
        assert count(HandoffState, HandoffState.handoff_id == handoffs[0].id) == 1
        assert count(TranscriptTurn, TranscriptTurn.conversation_id == conversation.id) >= 1
        assert count(WebhookReply, WebhookReply.call_sid == conversation.call_sid) >= 1
