"""The Twilio voice webhooks as services: one entry point, never raising to Twilio."""

import hashlib
import logging

from sqlalchemy.orm import Session

from handoff.config_cache import ConfigCache
from handoff.voice import degraded, outcomes, steps
from handoff.voice.webhook import Webhook

log = logging.getLogger(__name__)
HANDLERS = {
    "call": steps.call,
    "gather": steps.gather,
    "dial-status": outcomes.dial_status,
    "refer-status": outcomes.refer_status,
    "status": steps.status,
    "fallback": steps.fallback,
}
KINDS = tuple(HANDLERS)


def step_of(kind: str, webhook: Webhook) -> str:
    """Return the step of the call this request answers (retries share it)."""
    if kind == "gather":
        return steps.gather_step(webhook)
    if kind in ("dial-status", "refer-status"):
        return f"outcome:{webhook.query.get('handoff', '')}"[:120]
    if kind == "status":
        return f"status:{webhook.params.get('CallStatus', '')}"[:120]
    if kind == "fallback":
        where = webhook.params.get("ErrorUrl", "")
        return f"fallback:{hashlib.sha256(where.encode()).hexdigest()[:16]}"
    return kind


def respond(kind: str, session: Session, cache: ConfigCache, webhook: Webhook) -> str:
    """Answer one webhook with TwiML; when the database fails, from the last-known config."""
    handler = HANDLERS[kind]
    try:
        return steps.answer(
            session, webhook, step_of(kind, webhook), lambda s, w: handler(s, cache, w)
        )
    except Exception:
        log.exception("call %s: /voice/%s failed; answering degraded", webhook.call_sid, kind)
        _rollback(session, webhook)
        return degraded.answer(kind, cache, webhook)


def _rollback(session: Session, webhook: Webhook) -> None:
    try:
        session.rollback()
    except Exception:
        log.exception("call %s: rollback failed too", webhook.call_sid)


__all__ = ["KINDS", "Webhook", "respond", "step_of"]
