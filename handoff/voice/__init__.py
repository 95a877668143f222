"""The Twilio voice webhooks as services: one entry point, never raising to Twilio."""

import hashlib
import logging

from sqlalchemy.orm import Session

from handoff import journal
from handoff.config_cache import ConfigCache
from handoff.recorder import Record, Recorder
from handoff.voice import degraded, outcomes, steps
from handoff.voice.carry import render
from handoff.voice.warm import warm_up
from handoff.voice.webhook import Webhook, reply_keys, stable_turn

log = logging.getLogger(__name__)
# Decided from memory and recorded behind the answer when a recorder is given.
PLANS = {"call": steps.plan_call, "gather": steps.plan_gather}
# Decided from the records themselves, so recorded before answering.
HANDLERS = {
    "dial-status": outcomes.dial_status,
    "refer-status": outcomes.refer_status,
    "status": steps.status,
    "fallback": steps.fallback,
}
KINDS = ("call", "gather", *HANDLERS)


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


def respond(
    kind: str,
    session: Session,
    cache: ConfigCache,
    webhook: Webhook,
    recorder: Recorder | None = None,
) -> str:
    """Answer one webhook with TwiML; when the database fails, from the last-known config."""
    step = step_of(kind, webhook)
    try:
        if kind in PLANS:
            return answer_planned(session, cache, webhook, kind, step, recorder)
        handler = HANDLERS[kind]
        return steps.answer(session, webhook, step, lambda s, w: handler(s, cache, w))
    except Exception:
        log.exception("call %s: /voice/%s failed; answering degraded", webhook.call_sid, kind)
        _rollback(session, webhook)
        return degraded.answer(kind, cache, webhook)


def answer_planned(session, cache, webhook, kind, step, recorder: Recorder | None) -> str:
    """Answer from memory and leave the records to ``recorder``; without one, record first."""
    keys = reply_keys(webhook, step)
    plan_for = PLANS[kind]
    if recorder is not None:
        body = recorder.replay(keys)
        if body is not None:
            return body
        if kind == "gather" and not webhook.fresh:
            # It reads its conversation; /voice/call reads nothing while the versions are fresh.
            steps.reading_only(session)
        plan = plan_for(session, cache, webhook)
        if not plan.records_first:
            turn = stable_turn(webhook, step)
            body = render(plan.config, plan.decision, webhook.base_url, turn, plan.fresh)
            entry = {"kind": kind, "keys": list(keys), "body": body, "webhook": webhook.values()}
            recorder.submit(Record(keys, webhook.call_sid, body, plan.write, entry))
            return body
        # A topic's function reads and writes the conversation: let it see every record,
        # in a transaction that begins after them.
        recorder.drain(timeout=2.0)
        session.rollback()
    elif webhook.call_sid:
        # Most requests come once: no read for a stored reply (nor, for a call, for its
        # conversation) before answering; a retry breaks a unique key at the commit instead.
        new_call = kind == "call"
        body = steps.answer_first(session, plan_for, cache, webhook, step, new_call)
        if body is not None:
            return body
    return steps.answer(
        session, webhook, step, lambda s, w: steps.carried_out(s, plan_for, cache, w, step)
    )


def adopt_orphans(recorder: Recorder, folder: str, cache: ConfigCache) -> int:
    """Queue what dead processes answered but never recorded; return how many records."""
    adopted = 0
    for path, entries in journal.orphans(folder):
        for entry in entries:
            recorder.submit(record_from(entry, cache))
        adopted += len(entries)
        path.unlink()
    if adopted:
        log.warning("took over %d unwritten call records from stopped processes", adopted)
    return adopted


def record_from(entry: dict, cache: ConfigCache) -> Record:
    """Return a journal entry as a record, decided again when it is written."""
    webhook = Webhook(**entry["webhook"])
    plan_for = PLANS[entry["kind"]]

    def write(session: Session):
        return plan_for(session, cache, webhook).write(session)

    return Record(tuple(entry["keys"]), webhook.call_sid, entry["body"], write, entry)


def _rollback(session: Session, webhook: Webhook) -> None:
    try:
        session.rollback()
    except Exception:
        log.exception("call %s: rollback failed too", webhook.call_sid)


__all__ = ["KINDS", "Webhook", "adopt_orphans", "respond", "step_of", "warm_up"]
