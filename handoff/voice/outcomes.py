"""The outcome of a transfer (/voice/dial-status, /voice/refer-status) and the fallback chain."""

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

import twiml
from handoff import calls, states
from handoff.config_cache import ConfigCache
from handoff.decision import decide_failover
from handoff.voice.carry import carry_out, render
from handoff.voice.steps import load
from handoff.voice.webhook import Webhook, facts_from
from models import Handoff, new_id

log = logging.getLogger(__name__)
DIAL_CONNECTED = ("completed", "answered")
REFER_CONNECTED = ("in-progress", "completed")
TRANSFER_FAILED = "transfer_failed"


@dataclass(frozen=True)
class Outcome:
    """Whether the transfer connected, with the SIP code and a readable detail."""

    connected: bool
    sip_code: int | None
    detail: str


def _code(params: dict, name: str) -> int | None:
    try:
        return int(params.get(name, ""))
    except ValueError:
        return None


def dial_outcome(params: dict) -> Outcome:
    """Read DialCallStatus and DialSipResponseCode."""
    status = params.get("DialCallStatus", "")
    code = _code(params, "DialSipResponseCode")
    connected = status in DIAL_CONNECTED and (code is None or code < 300)
    return Outcome(connected, code, f"DialCallStatus={status or '?'}")


def refer_outcome(params: dict) -> Outcome:
    """Read ReferCallStatus, ReferSipResponseCode and NotifySipResponseCode."""
    status = params.get("ReferCallStatus", "")
    refer_code = _code(params, "ReferSipResponseCode")
    notify_code = _code(params, "NotifySipResponseCode")
    # NOTIFY carries the target's answer to the new INVITE; the REFER code only says accepted.
    code = notify_code if notify_code is not None else refer_code
    failed = status == "failed" or any(c is not None and c >= 300 for c in (refer_code, code))
    accepted = status in REFER_CONNECTED or (code is not None and 200 <= code < 300)
    return Outcome(accepted and not failed, code, f"ReferCallStatus={status or '?'}")


def dial_status(session: Session, cache: ConfigCache, webhook: Webhook) -> str:
    """/voice/dial-status: the bridged <Dial> ended or failed."""
    return _settle(session, cache, webhook, dial_outcome(webhook.params))


def refer_status(session: Session, cache: ConfigCache, webhook: Webhook) -> str:
    """/voice/refer-status: the <Refer> was accepted and completed, or failed."""
    return _settle(session, cache, webhook, refer_outcome(webhook.params))


def _settle(session: Session, cache: ConfigCache, webhook: Webhook, outcome: Outcome) -> str:
    handoff = session.get(Handoff, webhook.query.get("handoff", ""))
    conversation = calls.conversation_for(session, webhook.call_sid)
    if handoff is None or conversation is None or handoff.conversation_id != conversation.id:
        log.warning("call %s: outcome for unknown handoff %s", webhook.call_sid, webhook.query)
        return _unrecorded(session, cache, webhook, outcome)
    state = states.HANDOFF_COMPLETED if outcome.connected else states.HANDOFF_FAILED
    states.transition(
        session,
        conversation,
        state,
        handoff=handoff,
        detail=outcome.detail,
        sip_code=outcome.sip_code,
        source="twilio",
    )
    if outcome.connected:
        return twiml.hangup().to_xml()
    return _fail_over(session, cache, webhook, conversation, handoff)


def _unrecorded(session, cache, webhook, outcome: Outcome) -> str:
    """Answer for a handoff made while the database was down: hang up, or try the default."""
    if outcome.connected:
        return twiml.hangup().to_xml()
    config = load(session, cache, webhook)
    facts = facts_from(webhook, handoff_id=new_id("ho"))
    tried = frozenset({webhook.query_int("destination", 0)})
    decision = decide_failover(config, facts, None, TRANSFER_FAILED, tried)
    return render(config, decision, webhook.base_url)


def _fail_over(session, cache, webhook, conversation, handoff) -> str:
    """Try the failed destination's fallback, then the default, each once; else apologise."""
    config = load(session, cache, webhook, conversation.environment)
    facts = facts_from(
        webhook,
        conversation_id=conversation.id,
        handoff_id=new_id("ho"),
        state=dict(conversation.state or {}),
    )
    failed = config.destination(handoff.destination_id)
    tried = calls.tried_destinations(session, conversation)
    decision = decide_failover(config, facts, failed, handoff.reason or TRANSFER_FAILED, tried)
    step = f"fallback:{handoff.id}"
    return carry_out(
        session, conversation, config, facts, decision, step, webhook.base_url, handoff.id
    )
