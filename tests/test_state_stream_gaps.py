"""The live stream never passes over a transition whose transaction has not committed yet.

On PostgreSQL an id is taken at INSERT: a later transaction can commit a higher id first.
"""

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from handoff import states
from handoff.state_stream import stream
from models import Conversation, HandoffState, db
from tests import calls_factory as f

NEEDS_POSTGRES = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
)


@pytest.fixture
def engine(app):
    with app.app_context():
        return db.engine


@pytest.fixture
def conversations(app):
    with app.app_context():
        live, sandbox = f.conversation(environment="live"), f.conversation()
        db.session.commit()
        return live.id, sandbox.id


def new_state(session: Session, conversation_id: str, state: str = "automated", **row) -> int:
    """Insert a transition in ``session`` (not committed) and return its id."""
    row |= {"conversation_id": conversation_id, "state": state}
    return session.execute(insert(HandoffState).returning(HandoffState.id), row).scalar_one()


def sent(engine, after: int, seconds: float, gap_wait: float, **filters) -> list[tuple]:
    """Return (id, seconds into the stream) of each transition one stream sends after ``after``."""
    started = time.monotonic()
    with Session(engine) as reader:
        events = stream(reader, after, filters, seconds, poll=0.02, gap_wait=gap_wait)
        return [
            (int(e.split("\n")[0][4:]), time.monotonic() - started)
            for e in events
            if e.startswith("id: ")
        ]


def sent_ids(engine, after: int, seconds: float, gap_wait: float, **filters) -> list[int]:
    """Return the transition ids one stream of ``seconds`` sends after ``after``."""
    return [state_id for state_id, _ in sent(engine, after, seconds, gap_wait, **filters)]


# When the app answered, against the insert: just before; ten minutes before (write-behind
# recording after a database outage); ten minutes after (an app host whose clock runs
# ahead). A gap is timed by the database's clock, so none of them may change the stream.
ANSWERED = pytest.mark.parametrize(
    "answered",
    [timedelta(0), timedelta(minutes=-10), timedelta(minutes=10)],
    ids=["just-before", "long-before", "clock-ahead"],
)


@pytest.mark.postgres
@NEEDS_POSTGRES
@ANSWERED
def test_a_committed_id_waits_for_a_lower_one_still_being_written(engine, conversations, answered):
    live, _ = conversations
    slow, fast = Session(engine), Session(engine)
    with Session(engine) as before:
        start = new_state(before, live)
        before.commit()
    lower = new_state(slow, live)  # its transaction is still open
    higher = new_state(fast, live, at=datetime.now(UTC) + answered)
    fast.commit()

    held_back = sent_ids(engine, start, seconds=0.2, gap_wait=60)
    slow.commit()
    resumed = sent_ids(engine, start, seconds=0.2, gap_wait=60)

    assert higher > lower > start
    assert held_back == []  # sending `higher` would have moved the stream past `lower`
    assert resumed == [lower, higher]
    slow.close(), fast.close()


@pytest.mark.postgres
@NEEDS_POSTGRES
@ANSWERED
def test_a_rolled_back_id_holds_the_stream_only_for_the_gap_wait(engine, conversations, answered):
    live, _ = conversations
    with Session(engine) as before:
        start = new_state(before, live)
        before.commit()
    with Session(engine) as rolled_back:
        new_state(rolled_back, live)
        rolled_back.rollback()
    with Session(engine) as after:
        kept = new_state(after, live, at=datetime.now(UTC) + answered)
        after.commit()

    [(state_id, when)] = sent(engine, start, seconds=3, gap_wait=0.3)

    assert state_id == kept
    assert 0.3 <= when < 2


def test_a_filtered_stream_does_not_wait_on_other_environments(engine, conversations):
    live, sandbox = conversations
    with Session(engine) as writer:
        start = new_state(writer, live)
        ids = [new_state(writer, conv) for conv in (sandbox, live, sandbox, live)]
        writer.commit()

    live_ids = sent_ids(engine, start, seconds=0.2, gap_wait=60, environment="live")

    assert live_ids == [ids[1], ids[3]]


@pytest.mark.parametrize("autoflush", [True, False])
def test_every_way_of_recording_a_transition_takes_the_databases_time(
    engine, conversations, autoflush
):
    # autoflush off is how a batch of call records writes: one executemany at the commit.
    live, _ = conversations
    with Session(engine, autoflush=autoflush) as writer:
        conversation = writer.get(Conversation, live)
        states.transition(writer, conversation, states.ENDED)
        writer.commit()
    with Session(engine) as reader:
        recorded_at, now = reader.execute(
            select(HandoffState.recorded_at, func.now()).order_by(HandoffState.id.desc())
        ).first()

    assert recorded_at is not None and abs(now - recorded_at) < timedelta(seconds=5)
