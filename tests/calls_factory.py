"""Build conversations, handoffs and transitions directly, for the context API tests."""

from datetime import UTC, datetime, timedelta

from handoff import states
from models import Conversation, Handoff, TranscriptTurn, db

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def conversation(minutes: int = 0, environment: str = "sandbox", **fields) -> Conversation:
    """Add a conversation started ``minutes`` after T0 (not committed)."""
    row = Conversation(
        environment=environment,
        call_sid=fields.pop("call_sid", None),
        caller=fields.pop("caller", "+14155550100"),
        called=fields.pop("called", "+14155550199"),
        started_at=T0 + timedelta(minutes=minutes),
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def handoff(conv: Conversation, destination: str = "Billing", reason: str = "billing", **fields):
    """Add a handoff to ``conv`` and move it to handoff_initiated (not committed)."""
    row = Handoff(
        conversation_id=conv.id,
        step=fields.pop("step", f"gather:{len(conv.handoffs) + 1}"),
        destination_name=destination,
        requested_method=fields.get("method", "sip_refer"),
        method=fields.pop("method", "sip_refer"),
        route=fields.pop("route", "sip:billing@pbx.example.com"),
        reason=reason,
        utterance=fields.pop("utterance", "Connecting you to billing."),
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    db.session.refresh(conv, ["handoffs"])
    states.transition(db.session, conv, states.HANDOFF_INITIATED, handoff=row)
    return row


def say(conv: Conversation, *turns: tuple[str, str]) -> None:
    """Add transcript turns ``(speaker, text)`` in order."""
    for position, (speaker, text) in enumerate(turns):
        db.session.add(
            TranscriptTurn(conversation_id=conv.id, position=position, speaker=speaker, text=text)
        )
    db.session.flush()
