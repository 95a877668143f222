"""States reported by external systems (a desk, a chat platform) after the handoff."""

import re

from sqlalchemy.orm import Session

from handoff import states
from handoff.errors import ValidationFailed
from models import Conversation, Handoff, HandoffState

STATE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Going back to before the handoff is the service's decision, never an outside report.
NOT_REPORTABLE = frozenset({states.AUTOMATED, states.UNROUTED})


class UnknownHandoff(ValidationFailed):
    """The reported handoff id does not belong to the conversation."""


def report_state(
    session: Session,
    conversation: Conversation,
    state: str,
    *,
    handoff_id: str | None = None,
    detail: str = "",
    sip_code: int | None = None,
    source: str = "api",
) -> HandoffState:
    """Record a state reported from outside through ``transition()`` and commit.

    :raises UnknownHandoff: when ``handoff_id`` is not one of the conversation's handoffs.
    """
    handoff = _pick_handoff(conversation, handoff_id)
    row = states.transition(
        session,
        conversation,
        state,
        handoff=handoff,
        detail=detail,
        sip_code=sip_code,
        source=source,
    )
    session.commit()
    return row


def _pick_handoff(conversation: Conversation, handoff_id: str | None) -> Handoff | None:
    """Return the named handoff, or the conversation's latest one."""
    if handoff_id is None:
        return conversation.handoffs[-1] if conversation.handoffs else None
    for handoff in conversation.handoffs:
        if handoff.id == handoff_id:
            return handoff
    raise UnknownHandoff({"handoff_id": [f"{handoff_id!r} is not a handoff of this call."]})
