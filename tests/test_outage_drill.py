"""The outage drill (bench/outage.py) on PostgreSQL: calls go on through it and are recorded.

The drill here makes its own database refuse connections (--outage-by refuse); stopping the
PostgreSQL service itself, as `make outage-drill` does, would take it from the rest of CI.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.outage import Answer, report

ROOT = Path(__file__).resolve().parent.parent

NEEDS_POSTGRES = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
)


@pytest.fixture
def drill_database():
    """Yield the URL of a database of the drill's own, and drop it afterwards."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    url = url.set(database=f"handoff_drill_{os.getpid()}_{secrets.token_hex(3)}")
    yield url.render_as_string(hide_password=False)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
@NEEDS_POSTGRES
@pytest.mark.parametrize("write_behind", [False, True], ids=["in request", "write-behind"])
def test_calls_answered_through_an_outage_all_route_and_are_recorded_whole(
    write_behind, drill_database
):
    command = [sys.executable, "-m", "bench.outage", "--outage-by", "refuse"]
    command += ["--postgres-url", drill_database]
    command += ["--before", "2", "--outage", "3", "--after", "2"]
    command += ["--write-behind"] if write_behind else []

    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "every answer routed; the records are whole" in done.stdout
    outage = [line.split() for line in done.stdout.splitlines() if line.startswith("outage ")]
    # Calls were answered during the outage, and every one of them routed the caller.
    assert len(outage) == 2 and all(int(answered) > 0 for _, _, answered, *_ in outage)
    assert all(answered == routed for _, _, answered, routed, *_ in outage)


def answer(
    phase, endpoint, status=200, body="<Response><Dial><Sip>sip:a@b</Sip></Dial></Response>"
):
    return Answer(phase, endpoint, f"CA{phase}{endpoint}", status, "text/xml", body, 0.01)


WHOLE = {
    "conversations": 4,
    "handoffs": 2,
    "handoffs without a state": 0,
    "gathers after recovery with one handoff": 1,
}


@pytest.mark.parametrize(
    "answers, held, failure",
    [
        ([answer("outage", "gather", 500, "<html>")], {}, "route nowhere"),
        ([answer("outage", "call", body="<Response><Hangup/></Response>")], {}, "route nowhere"),
        ([], {"handoffs without a state": 1}, "half-written"),
        ([], {"gathers after recovery with one handoff": 0}, "not recorded whole"),
        ([answer("outage", "call")], {}, "5 calls answered, 4 recorded"),
    ],
)
def test_the_drill_fails_on_what_it_promises_against(answers, held, failure):
    calls = [
        answer(phase, endpoint) for phase in ("before", "after") for endpoint in ("call", "gather")
    ]
    failed = report(calls + answers, {**WHOLE, **held}, write_behind=True)

    assert any(failure in f for f in failed), failed
    assert report(calls, WHOLE, write_behind=True) == []
