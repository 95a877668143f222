"""Answer webhooks from the last-known-good configuration when the database fails.

Nothing is recorded; the caller is still routed (DESIGN §3, /voice/fallback).
"""

import logging

import twiml
from handoff.config_cache import ConfigCache
from handoff.decision import (
    FUNCTION_ERROR,
    RunFunction,
    decide_call,
    decide_default,
    decide_failover,
    decide_gather,
)
from handoff.environments import LIVE
from handoff.voice.carry import render
from handoff.voice.outcomes import dial_outcome, refer_outcome
from handoff.voice.steps import EMPTY, FALLBACK_REASON
from handoff.voice.webhook import Webhook, facts_from
from models import new_id

log = logging.getLogger(__name__)
APOLOGY = "Sorry, we cannot take your call right now. Please call again later."


def answer(kind: str, cache: ConfigCache, webhook: Webhook) -> str:
    """Return routing TwiML for ``kind`` of webhook without touching the database."""
    if kind == "status":
        return EMPTY
    env = webhook.env or cache.number_environment(webhook.params.get("To", "")) or LIVE
    config = cache.last_known_good(env)
    if config is None:
        log.error("call %s: no last-known-good configuration for %s", webhook.call_sid, env)
        return twiml.apology(APOLOGY).to_xml()
    facts = facts_from(
        webhook, handoff_id=new_id("ho"), attempt=max(webhook.query_int("attempt", 1), 1)
    )
    decision = _decide(kind, config, facts, webhook)
    if isinstance(decision, RunFunction):
        decision = decide_default(config, facts, FUNCTION_ERROR)
    if decision is None:
        return twiml.hangup().to_xml()
    return render(config, decision, webhook.base_url)


def _decide(kind, config, facts, webhook):
    if kind == "call":
        return decide_call(config, facts)
    if kind == "gather":
        return decide_gather(config, facts)
    if kind in ("dial-status", "refer-status"):
        outcome = (dial_outcome if kind == "dial-status" else refer_outcome)(webhook.params)
        if outcome.connected:
            return None
        # Without the records only the default is tried, so the chain cannot loop.
        tried = frozenset({webhook.query_int("destination", 0)})
        return decide_failover(config, facts, None, "transfer_failed", tried)
    return decide_default(config, facts, FALLBACK_REASON)
