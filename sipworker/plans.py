"""Turn the shared decision code's HandoffPlan into what the SIP side executes."""

from handoff import sip_uri
from handoff.decision import SIP_BYE, SIP_INVITE, HandoffPlan
from sipworker.steps import Execute

# Twilio's own URI parameter for SRTP; a SIP peer is told by the transport and the SDP.
_TWILIO_ONLY = ("secure=true",)


def invite_target(plan: HandoffPlan) -> str:
    """Return the INVITE's Request-URI: the plan's URI without headers or Twilio parameters."""
    base = sip_uri.split_sip_uri(plan.sip_uri)[0]
    uri, *params = base.split(";")
    return ";".join([uri, *(p for p in params if p.lower() not in _TWILIO_ONLY)])


def execute_step(plan: HandoffPlan, utterance_wav: str | None) -> Execute:
    """Return the SIP actions for ``plan``; a target SIP cannot reach is marked unusable."""
    common = {
        "handoff_id": plan.handoff_id,
        "method": plan.method,
        "headers": tuple(plan.sip_headers),
        "utterance": plan.utterance,
        "utterance_wav": utterance_wav,
    }
    if plan.method == SIP_BYE:
        return Execute(**common)
    if plan.target != "sip" or not plan.sip_uri:
        why = f"The SIP worker cannot dial {plan.route or 'an empty route'}: it needs a SIP URI."
        return Execute(**common, unusable=why)
    if plan.method == SIP_INVITE:
        return Execute(
            **common,
            target=invite_target(plan),
            secure=plan.encryption == "tls_srtp",
            ring_timeout=float(plan.ring_timeout),
        )
    return Execute(**common, refer_to=plan.sip_uri)
