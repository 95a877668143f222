"""Profile Handoff's webhook under wrk load with py-spy, and print where the time goes.

Run from the repository root: `make bench-profile` or
`.venv/bin/python -m bench.profile --endpoint gather --size 1000 --db sqlite`.
"""

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.generators import WRK
from bench.load import probe
from bench.options import ENDPOINTS, add_database, add_gunicorn
from bench.servers import HANDOFF, HANDOFF_BEHIND, Server, server_environment
from bench.webhook import database_for, make_pool

PY_SPY = Path(sys.executable).parent / "py-spy"


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__)
    add_database(p, size=1000)
    p.add_argument("--endpoint", default="gather", choices=sorted(ENDPOINTS))
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--duration", type=int, default=5, help="seconds of sampling")
    p.add_argument("--top", type=int, default=30, help="functions to print")
    p.add_argument(
        "--only",
        default="handoff/,twiml/,models/,commit,execute (psycopg",
        help="print only frames containing one of these (comma-separated)",
    )
    # One worker: every request is sampled.
    add_gunicorn(p, workers=1)
    p.add_argument("--write-behind", action="store_true", help="RECORDS_WRITE_BEHIND=1")
    return p.parse_args(argv)


def inclusive_samples(raw: Path) -> tuple[Counter, int]:
    """Return samples per function (counted once per stack) and the total, from py-spy raw."""
    per_function: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        total += samples
        for frame in set(stack.split(";")):
            per_function[frame] += samples
    return per_function, total


def main(argv=None) -> None:
    """Serve Handoff with one worker, load it with wrk, sample it with py-spy, print the top."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="handoff-profile-") as tmp:
        workdir = Path(tmp)
        url = database_for(args.db, args.size, args, workdir)
        environ = server_environment(url, args.workers, args.threads)
        contender = HANDOFF_BEHIND if args.write_behind else HANDOFF
        server = Server(contender, environ, workdir / "gunicorn.log")
        try:
            requests, pool_file = make_pool(args.endpoint, args.size, args.pool, workdir)
            print(probe(server.url, requests[0])[:200])
            WRK.load(server.url, pool_file, args.connections, args.warmup)
            _, pool_file = make_pool(args.endpoint, args.size, args.pool, workdir)
            raw = workdir / "profile.txt"
            command = [str(PY_SPY), "record", "--format", "raw", "-o", str(raw), "-r", "500"]
            command += ["-d", str(args.duration), "--pid", str(server.worker_pids()[0])]
            spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            result = WRK.load(server.url, pool_file, args.connections, args.duration)
            spy.wait()
            print(f"{result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms")
            print_top(raw, args.top, [m for m in args.only.split(",") if m])
        finally:
            server.stop()


def print_top(raw: Path, top: int, only: list[str]) -> None:
    """Print the functions holding the most samples (inclusive), busiest first."""
    per_function, total = inclusive_samples(raw)
    shown = [(f, n) for f, n in per_function.most_common() if not only or any(m in f for m in only)]
    print(f"\n{total} samples; share of samples with the function on the stack:")
    for frame, samples in shown[:top]:
        print(f"{samples / total:7.1%}  {frame[:150]}")


if __name__ == "__main__":
    main()
