"""The live stream of handoff-state transitions, read from the database by id.

Polling by id works across any number of web processes: each stream sees every
committed transition, whichever process recorded it.
"""

import json
import time
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.subscriptions import transition_payload
from models import Conversation, HandoffState

BATCH = 200


def latest_id(session: Session) -> int:
    """Return the id of the newest transition (0 when there is none)."""
    return session.scalar(select(func.max(HandoffState.id))) or 0


def states_after(
    session: Session, after_id: int, environment: str | None, conversation_id: str | None
) -> list[dict]:
    """Return the payloads of transitions newer than ``after_id``, oldest first."""
    query = (
        select(HandoffState, Conversation)
        .join(Conversation, Conversation.id == HandoffState.conversation_id)
        .where(HandoffState.id > after_id)
    )
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
    session: Session, after_id: int, filters: dict, seconds: float, poll: float
) -> Iterator[str]:
    """Yield events for ``seconds``, polling every ``poll`` seconds, then end.

    The stream ends on purpose so a sync gunicorn worker is never held past its timeout;
    the client reconnects with Last-Event-ID and misses nothing.
    """
    yield "retry: 1000\n\n"
    deadline = time.monotonic() + seconds
    while True:
        payloads = states_after(
            session, after_id, filters.get("environment"), filters.get("conversation_id")
        )
        # End the read transaction so the next poll sees newly committed rows.
        session.rollback()
        for payload in payloads:
            after_id = payload["id"]
            yield sse(payload)
        if time.monotonic() >= deadline:
            return
        if not payloads:
            yield ": keep-alive\n\n"
            time.sleep(min(poll, max(deadline - time.monotonic(), 0)))
