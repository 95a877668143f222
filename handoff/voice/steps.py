"""The voice webhooks as services: each answers one signed request with TwiML, idempotently."""

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff import calls
from handoff.config_cache import ConfigCache, environment_for_call
from handoff.decision import decide_call, decide_default, decide_gather
from handoff.voice.carry import carry_out
from handoff.voice.webhook import Webhook, facts_from, reply_keys
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
    """Return the call's configuration (one version query when cached)."""
    called = webhook.params.get("To", "")
    environment = environment_for_call(session, webhook.env or env_name, called)
    cache.remember_number(called, environment.name)
    return cache.get(session, environment)


def call(session: Session, cache: ConfigCache, webhook: Webhook) -> str:
    """/voice/call: greet and gather, or hand off at once."""
    config = load(session, cache, webhook)
    conversation = calls.open_conversation(session, config, facts_from(webhook))
    facts = facts_from(webhook, conversation_id=conversation.id, handoff_id=new_id("ho"))
    decision = decide_call(config, facts)
    return carry_out(session, conversation, config, facts, decision, "call", webhook.base_url)


def gather(session: Session, cache: ConfigCache, webhook: Webhook) -> str:
    """/voice/gather: match what the caller said or pressed, then hand off or ask again."""
    existing = calls.conversation_for(session, webhook.call_sid)
    config = load(session, cache, webhook, existing.environment if existing else "")
    conversation = existing or calls.open_conversation(session, config, facts_from(webhook))
    attempt = max(webhook.query_int("attempt", 1), 1)
    facts = facts_from(
        webhook,
        conversation_id=conversation.id,
        handoff_id=new_id("ho"),
        state=dict(conversation.state or {}),
        attempt=attempt,
    )
    calls.add_turn(session, conversation, calls.CALLER, "speech", facts.speech)
    calls.add_turn(session, conversation, calls.CALLER, "dtmf", facts.digits)
    decision = decide_gather(config, facts)
    step = gather_step(webhook)
    return carry_out(session, conversation, config, facts, decision, step, webhook.base_url)


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
