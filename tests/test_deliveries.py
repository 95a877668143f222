"""Subscriber deliveries: signed, once, in order per conversation, retried with backoff."""

import hashlib
import hmac
import logging
import os
import time

import pytest
from sqlalchemy import delete

from handoff import states
from handoff.deliveries import DELIVERED, FAILED, PENDING, DeliveryPolicy, run_once
from handoff.delivery_worker import DeliveryWorker
from handoff.subscriptions import create_subscription, delete_subscription
from models import Delivery, Subscription, db
from tests import calls_factory as f
from tests.receiver import Receiver

FAST = DeliveryPolicy(timeout=2, backoff=0, backoff_max=0, max_attempts=5)


def make_call_with_transitions(count_extra: int = 2):
    """Create a conversation whose handoff goes through several states; commit."""
    conv = f.conversation(call_sid="CA42")
    ho = f.handoff(conv)
    for state in (states.HANDOFF_FAILED, states.HANDOFF_INITIATED)[:count_extra]:
        states.transition(db.session, conv, state, handoff=ho, sip_code=486)
    states.transition(db.session, conv, states.HANDOFF_COMPLETED, handoff=ho, sip_code=200)
    db.session.commit()
    return conv


def test_every_transition_arrives_once_in_order_and_signed(app):
    with Receiver() as receiver, app.app_context():
        secret = create_subscription(db.session, receiver.url, None).secret
        make_call_with_transitions()
        assert run_once(db.session, FAST) == 4
        assert run_once(db.session, FAST) == 0
    got = [r["json"]["state"] for r in receiver.requests]
    assert got == ["handoff_initiated", "handoff_failed", "handoff_initiated", "handoff_completed"]
    for request in receiver.requests:
        expected = hmac.new(secret.encode(), request["raw"], hashlib.sha256).hexdigest()
        assert request["headers"]["X-Handoff-Signature"] == f"sha256={expected}"
        assert request["headers"]["X-Handoff-Timestamp"] == request["json"]["sent_at"]
        assert request["json"]["call_sid"] == "CA42"


def test_retry_after_failures_keeps_order(app):
    with Receiver(fail_first=3) as receiver, app.app_context():
        create_subscription(db.session, receiver.url, None)
        make_call_with_transitions()
        run_once(db.session, FAST)
        rows = db.session.query(Delivery).order_by(Delivery.id).all()
        assert [r.status for r in rows] == [DELIVERED] * 4
        assert rows[0].attempts == 4 and rows[0].last_error == ""
    sent = [r["json"]["id"] for r in receiver.requests]
    # The first transition is retried alone; the next is never sent before it succeeded.
    assert sent[:4] == [sent[0]] * 4
    assert [r["json"]["id"] for r in receiver.accepted] == sorted(set(sent))


def test_backoff_waits_before_retrying(app):
    slow = DeliveryPolicy(timeout=2, backoff=60, max_attempts=5)
    with Receiver(fail_first=1) as receiver, app.app_context():
        create_subscription(db.session, receiver.url, None)
        make_call_with_transitions(count_extra=0)
        assert run_once(db.session, slow) == 1
        assert run_once(db.session, slow) == 0
        row = db.session.query(Delivery).order_by(Delivery.id).first()
        assert row.status == PENDING and row.last_error == "HTTP 500" and row.attempts == 1
    assert len(receiver.requests) == 1


def test_gives_up_after_max_attempts_and_moves_on(app):
    with Receiver(fail_first=2) as receiver, app.app_context():
        create_subscription(db.session, receiver.url, None)
        make_call_with_transitions(count_extra=0)
        run_once(db.session, DeliveryPolicy(timeout=2, backoff=0, max_attempts=2))
        rows = db.session.query(Delivery).order_by(Delivery.id).all()
        assert [r.status for r in rows] == [FAILED, DELIVERED]
    assert len(receiver.accepted) == 1


def test_unreachable_subscriber_is_recorded(app):
    with app.app_context():
        create_subscription(db.session, "http://127.0.0.1:9/nowhere", None)
        make_call_with_transitions(count_extra=0)
        run_once(db.session, DeliveryPolicy(timeout=1, backoff=60))
        row = db.session.query(Delivery).order_by(Delivery.id).first()
        assert row.status == PENDING and "ConnectionError" in row.last_error


def test_environment_filter_and_inactive(app):
    with Receiver() as receiver, app.app_context():
        create_subscription(db.session, receiver.url, "live")
        make_call_with_transitions(count_extra=0)
        assert db.session.query(Delivery).count() == 0


def test_background_worker_delivers(app):
    app.config.update(DELIVERY_BACKOFF=0)
    with Receiver(fail_first=1) as receiver:
        with app.app_context():
            create_subscription(db.session, receiver.url, None)
            make_call_with_transitions(count_extra=0)
        worker = DeliveryWorker(app, poll=0.05)
        worker.start()
        deadline = time.monotonic() + 20
        while len(receiver.accepted) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.stop()
    assert [r["json"]["state"] for r in receiver.accepted] == [
        "handoff_initiated",
        "handoff_completed",
    ]


def test_deliveries_run_once_command(app, runner):
    with Receiver() as receiver:
        with app.app_context():
            create_subscription(db.session, receiver.url, None)
            make_call_with_transitions(count_extra=0)
        result = runner.invoke(args=["deliveries", "run", "--once"])
    assert result.exit_code == 0 and "2 deliveries tried" in result.output
    assert len(receiver.accepted) == 2


def test_deleting_a_subscription_deletes_what_it_had_not_received(app):
    with Receiver() as receiver, app.app_context():
        gone = create_subscription(db.session, "http://127.0.0.1:9/hook", None)
        create_subscription(db.session, receiver.url, None)
        make_call_with_transitions(count_extra=0)
        delete_subscription(db.session, gone)

        assert db.session.query(Delivery).filter_by(subscription_id=gone.id).count() == 0
        assert run_once(db.session, FAST) == 2
    assert len(receiver.accepted) == 2


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="PostgreSQL enforces the foreign key: no delivery outlives its subscription there",
)
def test_a_delivery_left_without_its_subscription_is_dropped_not_fatal(app, caplog):
    # What earlier releases left on SQLite, which does not enforce ON DELETE CASCADE.
    with Receiver() as receiver, app.app_context():
        gone = create_subscription(db.session, "http://127.0.0.1:9/hook", None).id
        create_subscription(db.session, receiver.url, None)
        make_call_with_transitions(count_extra=0)
        db.session.execute(delete(Subscription).where(Subscription.id == gone))
        db.session.commit()

        with caplog.at_level(logging.WARNING, logger="handoff.deliveries"):
            assert run_once(db.session, FAST) == 2
        assert db.session.query(Delivery).filter_by(subscription_id=gone).count() == 0
    assert len(receiver.accepted) == 2
    assert "subscription" in caplog.text and "is gone" in caplog.text
