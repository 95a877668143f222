"""The full picture of one conversation: transcript, metrics, handoff and its states."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.conversations import summary
from handoff.timefmt import iso
from models import Conversation, Handoff, HandoffState, Metric


def state_rows(session: Session, conversation_id: str) -> list[HandoffState]:
    """Return a conversation's state transitions in the order they happened."""
    query = (
        select(HandoffState)
        .where(HandoffState.conversation_id == conversation_id)
        .order_by(HandoffState.id)
    )
    return list(session.scalars(query))


def state_dict(row: HandoffState) -> dict:
    """Return the API form of one transition."""
    return {
        "id": row.id,
        "state": row.state,
        "at": iso(row.at),
        "detail": row.detail,
        "sip_code": row.sip_code,
        "source": row.source,
        "handoff_id": row.handoff_id,
    }


def metric_dicts(session: Session, conversation_id: str) -> list[dict]:
    """Return a conversation's metrics in the order they were written."""
    query = select(Metric).where(Metric.conversation_id == conversation_id).order_by(Metric.id)
    return [{"name": m.name, "value": m.value, "at": iso(m.at)} for m in session.scalars(query)]


def handoff_dict(handoff: Handoff, states: list[dict] | None = None) -> dict:
    """Return the API form of a handoff, with the conversation's state timeline if given."""
    result = {
        "id": handoff.id,
        "shared_id": handoff.shared_id,
        "destination": handoff.destination_name,
        "reason": handoff.reason,
        "utterance": handoff.utterance,
        "method": handoff.method,
        "requested_method": handoff.requested_method,
        "route": handoff.route,
        "sip_headers": handoff.sip_headers,
        "warnings": handoff.warnings,
        "state": handoff.state,
        "created_at": iso(handoff.created_at),
    }
    if states is not None:
        result["states"] = states
    return result


def conversation_detail(session: Session, conversation: Conversation) -> dict:
    """Return everything the Conversations API tells about one call."""
    states = [state_dict(row) for row in state_rows(session, conversation.id)]
    latest = conversation.handoffs[-1] if conversation.handoffs else None
    detail = summary(conversation)
    detail.update(
        account_sid=conversation.account_sid,
        sip_headers=conversation.sip_headers,
        variables=conversation.state,
        transcript=[
            {"speaker": t.speaker, "kind": t.kind, "text": t.text, "at": iso(t.at)}
            for t in conversation.turns
        ],
        metrics=metric_dicts(session, conversation.id),
        states=states,
        handoff=handoff_dict(latest, states) if latest else None,
        handoffs=[handoff_dict(h) for h in conversation.handoffs],
    )
    return detail
