"""Stop PostgreSQL during a run of signed calls: every answer must route, every record be whole.

The drill behind DESIGN §8's promise, on a real server: Handoff under gunicorn, clients posting
signed /voice/call and handing-off /voice/gather requests before, during and after the outage.
`--outage-by service` (the default) stops and restarts the PostgreSQL service itself;
`--outage-by refuse` makes the drill's database refuse connections and ends its sessions,
leaving the server up for other databases (CI). Exit status 1 if any check fails.
Run from the repository root: `make outage-drill` or `.venv/bin/python -m bench.outage --help`.
"""

import argparse
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import make_url

from bench import seed
from bench.options import add_postgres_url
from bench.servers import HANDOFF, HANDOFF_BEHIND, Server, server_environment
from bench.signed import signed_requests, webhook_request
from handoff.settings import database_url

PHASES = ("before", "outage", "after")
HANDOFF_VERBS = ("<Dial", "<Refer")
DRILL_URL = "postgresql://postgres@127.0.0.1:5432/handoff_drill"


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__)
    add_postgres_url(p, DRILL_URL)
    p.add_argument("--outage-by", default="service", choices=("service", "refuse"))
    p.add_argument("--stop-command", help="default: pg_ctlcluster VERSION CLUSTER stop -m fast")
    p.add_argument("--start-command", help="default: pg_ctlcluster VERSION CLUSTER start")
    p.add_argument("--write-behind", action="store_true", help="RECORDS_WRITE_BEHIND=1")
    p.add_argument("--clients", type=int, default=4, help="concurrent callers")
    p.add_argument("--before", type=float, default=5, help="seconds of calls before the outage")
    p.add_argument("--outage", type=float, default=10, help="seconds the database is away")
    p.add_argument("--after", type=float, default=8, help="seconds of calls after recovery")
    return p.parse_args(argv)


@dataclass(frozen=True)
class Answer:
    """One webhook request and what came back."""

    phase: str
    endpoint: str
    call_sid: str
    status: int
    content_type: str
    body: str
    seconds: float

    @property
    def routes(self) -> bool:
        """Return whether the caller is sent somewhere: greeted, or handed off for a gather."""
        if self.status != 200 or "xml" not in self.content_type:
            return False
        verbs = HANDOFF_VERBS if self.endpoint == "gather" else ("<Gather", *HANDOFF_VERBS)
        return any(verb in self.body for verb in verbs)


def post(base_url: str, request: dict) -> tuple[int, str, str]:
    """POST one signed request; return status, content type and body (errors included)."""
    try:
        with urllib.request.urlopen(webhook_request(base_url, request), timeout=20) as response:
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read().decode(),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


class Callers:
    """Clients posting a call then its handing-off gather, each tagged with the current phase."""

    def __init__(self, base_url: str, clients: int, phrase: str):
        self.base_url = base_url
        self.phrase = phrase
        self.phase = PHASES[0]
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._call) for _ in range(clients)]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _call(self) -> None:
        while not self._stop.is_set():
            call = signed_requests("/voice/call", 1)[0]
            gather = signed_requests("/voice/gather", 1, self.phrase)[0]
            for endpoint, request in (("call", call), ("gather", gather)):
                phase, started = self.phase, time.perf_counter()
                status, content_type, body = post(self.base_url, request)
                sid = parse_qs(request["body"])["CallSid"][0]
                answer = Answer(
                    phase, endpoint, sid, status, content_type, body, time.perf_counter() - started
                )
                with self._lock:
                    self.answers.append(answer)


def cluster_commands(args) -> tuple[list[str], list[str]]:
    """Return the commands that stop and start the PostgreSQL service."""
    if args.stop_command and args.start_command:
        return shlex.split(args.stop_command), shlex.split(args.start_command)
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    version, cluster = listed.stdout.split()[:2]
    return (
        ["pg_ctlcluster", version, cluster, "stop", "-m", "fast"],
        ["pg_ctlcluster", version, cluster, "start"],
    )


class Outage:
    """Take the database away and bring it back, by stopping the service or refusing it."""

    def __init__(self, args):
        self.args = args
        self.url = make_url(database_url(args.postgres_url, ""))
        if args.outage_by == "service":
            self.stop_command, self.start_command = cluster_commands(args)

    def begin(self) -> None:
        """Make the database unreachable."""
        if self.args.outage_by == "service":
            subprocess.run(self.stop_command, check=True)
        else:
            self._admin(
                f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS false',
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name",
            )

    def end(self) -> None:
        """Make the database reachable again."""
        if self.args.outage_by == "service":
            subprocess.run(self.start_command, check=True)
        else:
            self._admin(f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS true')

    def _admin(self, *statements: str) -> None:
        admin = create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement), {"name": self.url.database})
        admin.dispose()


def records(url: str, answers: list[Answer]) -> dict[str, int]:
    """Return what the database holds of the drill's calls."""
    engine = create_engine(database_url(url, ""))
    handoffs_per_call = text(
        "SELECT c.call_sid, count(*) FROM handoffs h JOIN conversations c "
        "ON c.id = h.conversation_id WHERE c.call_sid IN :sids GROUP BY c.call_sid"
    ).bindparams(bindparam("sids", expanding=True))
    with engine.connect() as conn:
        figures = {
            "conversations": conn.execute(text("SELECT count(*) FROM conversations")).scalar(),
            "handoffs": conn.execute(text("SELECT count(*) FROM handoffs")).scalar(),
            "handoffs without a state": conn.execute(
                text(
                    "SELECT count(*) FROM handoffs h WHERE NOT EXISTS "
                    "(SELECT 1 FROM handoff_states s WHERE s.handoff_id = h.id)"
                )
            ).scalar(),
        }
        after = [a.call_sid for a in answers if a.phase == "after" and a.endpoint == "gather"]
        counted = conn.execute(handoffs_per_call, {"sids": after}).all() if after else []
        figures["gathers after recovery with one handoff"] = sum(n == 1 for _, n in counted)
    engine.dispose()
    return figures


def report(answers: list[Answer], held: dict[str, int], write_behind: bool) -> list[str]:
    """Print the answers by phase and the records; return the failed checks."""
    print(f"\n{'phase':<8}{'endpoint':<10}{'answered':>9}{'routed':>8}{'p50 ms':>9}{'max ms':>9}")
    for phase in PHASES:
        for endpoint in ("call", "gather"):
            these = [a for a in answers if a.phase == phase and a.endpoint == endpoint]
            if not these:
                continue
            times = sorted(a.seconds * 1000 for a in these)
            routed = sum(a.routes for a in these)
            median, worst = times[len(times) // 2], times[-1]
            print(f"{phase:<8}{endpoint:<10}{len(these):>9}{routed:>8}{median:>9.1f}{worst:>9.1f}")
    print()
    for name, value in held.items():
        print(f"{name:<42}{value:>8}")
    failed = []
    unrouted = Counter((a.phase, a.status) for a in answers if not a.routes)
    if unrouted:
        failed.append(f"answers that route nowhere (phase, status): {dict(unrouted)}")
    if held["handoffs without a state"]:
        failed.append("half-written handoffs")
    after = sum(a.phase == "after" and a.endpoint == "gather" for a in answers)
    if not after or held["gathers after recovery with one handoff"] != after:
        failed.append(f"gathers after recovery not recorded whole ({after} answered)")
    if write_behind and held["conversations"] != len(answers):
        # Written behind the answer: every call answered, outage or not, is recorded once.
        failed.append(f"{len(answers)} calls answered, {held['conversations']} recorded")
    return failed


def main(argv=None) -> None:
    """Seed, serve, call through an outage and check the answers and the records."""
    args = parse_args(argv)
    seed.recreate_postgres(args.postgres_url)
    seed.seed(args.postgres_url, 10)
    outage = Outage(args)
    contender = HANDOFF_BEHIND if args.write_behind else HANDOFF
    with tempfile.TemporaryDirectory(prefix="handoff-drill-") as tmp:
        server = Server(contender, server_environment(args.postgres_url, 2, 1), Path(tmp) / "log")
        try:
            with Callers(server.url, args.clients, seed.handoff_phrase(10)) as callers:
                time.sleep(args.before)
                print(f"database away ({args.outage_by}) for {args.outage:g} s", flush=True)
                callers.phase = "outage"
                outage.begin()
                try:
                    time.sleep(args.outage)
                finally:
                    outage.end()
                callers.phase = "after"
                print("database back", flush=True)
                time.sleep(args.after)
        finally:
            server.stop()  # write-behind: its workers write what they hold as they stop
    failed = report(callers.answers, records(args.postgres_url, callers.answers), args.write_behind)
    for failure in failed:
        print(f"FAILED: {failure}")
    print("every answer routed; the records are whole" if not failed else "")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
