"""The live stream of handoff-state transitions, read from the database by id.

Polling by id works across any number of web processes: each stream sees every
committed transition, whichever process recorded it. On PostgreSQL ids are handed out at
INSERT, not at COMMIT, so a transaction can commit id 101 while 100's is still open; a
stream that sent 101 and moved on would never send 100. So a stream sends transitions only up
to its settled horizon: the first missing id stops it until that id commits, or until the
transition after the gap was recorded ``gap_wait`` seconds ago by the database's clock (the
missing one was rolled back).
"""

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.subscriptions import transition_payload
from models import Conversation, HandoffState

BATCH = 200


def latest_id(session: Session) -> int:
    """Return the id of the newest transition (0 when there is none)."""
    return session.scalar(select(func.max(HandoffState.id))) or 0


def oldest_id(session: Session) -> int:
    """Return the id of the oldest transition still stored (0 when there is none)."""
    return session.scalar(select(func.min(HandoffState.id))) or 0


def settled_horizon(session: Session, after_id: int, gap_wait: float) -> tuple[int, bool]:
    """Return the last id up to which no transition can still appear, and if the batch was full.

    Every environment's transitions count: a filtered stream must not take another
    environment's ids for gaps.
    """
    # Both times from the database's clock: the app's may be another host's, or (``at``
    # with write-behind) long before the insert.
    rows = session.execute(
        select(HandoffState.id, HandoffState.recorded_at, func.now())
        .where(HandoffState.id > after_id)
        .order_by(HandoffState.id)
        .limit(BATCH)
    ).all()
    wait = timedelta(seconds=gap_wait)
    horizon = after_id
    for state_id, recorded_at, now in rows:
        gap = state_id != horizon + 1
        if gap and _may_still_fill(session, state_id, recorded_at, now - wait, horizon == after_id):
            return horizon, False
        horizon = state_id
    return horizon, len(rows) == BATCH


def _may_still_fill(
    session: Session, state_id: int, recorded_at: datetime | None, cutoff: datetime, first: bool
) -> bool:
    """Return whether a transaction still open may hold an id just below ``state_id``."""
    if recorded_at is None or recorded_at <= cutoff:
        return False  # recorded long enough ago: the missing id was rolled back
    # Before the oldest transition there is nothing to wait for (after=0 on a database whose
    # ids do not start at 1).
    return not first or state_id != oldest_id(session)


def states_after(
    session: Session,
    after_id: int,
    environment: str | None,
    conversation_id: str | None,
    up_to: int | None = None,
) -> list[dict]:
    """Return the payloads of transitions after ``after_id`` (up to ``up_to``), oldest first."""
    query = (
        select(HandoffState, Conversation)
        .join(Conversation, Conversation.id == HandoffState.conversation_id)
        .where(HandoffState.id > after_id)
    )
    if up_to is not None:
        query = query.where(HandoffState.id <= up_to)
    if environment:
        query = query.where(Conversation.environment == environment)
    if conversation_id:
        query = query.where(HandoffState.conversation_id == conversation_id)
    rows = session.execute(query.order_by(HandoffState.id).limit(BATCH))
    return [transition_payload(conversation, state) for state, conversation in rows]


def sse(payload: dict) -> str:
    """Return one server-sent event carrying a transition."""
    return f"id: {payload['id']}\nevent: handoff_state\ndata: {json.dumps(payload)}\n\n"


def stream(
    session: Session, after_id: int, filters: dict, seconds: float, poll: float, gap_wait: float
) -> Iterator[str]:
    """Yield events for ``seconds``, polling every ``poll`` seconds, then end.

    The stream ends on purpose so a sync gunicorn worker is never held past its timeout;
    the client reconnects with Last-Event-ID and misses nothing.
    """
    yield "retry: 1000\n\n"
    deadline = time.monotonic() + seconds
    environment, conversation_id = filters.get("environment"), filters.get("conversation_id")
    while True:
        horizon, more = settled_horizon(session, after_id, gap_wait)
        payloads = []
        if horizon > after_id:  # something settled since the last poll
            payloads = states_after(session, after_id, environment, conversation_id, horizon)
        # End the read transaction so the next poll sees newly committed rows.
        session.rollback()
        for payload in payloads:
            yield sse(payload)
        # Past the last payload only when the batch was not cut short by its limit.
        after_id = payloads[-1]["id"] if len(payloads) == BATCH else horizon
        if time.monotonic() >= deadline:
            return
        if not payloads and not more:
            yield ": keep-alive\n\n"
            time.sleep(min(poll, max(deadline - time.monotonic(), 0)))
