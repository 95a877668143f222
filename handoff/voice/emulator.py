"""Twilio-shaped webhook requests for local testing (`flask twilio invoke`)."""

import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from twilio.request_validator import RequestValidator

DEFAULT_FROM = "+15555550123"
DEFAULT_TO = "+15555550100"
SIP_DOMAIN = "handoff.sip.twilio.com"


def call_params(account_sid: str, sip: bool = False, overrides: dict | None = None) -> dict:
    """Return the standard voice webhook parameters of an inbound call (PSTN or SIP Domain)."""
    caller, called = DEFAULT_FROM, DEFAULT_TO
    params = {
        "CallSid": "CA" + secrets.token_hex(16),
        "AccountSid": account_sid or "AC" + "0" * 32,
        "From": caller,
        "To": called,
        "Caller": caller,
        "Called": called,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "CallerCountry": "US",
        "ToCountry": "US",
    }
    if sip:
        params.update(
            {
                "From": f"sip:{caller}@sbc.example.com",
                "Caller": f"sip:{caller}@sbc.example.com",
                "To": f"sip:{called}@{SIP_DOMAIN}",
                "Called": f"sip:{called}@{SIP_DOMAIN}",
                "SipCallId": f"{secrets.token_hex(8)}@sbc.example.com",
                "SipDomain": SIP_DOMAIN,
                "SipDomainSid": "SD" + "0" * 32,
                "SipSourceIp": "203.0.113.10",
                "SipHeader_X-Customer-Id": "demo-42",
            }
        )
        params.pop("CallerCountry")
        params.pop("ToCountry")
    params.update(overrides or {})
    return params


def parse_pairs(pairs) -> dict:
    """Return ``Key=Value`` strings as a dict.

    :raises ValueError: for an item without ``=``.
    """
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"expected Key=Value, got {pair!r}")
        result[key] = value
    return result


def with_query(url: str, **query) -> str:
    """Return ``url`` with ``query`` merged into its query string."""
    parts = urlsplit(url)
    merged = dict(parse_qsl(parts.query))
    merged.update({k: v for k, v in query.items() if v})
    return urlunsplit(parts._replace(query=urlencode(merged)))


def sign(auth_token: str, url: str, params: dict) -> str:
    """Return the X-Twilio-Signature Twilio would send for this URL and body."""
    return RequestValidator(auth_token).compute_signature(url, params)
