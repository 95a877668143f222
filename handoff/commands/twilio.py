"""`flask twilio invoke`: send a signed, Twilio-shaped webhook and print the TwiML."""

import secrets
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

import click
from flask import current_app
from flask.cli import AppGroup

from handoff.voice.emulator import call_params, parse_pairs, sign, with_query

twilio = AppGroup("twilio", help="Emulate Twilio's voice webhooks.")


@twilio.command("invoke")
@click.argument("url")
@click.option("-d", "--data", "pairs", multiple=True, help="Key=Value parameter (repeatable).")
@click.option("--sip", is_flag=True, help="Shape the call as one from a Twilio SIP Domain.")
@click.option("--env", default="", help="Add ?env=<name> (e.g. sandbox) to the URL.")
@click.option("--token", default="", help="I-Twilio-Idempotency-Token (random by default).")
@click.option("--auth-token", default="", help="Sign with this token, not TWILIO_AUTH_TOKEN.")
def invoke(url: str, pairs, sip: bool, env: str, token: str, auth_token: str) -> None:
    """POST a signed voice webhook to URL (http(s)://… or a path through the app) and print it."""
    try:
        overrides = parse_pairs(pairs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="-d") from exc
    config = current_app.config
    params = call_params(config.get("TWILIO_ACCOUNT_SID", ""), sip=sip, overrides=overrides)
    url = with_query(url, env=env)
    auth = auth_token or config.get("TWILIO_AUTH_TOKEN", "")
    if not auth:
        raise click.UsageError("Set TWILIO_AUTH_TOKEN (or --auth-token) to sign the request.")
    headers = {"I-Twilio-Idempotency-Token": token or secrets.token_hex(16)}
    if urlsplit(url).scheme in ("http", "https"):
        status, body = _send(url, params, auth, headers)
    else:
        status, body = _through_app(url, params, auth, headers)
    click.echo(f"HTTP {status}  CallSid={params['CallSid']}", err=True)
    click.echo(body)
    if status >= 400:
        raise SystemExit(1)


def _send(url: str, params: dict, auth: str, headers: dict) -> tuple[int, str]:
    data = urlencode(params).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("X-Twilio-Signature", sign(auth, url, params))
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _through_app(path: str, params: dict, auth: str, headers: dict) -> tuple[int, str]:
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost"
    signature = sign(auth, base.rstrip("/") + path, params)
    client = current_app.test_client()
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature, **headers})
    return response.status_code, response.get_data(as_text=True)
