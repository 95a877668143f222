"""The write-behind recorder: batches in order, once per reply key, patient with outages."""

import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from handoff.recorder import Record, Recorder
from models import Metric, WebhookReply, db
from tests.calls_factory import conversation


@pytest.fixture
def conversation_id(app):
    with app.app_context():
        row = conversation()
        db.session.commit()
        return row.id


@pytest.fixture
def engine(app):
    with app.app_context():
        return db.engine


def metric(conversation_id: str, value: int, key: str | None = None) -> Record:
    """Return a record that writes one metric row, stored under ``key``."""

    def write(session):
        session.add(Metric(conversation_id=conversation_id, name="N", value=value))

    keys = (key or f"k{value}",)
    return Record(keys, "CA1", f"<Response>{value}</Response>", write)


def written(engine, conversation_id: str) -> list:
    with Session(engine) as session:
        query = select(Metric.value).where(Metric.conversation_id == conversation_id)
        return list(session.scalars(query.order_by(Metric.id)))


class CountingSessions:
    """A session factory that counts the transactions and can fail or block on demand."""

    def __init__(self, engine, failures: int = 0):
        self.engine = engine
        self.failures = failures
        self.opened = 0
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self):
        self.gate.wait()
        self.opened += 1
        if self.failures:
            self.failures -= 1
            raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))
        return Session(self.engine)


def test_records_are_written_in_order_many_per_transaction(engine, conversation_id):
    sessions = CountingSessions(engine)
    sessions.gate.clear()
    recorder = Recorder(sessions)
    for value in range(50):
        recorder.submit(metric(conversation_id, value))
    sessions.gate.set()
    assert recorder.drain(timeout=10)
    assert written(engine, conversation_id) == list(range(50))
    assert sessions.opened < 50
    with Session(engine) as session:
        assert session.scalar(select(WebhookReply.body).where(WebhookReply.token == "k7")) == (
            "<Response>7</Response>"
        )
    recorder.stop()


def test_a_record_is_written_once_per_reply_key(engine, conversation_id):
    recorder = Recorder(lambda: Session(engine))
    recorder.submit(metric(conversation_id, 1, key="same"))
    recorder.submit(metric(conversation_id, 2, key="same"))
    assert recorder.drain(timeout=10)
    recorder.submit(metric(conversation_id, 3, key="same"))
    assert recorder.drain(timeout=10)
    assert written(engine, conversation_id) == [1]
    assert recorder.replay(("other", "same")) == "<Response>1</Response>"
    recorder.stop()


def test_a_record_that_fails_does_not_hold_back_the_others(engine, conversation_id):
    def broken(session):
        raise ValueError("a bug in one record")

    recorder = Recorder(lambda: Session(engine))
    recorder.submit(metric(conversation_id, 1))
    recorder.submit(Record(("bad",), "CA2", "<Response/>", broken))
    recorder.submit(metric(conversation_id, 2))
    assert recorder.drain(timeout=10)
    assert written(engine, conversation_id) == [1, 2]
    recorder.stop()


def test_records_wait_while_the_database_is_unreachable(engine, conversation_id):
    sessions = CountingSessions(engine, failures=3)
    recorder = Recorder(sessions, retry_delay=0.01)
    recorder.submit(metric(conversation_id, 1))
    recorder.submit(metric(conversation_id, 2))
    assert recorder.drain(timeout=10)
    assert sessions.opened >= 4
    assert written(engine, conversation_id) == [1, 2]
    recorder.stop()


def test_a_full_queue_drops_its_oldest_record_and_counts_it(engine, conversation_id):
    sessions = CountingSessions(engine)
    sessions.gate.clear()
    recorder = Recorder(sessions, max_pending=2, max_batch=1)
    for value in range(4):
        recorder.submit(metric(conversation_id, value))
    sessions.gate.set()
    assert recorder.drain(timeout=10)
    assert recorder.dropped >= 1
    values = written(engine, conversation_id)
    assert values[-2:] == [2, 3]
    assert len(values) == 4 - recorder.dropped
    recorder.stop()


def test_stop_writes_what_is_queued(engine, conversation_id):
    recorder = Recorder(lambda: Session(engine))
    for value in range(5):
        recorder.submit(metric(conversation_id, value))
    recorder.stop()
    assert written(engine, conversation_id) == list(range(5))
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(WebhookReply)) == 5


def test_drain_does_not_wait_for_a_lingering_batch_to_fill(engine, conversation_id):
    recorder = Recorder(lambda: Session(engine), linger=30)
    recorder.submit(metric(conversation_id, 1))
    started = time.monotonic()
    assert recorder.drain(timeout=10)
    assert time.monotonic() - started < 5
    assert written(engine, conversation_id) == [1]
    recorder.stop()


def test_a_full_batch_is_written_without_lingering(engine, conversation_id):
    recorder = Recorder(lambda: Session(engine), linger=30, max_batch=3)
    recorder.submit(metric(conversation_id, 0))
    time.sleep(0.2)  # the writer now lingers for the batch to fill
    for value in (1, 2):
        recorder.submit(metric(conversation_id, value))
    deadline = time.monotonic() + 5
    while recorder.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert written(engine, conversation_id) == [0, 1, 2]
    recorder.stop()


class CountingCondition(threading.Condition):
    """A condition that counts how often its waiters were woken."""

    def __init__(self):
        super().__init__()
        self.woken = 0

    def notify_all(self):
        self.woken += 1
        super().notify_all()


def test_a_lingering_writer_is_not_woken_for_each_record(engine, conversation_id):
    # Under load every webhook submits: waking the writer each time cost a thread switch
    # per call only for it to go back to lingering.
    recorder = Recorder(lambda: Session(engine), linger=30, max_batch=10)
    recorder._changed = CountingCondition()
    recorder.submit(metric(conversation_id, 0))
    time.sleep(0.2)  # the writer now lingers for the batch to fill
    woken = recorder._changed.woken
    for value in range(1, 6):
        recorder.submit(metric(conversation_id, value))
    assert recorder._changed.woken == woken
    assert recorder.drain(timeout=10)
    assert written(engine, conversation_id) == [0, 1, 2, 3, 4, 5]
    recorder.stop()
