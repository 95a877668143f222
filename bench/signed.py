"""A pool of realistic, signed Twilio webhook requests, for wrk (Lua) or locust (JSON)."""

import json
import secrets
import urllib.request
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

import twiml
from bench.seed import CALLED, ENVIRONMENT

AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://bench.handoff.test"
ACCOUNT_SID = "AC" + "0" * 32


def call_params(call_sid: str, caller: str) -> dict:
    """Return the form Twilio posts to the Voice URL when a PSTN call comes in."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Called": CALLED,
        "CalledCountry": "US",
        "Caller": caller,
        "CallerName": "Ada Lovelace",
        "Direction": "inbound",
        "From": caller,
        "FromCountry": "US",
        "To": CALLED,
        "ToCountry": "US",
    }


def gather_params(call_sid: str, caller: str, phrase: str) -> dict:
    """Return the form Twilio posts to a `<Gather action>` after the caller spoke."""
    return {
        **call_params(call_sid, caller),
        "CallStatus": "in-progress",
        "SpeechResult": phrase,
        "Confidence": "0.92",
    }


def greeting_action(path: str) -> str:
    """Return ``path`` with the query a greeting's <Gather action> gives it (a turn of its own)."""
    query = {"env": ENVIRONMENT, "attempt": 1, "turn": secrets.token_hex(6), twiml.FRESH: "1"}
    return f"{path}?{urlencode(query)}"


def signed_requests(path: str, count: int, phrase: str | None = None) -> list[dict]:
    """Return ``count`` requests to ``path``, each with its own CallSid and signature.

    With a ``phrase`` they answer the greeting, so they go where its <Gather> sends them.
    """
    validator = RequestValidator(AUTH_TOKEN)
    requests = []
    for i in range(count):
        call_sid = "CA" + secrets.token_hex(16)
        caller = f"+1415{i % 10_000_000:07d}"
        params = (
            call_params(call_sid, caller)
            if phrase is None
            else gather_params(call_sid, caller, phrase)
        )
        where = path if phrase is None else greeting_action(path)
        requests.append(
            {
                "path": where,
                "signature": validator.compute_signature(PUBLIC_BASE_URL + where, params),
                "token": secrets.token_hex(16),
                "body": urlencode(params),
            }
        )
    return requests


def webhook_headers(request: dict, token: str = "") -> dict[str, str]:
    """Return the headers Twilio sends with a pooled request (``token``: another one)."""
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": request["signature"],
        "I-Twilio-Idempotency-Token": token or request["token"],
    }


def webhook_request(base_url: str, request: dict, token: str = "") -> urllib.request.Request:
    """Return a pooled request as Twilio would POST it to ``base_url`` (``token``: another)."""
    return urllib.request.Request(
        base_url + request["path"],
        data=request["body"].encode(),
        headers=webhook_headers(request, token),
    )


def write_lua_pool(requests: list[dict], filename: str) -> None:
    """Write the requests as a Lua table that bench/wrk.lua loads with dofile()."""
    # Bodies are URL-encoded and signatures base64: neither holds a quote or a backslash.
    with open(filename, "w", encoding="ascii") as out:
        out.write("return {\n")
        for r in requests:
            out.write(
                f'{{path="{r["path"]}",signature="{r["signature"]}",'
                f'token="{r["token"]}",body="{r["body"]}"}},\n'
            )
        out.write("}\n")


def write_json_pool(requests: list[dict], filename: str) -> None:
    """Write the requests as a JSON list that bench/locust_run.py reads."""
    with open(filename, "w", encoding="ascii") as out:
        json.dump(requests, out)
