"""Soft handoffs: recorded and announced to subscribers, while the call stays automated."""

from sqlalchemy import func, select

from handoff import states
from handoff.calls import transcript
from handoff.decision import Gather
from handoff.functions.conv import SoftHandoff
from handoff.timefmt import iso
from handoff.transaction_memo import add_new
from models import Handoff, utcnow

SOFT_METHOD = "soft_handoff"


def record_soft_handoff(session, conversation, config, facts, soft: SoftHandoff) -> Gather:
    """Store the soft handoff, move to ``soft_handoff``, and keep listening to the caller."""
    count = session.scalar(
        select(func.count()).select_from(Handoff).where(Handoff.conversation_id == conversation.id)
    )
    row = add_new(
        session,
        Handoff,
        id=soft.handoff_id,
        conversation_id=conversation.id,
        step=f"soft:{count + 1}",
        shared_id=facts.call_sid or None,
        requested_method=SOFT_METHOD,
        method=SOFT_METHOD,
        reason=soft.reason,
        utterance=soft.utterance,
        state=states.SOFT_HANDOFF,
    )
    row.context = soft_context(session, conversation, config, facts, soft)
    states.transition(session, conversation, states.SOFT_HANDOFF, handoff=row, detail=soft.reason)
    return Gather(prompt=soft.utterance or config.flow.reprompt, attempt=facts.attempt)


def soft_context(session, conversation, config, facts, soft: SoftHandoff) -> dict:
    """Return what /v1/handoff_state serves for a soft handoff."""
    return {
        "handoff_id": soft.handoff_id,
        "conversation_id": conversation.id,
        "reason": soft.reason,
        "utterance": soft.utterance,
        "destination": None,
        "sip_headers": [],
        "caller": {"from": facts.caller, "to": facts.called, "caller_name": facts.caller_name},
        "inbound_sip_headers": dict(facts.sip_headers),
        "state": dict(conversation.state or {}),
        "transcript": transcript(session, conversation),
        "environment": config.environment,
        "call_sid": facts.call_sid,
        "started_at": iso(conversation.started_at),
        "handoff_at": iso(utcnow()),
    }
