"""Concurrent bridged SIP calls through Kamailio and a worker pool, on loopback.

    python -m bench.sip_calls --workers 2 --calls 40 --hold 2

SIPp plays the SBC (through Kamailio) and the destination (echoing RTP); every call is an
INVITE handoff: answer, dial the destination, bridge. Prints call set-up latencies
(median, p95), how many calls were bridged at once, failures, and memory per worker.
"""

import argparse
import os
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from alembic import command
from sqlalchemy import select

from bench.seed import recreate_postgres
from handoff.environments import bump_config_version, ensure_environments, get_environment
from handoff.settings import database_url
from models import Conversation, HandoffState, db
from tests.sip.peers import HOST, Kamailio, Sipp, WorkerProcess, free_port


def prepare_database(url: str, destination_port: int):
    """Migrate a fresh database; the sandbox hands every call to the destination by INVITE."""
    from app import create_app
    from tests.voice_support import add_destination, add_topic, set_integration

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        command.upgrade(app.extensions["migrate"].migrate.get_config(), "head")
        ensure_environments(db.session)
        db.session.commit()
        set_integration("sandbox", kind="sip_trunk", required_method=None)
        destination = add_destination(
            "sandbox",
            "Agents",
            method="sip_invite",
            encryption="udp_rtp",
            route=f"sip:agent@{HOST}:{destination_port}",
            headers=[("X-Customer", "$sip_X-Customer-Id")],
        )
        add_topic("sandbox", "Agents", immediate=True, destination_id=destination.id)
        bump_config_version(db.session, get_environment(db.session, "sandbox"))
        db.session.commit()
    return app


def percentile(values: list[float], fraction: float) -> float:
    """Return the ``fraction`` percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bridge_latencies(app) -> tuple[list[float], int]:
    """Return INVITE-received → bridged times (ms) and the peak number bridged at once."""
    with app.app_context():
        rows = db.session.execute(
            select(Conversation.started_at, HandoffState.at, Conversation.ended_at)
            .join(HandoffState, HandoffState.conversation_id == Conversation.id)
            .where(HandoffState.state == "handoff_completed")
        ).all()
    latencies = [(bridged - started).total_seconds() * 1000 for started, bridged, _ in rows]
    marks = sorted([(b, 1) for _, b, _ in rows] + [(e, -1) for _, _, e in rows if e])
    peak = live = 0
    for _, step in marks:
        live += step
        peak = max(peak, live)
    return latencies, peak


def worker_memory(pool: WorkerProcess) -> list[int]:
    """Return the resident memory (KiB) of each worker process in the pool."""
    children = Path(f"/proc/{pool.process.pid}/task/{pool.process.pid}/children")
    pids = children.read_text().split() if children.exists() else []
    sizes = []
    for pid in pids or [str(pool.process.pid)]:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))
    return sizes


def sample_memory(pool: WorkerProcess, stop: threading.Event, peaks: dict) -> None:
    """Keep the highest resident memory seen per worker while calls run."""
    while not stop.is_set():
        for index, size in enumerate(worker_memory(pool)):
            peaks[index] = max(peaks.get(index, 0), size)
        time.sleep(0.2)


def run(args) -> None:
    """Start the pool, Kamailio and SIPp; drive the calls; print the figures."""
    tmp = Path(tempfile.mkdtemp(prefix="sip-bench-"))
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    if args.postgres_url:
        recreate_postgres(args.postgres_url)
        url = database_url(args.postgres_url, "")
    destination_port = free_port()
    app = prepare_database(url, destination_port)
    first = free_port(args.workers)
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "APP_ENV": "development",
        "SIP_ENVIRONMENT": "sandbox",
        "SIP_WORKERS": str(args.workers),
        "SIP_LISTEN": f"{HOST}:{first}",
        "SIP_TTS_CACHE": str(tmp / "tts"),
        "SIP_LOG_LEVEL": "0",
    }
    pool = WorkerProcess({**os.environ, **env}, tmp / "workers.log")
    pool.wait_ready(args.workers)
    proxy = Kamailio(tmp, free_port(), [first + i for i in range(args.workers)])
    idle = worker_memory(pool)
    concurrency = args.concurrency or 2 * args.workers
    peaks: dict[int, int] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(pool, stop, peaks), daemon=True)
    sampler.start()
    try:
        destination = Sipp("dest_answer", tmp, destination_port, calls=args.calls, rtp_echo=True)
        callers = Sipp(
            "sbc_hangup",
            tmp,
            free_port(),
            f"{HOST}:{proxy.port}",
            hold=int(args.hold * 1000),
            calls=args.calls,
            limit=concurrency,
            rate=args.rate,
            customer="1",
            rtt=True,
        )
        started = time.monotonic()
        result = callers.wait(args.calls * (args.hold + 5) + 60)
        elapsed = time.monotonic() - started
        destination.wait(30)
    finally:
        stop.set()
        sampler.join()
        proxy.stop()
        pool.stop()
    report(args, app, result, elapsed, idle, peaks, concurrency, tmp)


def answer_latencies(tmp: Path) -> list[float]:
    """Return SIPp's INVITE → 200 OK times (ms) from its response-time file."""
    values = []
    for path in tmp.glob("sbc_hangup_*_rtt.csv"):
        for line in path.read_text().splitlines()[1:]:
            fields = line.split(";")
            if len(fields) >= 3:
                values.append(float(fields[2]))
    return values


def report(args, app, result, elapsed, idle, peaks, concurrency, tmp) -> None:
    """Print the figures."""
    bridged, peak = bridge_latencies(app)
    answered = answer_latencies(tmp)
    print(f"\nSIP worker pool: {args.workers} workers behind Kamailio, loopback, G.711")
    print(f"calls: {args.calls}, offered at once: {concurrency}, hold {args.hold:.1f} s")
    print(f"wall time: {elapsed:.1f} s")
    verdict = "every call succeeded" if result.returncode == 0 else "some calls failed"
    print(f"bridged: {len(bridged)} of {args.calls}   SIPp: {verdict} (exit {result.returncode})")
    print(f"peak bridged at once: {peak}")
    for name, values in (("INVITE → 200 OK (SBC side)", answered), ("INVITE → bridged", bridged)):
        if values:
            print(
                f"{name:<28} median {statistics.median(values):7.1f} ms"
                f"   p95 {percentile(values, 0.95):7.1f} ms   (n={len(values)})"
            )
    for index, size in enumerate(idle):
        peak = peaks.get(index, size)
        print(f"worker {index}: RSS idle {size / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB")


def main() -> None:
    """Parse options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=0, help="default: 2 per worker")
    parser.add_argument("--hold", type=float, default=2.0, help="seconds each call stays bridged")
    parser.add_argument("--rate", type=int, default=20, help="new calls per second")
    parser.add_argument(
        "--postgres-url",
        default="",
        help="use this PostgreSQL database (dropped and re-created) instead of SQLite",
    )
    run(parser.parse_args())


if __name__ == "__main__":
    main()
