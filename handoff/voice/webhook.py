"""A Twilio voice webhook as plain values, and the call facts it carries."""

import hashlib
from dataclasses import dataclass, field

import twiml
from handoff.decision import PSTN, SIP, CallFacts
from models import new_id

SIP_HEADER_PREFIX = "SipHeader_"


@dataclass(frozen=True)
class Webhook:
    """One signed webhook request: its form parameters, query and idempotency token."""

    params: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    token: str = ""
    base_url: str = ""

    @property
    def call_sid(self) -> str:
        """Return the request's CallSid ('' when missing)."""
        return self.params.get("CallSid", "")

    @property
    def env(self) -> str:
        """Return the environment the URL asks for ('' when none)."""
        return self.query.get("env", "")

    @property
    def fresh(self) -> bool:
        """Return True when the signed URL says the conversation is as /voice/call opened it."""
        return self.query.get(twiml.FRESH) == "1"

    def values(self) -> dict:
        """Return the fields as a plain dict (shallow: ``dataclasses.asdict`` deep-copies)."""
        return dict(vars(self))

    def query_int(self, name: str, default: int) -> int:
        """Return a whole-number query parameter, ``default`` when missing or malformed."""
        try:
            return max(int(self.query.get(name, default)), 0)
        except (TypeError, ValueError):
            return default


def inbound_sip_headers(params: dict) -> dict[str, str]:
    """Return the caller's X- headers from Twilio's ``SipHeader_<name>`` parameters."""
    return {
        key[len(SIP_HEADER_PREFIX) :]: value
        for key, value in params.items()
        if key.startswith(SIP_HEADER_PREFIX) and len(key) > len(SIP_HEADER_PREFIX)
    }


def channel_of(params: dict) -> str:
    """Return 'sip' for calls through a Twilio SIP Domain, else 'pstn'."""
    sip = params.get("SipCallId") or params.get("SipDomain") or params.get("SipDomainSid")
    if sip or params.get("From", "").lower().startswith(("sip:", "sips:")):
        return SIP
    return PSTN


def facts_from(webhook: Webhook, **extra) -> CallFacts:
    """Return the call facts of ``webhook``; ``extra`` sets conversation, handoff id, attempt."""
    params = webhook.params
    return CallFacts(
        call_sid=params.get("CallSid", ""),
        account_sid=params.get("AccountSid", ""),
        caller=params.get("From", "") or params.get("Caller", ""),
        called=params.get("To", "") or params.get("Called", ""),
        caller_name=params.get("CallerName", ""),
        channel=channel_of(params),
        sip_headers=inbound_sip_headers(params),
        speech=params.get("SpeechResult", ""),
        digits=params.get("Digits", ""),
        **extra,
    )


def reply_keys(webhook: Webhook, step: str) -> tuple[str, ...]:
    """Return the keys that find a reply: the step of this call (stored under), Twilio's token."""
    keys = [f"{webhook.call_sid}:{step}"] if webhook.call_sid else []
    if webhook.token:
        keys.append(f"token:{webhook.token}")
    return tuple(keys)


def stable_id(prefix: str, call_sid: str, *parts: str) -> str:
    """Return the id a request and its retries share (derived from the call; random without)."""
    if not call_sid:
        return new_id(prefix)
    # The same shape as new_id(): retries in any process answer with the same ids.
    digest = hashlib.blake2b(":".join((call_sid, *parts)).encode(), digest_size=10)
    return f"{prefix}_{digest.hexdigest()}"


def stable_turn(webhook: Webhook, step: str) -> str:
    """Return the gather turn a step asks for next (the same on a retry)."""
    return stable_id("turn", webhook.call_sid, step)[5:17] if webhook.call_sid else ""
