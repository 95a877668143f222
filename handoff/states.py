"""Handoff states and the one place that records a transition."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from handoff.transaction_memo import add_new
from models import Conversation, Handoff, HandoffState

AUTOMATED = "automated"
HANDOFF_INITIATED = "handoff_initiated"
HANDOFF_COMPLETED = "handoff_completed"
HANDOFF_FAILED = "handoff_failed"
SOFT_HANDOFF = "soft_handoff"
UNROUTED = "unrouted"
ENDED = "ended"
BUILTIN_STATES = (
    AUTOMATED,
    HANDOFF_INITIATED,
    HANDOFF_COMPLETED,
    HANDOFF_FAILED,
    SOFT_HANDOFF,
    UNROUTED,
    ENDED,
)


@dataclass(frozen=True)
class Transition:
    """One recorded transition and the rows it concerns, as listeners receive it."""

    row: HandoffState
    conversation: Conversation
    handoff: Handoff | None


Listener = Callable[[Session, Transition], None]
_listeners: list[Listener] = []


def on_transition(listener: Listener) -> Listener:
    """Register ``listener`` to run, inside the same transaction, after each transition."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def transition(
    session: Session,
    conversation: Conversation,
    state: str,
    *,
    handoff: Handoff | None = None,
    detail: str = "",
    sip_code: int | None = None,
    source: str = "service",
) -> HandoffState:
    """Record that ``conversation`` (and its ``handoff``) moved to ``state``; do not commit."""
    row = add_new(
        session,
        HandoffState,
        conversation_id=conversation.id,
        handoff_id=handoff.id if handoff is not None else None,
        state=state,
        detail=detail,
        sip_code=sip_code,
        source=source,
    )
    if handoff is not None and state != ENDED:
        handoff.state = state
    conversation.status = state
    if session.autoflush:
        # Give listeners stored rows; a batch of call records (autoflush off) flushes once.
        session.flush()
    moved = Transition(row, conversation, handoff)
    for listener in _listeners:
        listener(session, moved)
    return row
