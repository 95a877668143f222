"""Drive a server with wrk and read back its figures; probe one request beforehand."""

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"


class ProbeError(RuntimeError):
    """A contender did not answer a signed request with TwiML."""


@dataclass(frozen=True)
class Result:
    """What one wrk run measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def wrk_binary() -> str:
    """Return the path of wrk, or explain how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    return path


def run_wrk(url: str, pool_file: Path, connections: int, duration: int) -> Result:
    """Run wrk against ``url`` with ``connections`` connections for ``duration`` seconds."""
    threads = min(2, connections)
    command = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    command += ["--timeout", "15s", "-s", str(WRK_SCRIPT), url]
    env = {**os.environ, "BENCH_POOL": str(pool_file)}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    errors = sum(figures[k] for k in figures if k.endswith("_errors") or k == "timeouts")
    # Connect errors alone (sockets refused at 128 connections) are counted, not hidden.
    return Result(
        rps=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=errors,
    )


def probe(url: str, request: dict) -> str:
    """POST one pooled request and return the TwiML; fail loudly on anything but 200 XML."""
    req = urllib.request.Request(
        url + request["path"],
        data=request["body"].encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": request["signature"],
            "I-Twilio-Idempotency-Token": "probe-" + request["token"],
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            body = response.read().decode()
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise ProbeError(f"{request['path']}: HTTP {exc.code}: {exc.read()[:200]!r}") from exc
    if "xml" not in content_type or "<Response" not in body:
        raise ProbeError(f"{request['path']}: not TwiML ({content_type}): {body[:200]}")
    return body
