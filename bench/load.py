"""What one load run measured; probe a contender first, and wait out its queued records."""

import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace

from sqlalchemy import create_engine, func, select

from bench.cpu import Spent
from bench.signed import webhook_request
from handoff.settings import database_url
from models import WebhookReply


class ProbeError(RuntimeError):
    """A contender did not answer a signed request with TwiML."""


@dataclass(frozen=True)
class Result:
    """What one load run measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    # Seconds the server still spent writing queued call records after the load stopped.
    settle_s: float = 0.0
    # Requests answered, and the CPU spent per request (None: not counted).
    requests: int = 0
    cpu: Spent | None = None
    # Requests beyond the pool: calls sent again, which Handoff answers as Twilio retries.
    repeated: int = 0


def probe(url: str, request: dict) -> str:
    """POST one pooled request and return the TwiML; fail loudly on anything but 200 XML."""
    req = webhook_request(url, request, token="probe-" + request["token"])
    try:
        body, content_type = _post_patiently(req)
    except urllib.error.HTTPError as exc:
        raise ProbeError(f"{request['path']}: HTTP {exc.code}: {exc.read()[:200]!r}") from exc
    if "xml" not in content_type or "<Response" not in body:
        raise ProbeError(f"{request['path']}: not TwiML ({content_type}): {body[:200]}")
    return body


def _post_patiently(req, attempts: int = 4) -> tuple[str, str]:
    """Return (body, content type); workers still booting on a busy machine get more time."""
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.read().decode(), response.headers.get("Content-Type", "")
        except (TimeoutError, urllib.error.URLError) as exc:
            if isinstance(exc, urllib.error.HTTPError) or attempt == attempts - 1:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def settled(result: Result, url: str, duration: int, quiet: float = 0.3) -> Result:
    """Return ``result`` with the time to write records left queued counted in its req/s.

    A write-behind server answers faster than it records; stored replies (one per answered
    request) stop growing once its queues are empty.
    """
    engine = create_engine(database_url(url, ""))
    count = select(func.count()).select_from(WebhookReply)
    started = last_change = time.monotonic()
    last = -1
    with engine.connect() as conn:
        while time.monotonic() - last_change < quiet:
            now = conn.execute(count).scalar()
            conn.rollback()
            if now != last:
                last, last_change = now, time.monotonic()
            time.sleep(0.02)
    engine.dispose()
    settle = max(last_change - started, 0.0)
    return replace(result, rps=result.rps * duration / (duration + settle), settle_s=settle)
