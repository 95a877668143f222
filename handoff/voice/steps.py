"""The voice webhooks as services: each answers one signed request with TwiML, idempotently."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from handoff import calls
from handoff.config import EnvironmentConfig
from handoff.config_cache import ConfigCache
from handoff.decision import Decision, RunFunction, decide_call, decide_default, decide_gather
from handoff.voice.carry import carry_out, record_decision, render
from handoff.voice.webhook import Webhook, facts_from, reply_keys, stable_id, stable_turn
from models import new_id

log = logging.getLogger(__name__)
FINAL_CALL_STATUSES = ("completed", "busy", "failed", "no-answer", "canceled")
FALLBACK_REASON = "service_fallback"
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def answer(session: Session, webhook: Webhook, step: str, handler) -> str:
    """Answer with ``handler``, once per (CallSid, step) and per idempotency token."""
    keys = reply_keys(webhook, step)
    for attempt in range(2):
        body = calls.stored_reply(session, keys)
        if body is not None:
            return body
        try:
            body = handler(session, webhook)
            calls.store_reply(session, keys, webhook.call_sid, body)
            session.commit()
            return body
        except IntegrityError:
            # A concurrent retry of the same request won; answer what it answered.
            session.rollback()
            log.info("call %s: concurrent %s, replaying (%d)", webhook.call_sid, step, attempt)
    body = calls.stored_reply(session, keys)
    if body is None:
        raise RuntimeError(f"no reply stored for {step} after a conflict")
    return body


def gather_step(webhook: Webhook) -> str:
    """Return the step a /voice/gather request answers: its attempt and turn."""
    attempt = max(webhook.query_int("attempt", 1), 1)
    return f"gather:{attempt}:{webhook.query.get('turn', '')}"[:120]


def load(session: Session, cache: ConfigCache, webhook: Webhook, env_name: str = ""):
    """Return the call's configuration (no query while the cached versions are fresh)."""
    return cache.for_call(session, webhook.env or env_name, webhook.params.get("To", ""))


@dataclass(frozen=True)
class Plan:
    """A webhook's decision, made from memory, and how to record it (``write``)."""

    config: EnvironmentConfig
    decision: Decision
    # Records the decision in a session and returns what was recorded (a function's own).
    write: Callable[[Session], Decision]
    # The conversation stays as /voice/call opened it, so the next gather need not read it.
    fresh: bool = False

    @property
    def records_first(self) -> bool:
        """Return True when the answer needs its records written first (a topic's function)."""
        return isinstance(self.decision, RunFunction)


def plan_call(session: Session, cache: ConfigCache, webhook: Webhook) -> Plan:
    """/voice/call: greet and gather, or hand off at once."""
    config = load(session, cache, webhook)
    facts = facts_from(
        webhook,
        conversation_id=stable_id("cv", webhook.call_sid),
        handoff_id=stable_id("ho", webhook.call_sid, "call"),
    )
    decision = decide_call(config, facts)

    def write(session: Session) -> Decision:
        conversation = calls.open_conversation(session, config, facts)
        return record_decision(session, conversation, config, facts, decision, "call")

    return Plan(config, decision, write, fresh=not isinstance(decision, RunFunction))


def plan_gather(session: Session, cache: ConfigCache, webhook: Webhook) -> Plan:
    """/voice/gather: match what the caller said or pressed, then hand off or ask again."""
    opened_id = stable_id("cv", webhook.call_sid)
    if webhook.fresh:
        # The signed URL says what a read would find: the derived id and no state.
        existing, known = calls.Glance(opened_id, webhook.env, {}), True
    else:
        existing, known = conversation_if_reachable(session, webhook.call_sid)
    config = load(session, cache, webhook, existing.environment if existing else "")
    step = gather_step(webhook)
    facts = facts_from(
        webhook,
        conversation_id=existing.id if existing else opened_id,
        handoff_id=stable_id("ho", webhook.call_sid, step),
        state=dict(existing.state or {}) if existing else {},
        attempt=max(webhook.query_int("attempt", 1), 1),
    )
    decision = decide_gather(config, facts)

    def write(session: Session) -> Decision:
        conversation = calls.open_conversation(session, config, facts)
        calls.add_turn(session, conversation, calls.CALLER, "speech", facts.speech)
        calls.add_turn(session, conversation, calls.CALLER, "dtmf", facts.digits)
        return record_decision(session, conversation, config, facts, decision, step)

    fresh = known and facts.conversation_id == opened_id and not facts.state
    return Plan(config, decision, write, fresh=fresh and not isinstance(decision, RunFunction))


def reading_only(session: Session) -> None:
    """Let the request's reads run without BEGIN and ROLLBACK (a round trip each on PostgreSQL)."""
    try:
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    except SQLAlchemyError:
        # The database is away: the reads that follow answer from memory.
        session.rollback()


def conversation_if_reachable(session: Session, call_sid: str) -> tuple[calls.Glance | None, bool]:
    """Return a glance at the call's conversation (None: it has none) and whether it was read."""
    try:
        return calls.glance(session, call_sid), True
    except SQLAlchemyError:
        # Route from memory; the records wait in the recorder until the database is back.
        log.warning("call %s: conversation unreadable; deciding without it", call_sid)
        session.rollback()
        return None, False


def carried_out(session: Session, plan_for, cache: ConfigCache, webhook: Webhook, step: str) -> str:
    """Plan, record the plan now, in the request's transaction, and return its TwiML."""
    return recorded(session, planned(session, plan_for, cache, webhook), webhook, step)


def answer_first(
    session: Session, plan_for, cache: ConfigCache, webhook: Webhook, step: str, new_call: bool
) -> str | None:
    """Answer a request as new; return None if it was not new, or if its plan runs a function."""
    # No read for a stored reply first (with ``new_call``, nor for a conversation): a retry
    # of a recorded request, or a call that had one, breaks a unique key at the commit, and
    # the caller then answers with answer(), which reads first.
    plan = planned(session, plan_for, cache, webhook, new_call)
    if plan.records_first:
        # A function may act outside the database: it must not run again for a retry.
        session.rollback()
        return None
    try:
        body = recorded(session, plan, webhook, step)
        calls.store_reply(session, reply_keys(webhook, step), webhook.call_sid, body)
        session.commit()
        return body
    except IntegrityError:
        session.rollback()
        log.info("call %s: %s was answered before; replaying", webhook.call_sid, step)
        return None


def planned(
    session: Session, plan_for, cache: ConfigCache, webhook: Webhook, new_call: bool = False
) -> Plan:
    """Return the plan, with the call's conversation read (or, for a new call, known absent)."""
    if new_call:
        calls.assume_no_conversation(session, webhook.call_sid)
    else:
        # Loaded once for both: the plan glances at the conversation the records then update.
        calls.conversation_for(session, webhook.call_sid)
    return plan_for(session, cache, webhook)


def recorded(session: Session, plan: Plan, webhook: Webhook, step: str) -> str:
    """Record ``plan`` in the request's transaction (rows go in at the commit); return its TwiML."""
    with session.no_autoflush:
        # Written as the recorder writes it behind the answer.
        decision = plan.write(session)
    turn = stable_turn(webhook, step)
    return render(plan.config, decision, webhook.base_url, turn=turn, fresh=plan.fresh)


def status(session: Session, cache: ConfigCache, webhook: Webhook) -> str:
    """/voice/status: record the end of the call."""
    call_status = webhook.params.get("CallStatus", "")
    conversation = calls.conversation_for(session, webhook.call_sid)
    if conversation is not None and call_status in FINAL_CALL_STATUSES:
        calls.end_conversation(session, conversation, call_status)
    return EMPTY


def fallback(session: Session, cache: ConfigCache, webhook: Webhook) -> str:
    """/voice/fallback: Twilio could not use the main answer; hand off to the default."""
    log.warning(
        "call %s: Twilio used the fallback URL (error %s at %s)",
        webhook.call_sid,
        webhook.params.get("ErrorCode", "?"),
        webhook.params.get("ErrorUrl", "?"),
    )
    config = load(session, cache, webhook)
    conversation = calls.open_conversation(session, config, facts_from(webhook))
    facts = facts_from(webhook, conversation_id=conversation.id, handoff_id=new_id("ho"))
    decision = decide_default(config, facts, FALLBACK_REASON)
    step = f"fallback:{new_id('fb')}"
    return carry_out(session, conversation, config, facts, decision, step, webhook.base_url)
