"""`make bench-serve` leaves the contenders up, with pools any load generator can send."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from bench.signed import webhook_request

ROOT = Path(__file__).resolve().parent.parent
LABELS = ["(a) static", "(f) floor", "(b) lookup", "handoff", "handoff wb"]


def served(out_dir: Path) -> tuple[subprocess.Popen, str]:
    """Start `bench.serve` and return it with what it printed once ready."""
    command = [sys.executable, "-m", "bench.serve", "--pool", "40", "--warmup", "0"]
    process = subprocess.Popen(
        command + ["--out", str(out_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = []
    for line in process.stdout:
        out.append(line)
        if line.startswith("Ready"):
            break
    return process, "".join(out)


def call_sids(pool_file: str) -> set[str]:
    return {parse_qs(r["body"])["CallSid"][0] for r in json.loads(Path(pool_file).read_text())}


def wrk_figures(out: str) -> dict:
    """Run the wrk command printed in ``out``, for 1 s at 2 connections; return its figures."""
    printed = re.search(r"BENCH_POOL=(\S+) BENCH_THREADS=2 \\\n\s+wrk (.+) (http\S+)\n", out)
    assert printed, out
    pool, options, url = printed.groups()
    options = options.replace("-c32", "-c2").replace("-d10s", "-d1s").split()
    env = {**os.environ, "BENCH_POOL": pool, "BENCH_THREADS": "2"}
    done = subprocess.run(["wrk", *options, url], env=env, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.bench
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is missing: make test installs it")
def test_every_contender_answers_its_own_pool_until_stopped(tmp_path):
    process, out = served(tmp_path)
    try:
        assert process.poll() is None, out
        manifest = json.loads((tmp_path / "contenders.json").read_text())
        assert [entry["label"] for entry in manifest] == LABELS
        seen: set[str] = set()
        for entry in manifest:
            for endpoint, ours in (("call", "<Gather"), ("gather", "<Dial")):
                pool = entry["pools"][endpoint]["json"]
                # Calls no other contender was given: none of them is answered as a retry.
                sids = call_sids(pool)
                assert len(sids) == 40 and not sids & seen
                seen |= sids
                request = json.loads(Path(pool).read_text())[0]
                with urllib.request.urlopen(webhook_request(entry["url"], request)) as response:
                    body = response.read().decode()
                assert "xml" in response.headers["Content-Type"]
                assert (ours if entry["label"].startswith("handoff") else "<Dial>") in body
        handoff = next(entry for entry in manifest if entry["label"] == "handoff")
        assert f"BENCH_POOL={handoff['pools']['call']['lua']}" in out
        assert f"-m bench.locust_run {handoff['url']} {handoff['pools']['call']['json']}" in out
        figures = wrk_figures(out)
        assert figures["requests"] > 0 and figures["status_errors"] == 0, figures

        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
        assert process.returncode == 0 and "Stopped." in rest, rest
        # The gunicorns went with it.
        for entry in manifest:
            with pytest.raises(OSError):
                urllib.request.urlopen(entry["url"] + "/healthz", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def test_an_unknown_endpoint_is_refused_by_name():
    command = [sys.executable, "-m", "bench.serve", "--endpoints", "call,hangup"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--endpoints: unknown hangup" in done.stderr
