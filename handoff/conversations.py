"""Read conversations: filtered, cursor-paginated lists and the detail of one call."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from handoff.errors import NotFound, ValidationFailed
from handoff.timefmt import as_utc, iso, parse_iso
from models import Conversation, Handoff

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class ConversationNotFound(NotFound):
    """No conversation has this id."""


class BadCursor(ValidationFailed):
    """The pagination cursor was not produced by this API."""


@dataclass(frozen=True)
class ConversationFilter:
    """What a conversation list is narrowed to; None means "any"."""

    environment: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    handoff: bool | None = None
    reason: str | None = None
    destination: str | None = None
    state: str | None = None


def encode_cursor(conversation: Conversation) -> str:
    """Return an opaque cursor pointing just after ``conversation`` in the listing order."""
    raw = json.dumps([iso(conversation.started_at), conversation.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Return the (started_at, id) a cursor points after.

    :raises BadCursor: when the cursor is malformed.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        started, conversation_id = json.loads(base64.urlsafe_b64decode(padded))
        return parse_iso(started), str(conversation_id)
    except (ValueError, TypeError, AttributeError, binascii.Error) as exc:
        raise BadCursor({"cursor": ["Not a cursor from this API."]}) from exc


def _conditions(flt: ConversationFilter) -> list:
    """Return the SQL conditions for a filter."""
    conds = []
    if flt.environment:
        conds.append(Conversation.environment == flt.environment)
    if flt.started_after:
        conds.append(Conversation.started_at >= as_utc(flt.started_after))
    if flt.started_before:
        conds.append(Conversation.started_at < as_utc(flt.started_before))
    if flt.state:
        conds.append(Conversation.status == flt.state)
    handoff_match = [Handoff.conversation_id == Conversation.id]
    if flt.reason:
        handoff_match.append(Handoff.reason == flt.reason)
    if flt.destination:
        handoff_match.append(Handoff.destination_name == flt.destination)
    has_handoff = exists().where(*handoff_match)
    if flt.reason or flt.destination or flt.handoff:
        conds.append(has_handoff)
    elif flt.handoff is False:
        conds.append(~has_handoff)
    return conds


def list_conversations(
    session: Session, flt: ConversationFilter, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> tuple[list[Conversation], str | None]:
    """Return a page of conversations, newest first, and the cursor of the next page."""
    query = select(Conversation).where(*_conditions(flt))
    if cursor:
        started, conversation_id = decode_cursor(cursor)
        # (started_at, id) is unique, so paging never skips or repeats a row.
        query = query.where(
            or_(
                Conversation.started_at < started,
                and_(Conversation.started_at == started, Conversation.id < conversation_id),
            )
        )
    query = query.order_by(Conversation.started_at.desc(), Conversation.id.desc())
    rows = list(session.scalars(query.limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def get_conversation(session: Session, conversation_id: str) -> Conversation:
    """Return the conversation with this id.

    :raises ConversationNotFound: when there is none.
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise ConversationNotFound(f"No conversation {conversation_id!r}.")
    return conversation


def summary(conversation: Conversation) -> dict:
    """Return the listing form of a conversation."""
    latest = conversation.handoffs[-1] if conversation.handoffs else None
    return {
        "id": conversation.id,
        "environment": conversation.environment,
        "call_sid": conversation.call_sid,
        "channel": conversation.channel,
        "caller": conversation.caller,
        "caller_name": conversation.caller_name,
        "called": conversation.called,
        "state": conversation.status,
        "started_at": iso(conversation.started_at),
        "ended_at": iso(conversation.ended_at),
        "handoff": _handoff_brief(latest),
    }


def _handoff_brief(handoff: Handoff | None) -> dict | None:
    if handoff is None:
        return None
    return {
        "id": handoff.id,
        "destination": handoff.destination_name,
        "reason": handoff.reason,
        "method": handoff.method,
        "state": handoff.state,
    }
