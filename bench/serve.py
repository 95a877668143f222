"""Serve the benchmark's contenders for a load generator of your own, until stopped.

The same contenders, gunicorn settings and seeded database as `make bench`, with pools of
signed, never-sent Twilio requests written for each contender and endpoint, so the figures
can be checked with any tool that sends a different body and header per request. Run from
the repository root: `make bench-serve` or `.venv/bin/python -m bench.serve --help`.
"""

import argparse
import json
import signal
import threading
from pathlib import Path

from bench.generators import LOCUST, WRK, WRK_SCRIPT
from bench.options import add_database, add_endpoints, add_gunicorn
from bench.signed import write_json_pool, write_lua_pool
from bench.webhook import Served, endpoint_requests, serve

MANIFEST = "contenders.json"


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__)
    add_database(p)
    add_endpoints(p)
    add_gunicorn(p)
    p.add_argument("--out", default="instance/bench-serve", help="folder for pools and database")
    p.add_argument("--seconds", type=float, default=0, help="stop after this long (0: Ctrl-C)")
    p.add_argument(
        "--ceiling", action="store_true", help="also (h): Handoff's answers, records thrown away"
    )
    args = p.parse_args(argv)
    # Warmed up with wrk, as `make bench` warms its contenders up.
    args.load = WRK
    return args


def write_pools(served: Served, args, folder: Path) -> list[dict]:
    """Write a pool per contender and endpoint in both formats; return the manifest."""
    manifest = []
    for number, server in enumerate(served.servers):
        pools = {}
        for endpoint in args.endpoints:
            # Never-sent calls of its own: a CallSid another contender recorded costs nothing.
            requests = endpoint_requests(endpoint, served.size, args.pool)
            stem = folder / f"pool-{number}-{endpoint}"
            write_json_pool(requests, f"{stem}{LOCUST.pool_suffix}")
            write_lua_pool(requests, f"{stem}{WRK.pool_suffix}")
            pools[endpoint] = {
                "json": f"{stem}{LOCUST.pool_suffix}",
                "lua": f"{stem}{WRK.pool_suffix}",
            }
        manifest.append({"label": server.contender.label, "url": server.url, "pools": pools})
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def print_instructions(manifest: list[dict], args, folder: Path) -> None:
    """Print where each contender listens and how to load it with wrk, locust or any tool."""
    print(f"\nServing {len(manifest)} contenders on {args.db}, {args.size} destinations and topics")
    print(f"(gunicorn -c gunicorn.conf.py, {args.workers} workers × {args.threads} threads, sync).")
    for entry in manifest:
        print(f"  {entry['label']:<12} {entry['url']}")
    # The example loads Handoff as it ships (unless it was left out).
    first = next((entry for entry in manifest if entry["label"] == "handoff"), manifest[0])
    endpoint = next(iter(first["pools"]))
    lua, pool_json = first["pools"][endpoint]["lua"], first["pools"][endpoint]["json"]
    print(f"\nPools of {args.pool} signed requests per contender and endpoint, listed in")
    print(f"{folder / MANIFEST}. Send each pooled call once: a call sent again is a")
    print("Twilio retry, which Handoff answers from its stored reply. For example:")
    print(f"  BENCH_POOL={lua} BENCH_THREADS=2 \\")
    print(f"    wrk -t2 -c32 -d10s -s {WRK_SCRIPT} {first['url']}")
    print(f"  .venv/bin/python -m bench.locust_run {first['url']} {pool_json} 32 10")
    print("A JSON pool is a list of {path, body, signature, token}: POST the body to the path")
    print("as application/x-www-form-urlencoded, with X-Twilio-Signature: signature and")
    print("I-Twilio-Idempotency-Token: token.")
    # Flushed: whoever reads a pipe from this process waits for this line.
    ready = "Ready; Ctrl-C stops them." if not args.seconds else f"Ready for {args.seconds} s."
    print(f"\n{ready}", flush=True)


def main(argv=None) -> None:
    """Serve the contenders, write their pools and wait until stopped."""
    args = parse_args(argv)
    folder = Path(args.out).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    stopped = threading.Event()
    # Stopped by Ctrl-C or a plain kill alike: the gunicorns must not outlive this process.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    served = serve(args.db, args.size, args, folder)
    try:
        if not served.servers:
            raise SystemExit(f"no contender answered TwiML: see {folder / 'gunicorn.log'}")
        manifest = write_pools(served, args, folder)
        print_instructions(manifest, args, folder)
        stopped.wait(args.seconds or None)
    finally:
        served.stop()
    print("Stopped.")


if __name__ == "__main__":
    main()
