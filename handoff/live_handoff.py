"""Hand off a live Twilio call on request (an external AI agent): same plan, same TwiML."""

from sqlalchemy.orm import Session

import twiml
from handoff import calls
from handoff.config_rows import load_environment_config
from handoff.decision import CallFacts, HandoffPlan
from handoff.environments import get_environment
from handoff.errors import ValidationFailed
from handoff.functions.conv import Conv, MissingHandoff
from handoff.twilio_rest import make_client, redirect_call
from models import Conversation, new_id


class InvalidLiveHandoff(ValidationFailed):
    """The request cannot become a handoff; ``errors`` names each bad field."""


def conversation_of(session: Session, call_sid: str, environment: str) -> Conversation:
    """Return the call's conversation, opening one for a call the webhooks never saw."""
    conversation = calls.conversation_for(session, call_sid)
    if conversation is None:
        conversation = Conversation(environment=environment, call_sid=call_sid, state={})
        session.add(conversation)
        session.flush()
    return conversation


def facts_of(conversation: Conversation) -> CallFacts:
    """Return the facts of a recorded call, with a fresh handoff id."""
    return CallFacts(
        call_sid=conversation.call_sid or "",
        account_sid=conversation.account_sid or "",
        caller=conversation.caller,
        called=conversation.called,
        caller_name=conversation.caller_name,
        channel=conversation.channel,
        sip_headers=dict(conversation.sip_headers or {}),
        conversation_id=conversation.id,
        handoff_id=new_id("ho"),
        state=dict(conversation.state or {}),
    )


def plan_for(conv: Conv, request: dict) -> HandoffPlan:
    """Plan the requested handoff: a configured destination, or a route and method.

    :raises InvalidLiveHandoff: for an unknown destination or an unusable route.
    """
    headers = {h["name"]: h["value"] for h in request.get("sip_headers") or []}
    common = {k: request.get(k) for k in ("reason", "utterance")}
    try:
        if request.get("destination"):
            plan = conv.call_handoff(request["destination"], sip_headers=headers, **common)
        else:
            plan = conv.transfer_call(
                request["route"],
                request["method"],
                sip_headers=headers,
                encryption=request.get("encryption") or "tls_srtp",
                **common,
            )
    except MissingHandoff as exc:
        raise InvalidLiveHandoff({"destination": [str(exc)]}) from exc
    if not plan.routable:
        field = "destination" if request.get("destination") else "route"
        raise InvalidLiveHandoff({field: [m for _, m in plan.warnings] or ["Not routable."]})
    return plan


def live_handoff(session: Session, settings, base_url: str, call_sid: str, request: dict):
    """Record the handoff and redirect the live call to its TwiML; commit only on success.

    :raises InvalidLiveHandoff: for a bad request; twilio_rest errors as Twilio answers.
    """
    conversation = conversation_of(session, call_sid, request.get("environment") or "live")
    config = load_environment_config(session, get_environment(session, conversation.environment))
    facts = facts_of(conversation)
    plan = plan_for(Conv(config, facts, conversation.id, conversation.state), request)
    options = twiml.say_options(config.flow.language, config.flow.voice)
    xml = twiml.handoff(plan, base_url, env=config.environment, options=options).to_xml()
    previous = conversation.handoffs[-1].id if conversation.handoffs else None
    step = f"api:{len(conversation.handoffs) + 1}"
    row = calls.record_handoff(session, conversation, config, facts, plan, step, previous)
    try:
        call_status = redirect_call(make_client(settings), call_sid, xml)
    except Exception:
        session.rollback()
        raise
    session.commit()
    return {
        "handoff_id": row.id,
        "conversation_id": conversation.id,
        "call_sid": call_sid,
        "call_status": call_status,
        "destination": row.destination_name,
        "method": row.method,
        "reason": row.reason,
        "twiml": xml,
    }
