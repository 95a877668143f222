"""Records of calls: conversations, transcript turns, handoffs and stored webhook replies."""

import logging
from dataclasses import asdict
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from handoff import states
from handoff.config import DestinationConfig, EnvironmentConfig
from handoff.decision import CallFacts, HandoffPlan
from handoff.transaction_memo import add_new, add_row, memo
from models import Conversation, Handoff, TranscriptTurn, WebhookReply, new_id, utcnow

log = logging.getLogger(__name__)
CALLER = "caller"
SERVICE = "service"
# Transaction memos: conversations by CallSid, and each conversation's turns so far.
CONVERSATIONS = "conversations"
TURNS = "turns"
# The hot path's queries, built once with their parameters bound at execution: building a
# select costs about 30 µs, more than SQLite takes to run one of these.
_CONVERSATION = select(Conversation).where(Conversation.call_sid == bindparam("sid"))
_CONVERSATIONS = select(Conversation).where(
    Conversation.call_sid.in_(bindparam("sids", expanding=True))
)
# Table columns, not ORM attributes: a Core query skips the ORM's per-query set-up.
_columns = Conversation.__table__.c
_GLANCE = select(_columns.id, _columns.environment, _columns.state).where(
    _columns.call_sid == bindparam("sid")
)
_TURNS = (
    select(TranscriptTurn.speaker, TranscriptTurn.kind, TranscriptTurn.text)
    .where(TranscriptTurn.conversation_id == bindparam("conversation_id"))
    .order_by(TranscriptTurn.position, TranscriptTurn.id)
)
_REPLY_KEYS = WebhookReply.token.in_(bindparam("keys", expanding=True))
_REPLY = select(WebhookReply.body).where(_REPLY_KEYS).limit(1)
_STORED_KEYS = select(WebhookReply.token).where(_REPLY_KEYS)


def conversation_for(session: Session, call_sid: str) -> Conversation | None:
    """Return the conversation of ``call_sid``, if one exists."""
    if not call_sid:
        return None
    known = memo(session, CONVERSATIONS)
    if call_sid not in known:
        known[call_sid] = session.scalar(_CONVERSATION, {"sid": call_sid})
    return known[call_sid]


class Glance(NamedTuple):
    """What deciding a call needs of its conversation, without loading the ORM object."""

    id: str
    environment: str
    state: dict


def assume_no_conversation(session: Session, call_sid: str) -> None:
    """Take the call to have no conversation yet, for the rest of the transaction."""
    if call_sid:
        # Safe to guess: if it has one, opening another breaks the unique call_sid at the commit.
        memo(session, CONVERSATIONS).setdefault(call_sid, None)


def glance(session: Session, call_sid: str) -> Glance | None:
    """Return the id, environment and state of the call's conversation, if one exists."""
    if not call_sid:
        return None
    known = memo(session, CONVERSATIONS).get(call_sid)
    if known is not None:
        return Glance(known.id, known.environment, known.state or {})
    row = session.execute(_GLANCE, {"sid": call_sid}).first()
    return Glance(row[0], row[1], row[2] or {}) if row is not None else None


def remember_conversations(session: Session, call_sids) -> None:
    """Read many calls' conversations in one query, for the rest of the transaction."""
    known = memo(session, CONVERSATIONS)
    wanted = {sid for sid in call_sids if sid and sid not in known}
    if not wanted:
        return
    for conversation in session.scalars(_CONVERSATIONS, {"sids": list(wanted)}):
        known[conversation.call_sid] = conversation
    for sid in wanted:
        # Known to have none: the first webhook of the call will open it.
        known.setdefault(sid, None)


def open_conversation(
    session: Session, config: EnvironmentConfig, facts: CallFacts
) -> Conversation:
    """Return the call's conversation, creating it on the first webhook.

    :raises IntegrityError: when a concurrent retry created it first (the caller replays).
    """
    conversation = conversation_for(session, facts.call_sid)
    if conversation is not None:
        return conversation
    conversation = add_new(
        session,
        Conversation,
        # The id is set here, not at flush, so the row can wait for the request's one flush;
        # a webhook's id is derived from the call, so retries in any process agree on it.
        id=facts.conversation_id or new_id("cv"),
        environment=config.environment,
        config_version=config.version,
        call_sid=facts.call_sid or None,
        account_sid=facts.account_sid,
        channel=facts.channel,
        caller=facts.caller[:255],
        caller_name=facts.caller_name[:255],
        called=facts.called[:255],
        sip_headers=dict(facts.sip_headers),
        state={},
        status=states.AUTOMATED,
        # Set now, not at flush: the handoff context may quote it before anything is flushed.
        started_at=utcnow(),
    )
    if conversation.call_sid:
        memo(session, CONVERSATIONS)[conversation.call_sid] = conversation
    # New in this transaction: it has no stored turns to read.
    memo(session, TURNS)[conversation.id] = []
    return conversation


def add_turn(session: Session, conversation: Conversation, speaker: str, kind: str, text: str):
    """Append one transcript turn (what the caller or the service said); inserted at commit."""
    if not text:
        return None
    turns = turns_so_far(session, conversation)
    turn = {"speaker": speaker, "kind": kind, "text": text}
    row = {"conversation_id": conversation.id, "position": len(turns), "at": utcnow(), **turn}
    add_row(session, TranscriptTurn.__table__, row)
    turns.append(turn)


def turns_so_far(session: Session, conversation: Conversation) -> list[dict]:
    """Return the conversation's turns, read once per transaction and kept up to date after."""
    known = memo(session, TURNS)
    turns = known.get(conversation.id)
    if turns is None:
        # A conversation created in this transaction has nothing stored to read.
        turns = [] if conversation in session.new else stored_turns(session, conversation.id)
        known[conversation.id] = turns
    return turns


def stored_turns(session: Session, conversation_id: str) -> list[dict]:
    """Return the conversation's stored turns, oldest first."""
    rows = session.execute(_TURNS, {"conversation_id": conversation_id})
    return [{"speaker": speaker, "kind": kind, "text": text} for speaker, kind, text in rows]


def record_handoff(
    session: Session,
    conversation: Conversation,
    config: EnvironmentConfig,
    facts: CallFacts,
    plan: HandoffPlan,
    step: str,
    previous_id: str | None = None,
) -> Handoff:
    """Store the handoff with its context and move the conversation to handoff_initiated."""
    destination = plan.destination
    # Stored with the state row from transition(): one flush for the whole handoff.
    row = add_new(
        session,
        Handoff,
        id=plan.handoff_id or new_id("ho"),
        conversation_id=conversation.id,
        step=step,
        shared_id=facts.call_sid or None,
        previous_id=previous_id,
        destination_id=destination.id if destination else None,
        destination_name=destination.name if destination else "",
        destination=stored_destination(config, destination) if destination else {},
        requested_method=plan.requested_method,
        method=plan.method,
        route=plan.route[:255],
        uri=plan.sip_uri or plan.number,
        encryption=plan.encryption,
        sip_headers=[{"name": n, "value": v} for n, v in plan.sip_headers],
        reason=plan.reason,
        utterance=plan.utterance[:500],
        warnings=[{"code": c, "message": m} for c, m in plan.warnings],
        state=states.HANDOFF_INITIATED,
    )
    row.context = handoff_context(session, conversation, config, facts, plan, row)
    detail = f"{plan.method} to {row.destination_name or 'no destination'}"
    if plan.substituted:
        detail += f" (substituted for {plan.requested_method})"
    states.transition(session, conversation, states.HANDOFF_INITIATED, handoff=row, detail=detail)
    log.info(
        "call %s: handoff %s %s, reason %s, warnings %s",
        facts.call_sid,
        row.id,
        detail,
        plan.reason,
        ",".join(plan.warning_codes) or "-",
    )
    return row


def handoff_context(session, conversation, config, facts, plan, row) -> dict:
    """Return what /v1/handoff_state serves for this handoff."""
    variables = facts.variables(config.environment, plan.reason, row.destination_name)
    return {
        "handoff_id": row.id,
        "conversation_id": conversation.id,
        "reason": plan.reason,
        "utterance": plan.utterance,
        "destination": destination_summary(plan),
        "sip_headers": [{"name": n, "value": v} for n, v in plan.sip_headers],
        "caller": {"from": facts.caller, "to": facts.called, "caller_name": facts.caller_name},
        "inbound_sip_headers": dict(facts.sip_headers),
        "variables": {k: v for k, v in variables.items() if isinstance(v, str | int | float)},
        "state": dict(conversation.state or {}),
        "transcript": transcript(session, conversation),
        "environment": config.environment,
        "config_version": config.version,
        "warnings": [{"code": c, "message": m} for c, m in plan.warnings],
        "substituted": plan.substituted,
        "call_sid": facts.call_sid,
        "started_at": conversation.started_at.isoformat() if conversation.started_at else None,
        "handoff_at": utcnow().isoformat(),
    }


def stored_destination(config: EnvironmentConfig, destination: DestinationConfig) -> dict:
    """Return the destination as its handoff stores it, built once per snapshot (read-only)."""
    if config.destination(destination.id) is not destination:
        # Made for this call (a function's transfer_call): nothing to share.
        return asdict(destination)
    rows = config.derived("stored_destinations", lambda _: {})
    if destination.id not in rows:
        rows[destination.id] = asdict(destination)
    return rows[destination.id]


def destination_summary(plan: HandoffPlan) -> dict:
    """Return the destination as the receiving side sees it: name, method, route, URI."""
    destination = plan.destination
    return {
        "id": destination.id if destination else None,
        "name": destination.name if destination else "",
        "method": plan.method,
        "requested_method": plan.requested_method,
        "route": plan.route,
        "uri": plan.sip_uri or plan.number,
    }


def transcript(session: Session, conversation: Conversation) -> list[dict]:
    """Return the conversation's turns so far, oldest first."""
    return [dict(turn) for turn in turns_so_far(session, conversation)]


def record_unrouted(session: Session, conversation: Conversation, reason: str) -> None:
    """Mark a call nobody could take as unrouted."""
    states.transition(session, conversation, states.UNROUTED, detail=reason)


def end_conversation(
    session: Session, conversation: Conversation, call_status: str, source: str = "twilio"
) -> None:
    """Record that the call is over (once); ``source`` says who reported it (twilio, sip)."""
    if conversation.ended_at is not None:
        return
    conversation.ended_at = utcnow()
    states.transition(session, conversation, states.ENDED, detail=call_status, source=source)


def tried_destinations(session: Session, conversation: Conversation) -> frozenset[int]:
    """Return the destinations this conversation was already handed to."""
    ids = session.scalars(
        select(Handoff.destination_id).where(Handoff.conversation_id == conversation.id)
    )
    return frozenset(i for i in ids if i is not None)


def stored_reply(session: Session, keys: tuple[str, ...]) -> str | None:
    """Return the TwiML already answered to this request, if any."""
    if not keys:
        return None
    # One query for both keys: this runs before every webhook.
    return session.scalar(_REPLY, {"keys": list(keys)})


def store_reply(session: Session, keys: tuple[str, ...], call_sid: str, body: str) -> None:
    """Keep the TwiML answered, so a retry gets the same answer (inserted at the commit)."""
    if not keys:
        return
    # Under the first key only: a retry repeats both the step and Twilio's token, so with a
    # CallSid the token finds nothing the step does not; it is the key when there is none.
    row = {
        "token": keys[0][:255],
        "call_sid": call_sid or None,
        "body": body,
        "created_at": utcnow(),
    }
    add_row(session, WebhookReply.__table__, row)


def stored_keys(session: Session, keys: list[str]) -> set[str]:
    """Return which of ``keys`` a reply is stored under already (by any process)."""
    return set(session.scalars(_STORED_KEYS, {"keys": keys})) if keys else set()
