"""Benchmark the voice webhooks against three reference Flask apps under identical gunicorn.

Run from the repository root: `make bench` or `.venv/bin/python -m bench.webhook --help`.
"""

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path

from bench import cpu, seed
from bench.generators import GENERATORS, WRK
from bench.load import ProbeError, Result, probe, settled
from bench.report import Results, print_scale_curve, print_table
from bench.servers import CEILING, OURS, REFERENCES, Contender, Server, server_environment
from bench.signed import signed_requests

ENDPOINTS = {"call": "/voice/call", "gather": "/voice/gather"}


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--db", default="sqlite,postgres", help="databases: sqlite, postgres")
    p.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/handoff_bench")
    p.add_argument("--sizes", default="10,1000,10000", help="destinations and topics")
    p.add_argument("--connections", default="1,8,32,128", help="full sweep at the first size")
    p.add_argument("--scale-connections", type=int, default=32, help="for the other sizes")
    p.add_argument("--endpoints", default="call,gather", help="call, gather")
    p.add_argument("--duration", type=int, default=3, help="seconds per load run")
    p.add_argument("--generator", default="wrk", choices=sorted(GENERATORS), help="load generator")
    p.add_argument("--repeat", type=int, default=3, help="repetitions (medians are printed)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers, every contender")
    p.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    p.add_argument("--warmup", type=int, default=1, help="seconds of unmeasured load first")
    p.add_argument("--pool", type=int, default=20000, help="signed requests per pool")
    p.add_argument("--quick", action="store_true", help="1 s runs, 1 repetition")
    p.add_argument(
        "--ceiling", action="store_true", help="also (h): Handoff's answers, records thrown away"
    )
    args = p.parse_args(argv)
    args.load = GENERATORS[args.generator]
    if args.quick:
        args.duration, args.repeat = 1, 1
    return args


def split(text: str) -> list[str]:
    """Return the comma-separated items of ``text``."""
    return [item.strip() for item in text.split(",") if item.strip()]


def database_for(db: str, size: int, args, workdir: Path) -> str:
    """Create and seed a fresh benchmark database; return its URL."""
    if db == "postgres":
        url = args.postgres_url
        seed.recreate_postgres(url)
    else:
        path = workdir / f"bench-{size}.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    seed.seed(url, size)
    return url


def contenders(args) -> tuple[Contender, ...]:
    """Return the contenders to measure, in the order they are loaded."""
    return (*REFERENCES, *OURS, *((CEILING,) if args.ceiling else ()))


def start_servers(url: str, args, workdir: Path) -> list[Server]:
    """Start every contender on the database; stop those started if one fails."""
    environ = server_environment(url, args.workers, args.threads)
    servers: list[Server] = []
    try:
        for contender in contenders(args):
            servers.append(Server(contender, environ, workdir / "gunicorn.log"))
    except Exception:
        for server in servers:
            server.stop()
        raise
    return servers


def ready(servers: list[Server], pools: dict, endpoints: list[str]) -> list[Server]:
    """Probe each contender on each endpoint; return those answering TwiML on all of them."""
    answering = []
    for server in servers:
        try:
            for endpoint in endpoints:
                twiml = probe(server.url, pools[endpoint][0])
                print(f"  {server.contender.label:<12}{ENDPOINTS[endpoint]:<15}{twiml[:110]}")
            answering.append(server)
        except ProbeError as exc:
            print(f"  {server.contender.label:<12}left out: {exc}")
    return answering


def warm_up(servers: list[Server], endpoints: list[str], size: int, args, workdir: Path) -> None:
    """Load every contender briefly so worker start-up and first connections are not measured."""
    if args.warmup <= 0:
        return
    for endpoint in endpoints:
        _, pool_file = make_pool(endpoint, size, args.pool, workdir, generator=args.load)
        for server in servers:
            args.load.load(server.url, pool_file, 8, args.warmup)


def make_pool(
    endpoint: str, size: int, count: int, workdir: Path, name: str = "", generator=WRK
) -> tuple[list, Path]:
    """Sign ``count`` fresh requests for ``endpoint``; return them and the generator's file."""
    phrase = seed.handoff_phrase(size) if endpoint == "gather" else None
    requests = signed_requests(ENDPOINTS[endpoint], count, phrase)
    path = workdir / f"pool-{endpoint}{name}{generator.pool_suffix}"
    generator.write_pool(requests, str(path))
    return requests, path


def fresh_pools(
    servers: list, endpoint: str, size: int, count: int, workdir: Path, generator=WRK
) -> list[Path]:
    """Sign a pool of never-seen calls for each server, in the order given.

    The contenders share one database: a call one of them recorded would be skipped by the
    next one's recorder (already stored), so no contender may reuse another's CallSids.
    """
    return [
        make_pool(endpoint, size, count, workdir, f"-{i}", generator)[1]
        for i in range(len(servers))
    ]


def measure(db: str, size: int, sweep: bool, args, results: Results, workdir: Path) -> None:
    """Seed, serve and load every contender for one database and configuration size."""
    url = database_for(db, size, args, workdir)
    servers = start_servers(url, args, workdir)
    endpoints = split(args.endpoints)
    connections = [int(c) for c in split(args.connections)] if sweep else [args.scale_connections]
    try:
        pools = {e: make_pool(e, size, 8, workdir)[0] for e in endpoints}
        print(f"\n{db}, {size}: sample answers")
        servers = ready(servers, pools, endpoints)
        warm_up(servers, endpoints, size, args, workdir)
        for _ in range(args.repeat):
            for conns in connections:
                for endpoint in endpoints:
                    pool_files = fresh_pools(servers, endpoint, size, args.pool, workdir, args.load)
                    for server, pool_file in zip(servers, pool_files, strict=True):
                        result = loaded(server, pool_file, conns, args, url)
                        key = (db, size, ENDPOINTS[endpoint], conns, server.contender.label)
                        results.setdefault(key, []).append(result)
    finally:
        for server in servers:
            server.stop()


def loaded(server: Server, pool_file: Path, conns: int, args, url: str) -> Result:
    """Load ``server``; return its figures with the CPU each request cost."""
    before = cpu.ticks(server.worker_pids())
    result = args.load.load(server.url, pool_file, conns, args.duration)
    if server.contender.writes_behind:
        # Written behind the answer: the writing counts in its req/s and its CPU.
        result = settled(result, url, args.duration)
    after = cpu.ticks(server.worker_pids())
    spent = cpu.per_request(before, after, result.requests)
    return replace(result, cpu=spent, repeated=max(0, result.requests - args.pool))


def main(argv=None) -> None:
    """Run the whole benchmark and print its tables."""
    args = parse_args(argv)
    sizes = [int(s) for s in split(args.sizes)]
    labels = [c.label for c in contenders(args)]
    results: Results = {}
    print(f"gunicorn -c gunicorn.conf.py: {args.workers} workers × {args.threads} threads, sync")
    print(f"{args.generator}: {args.duration} s per run, {args.repeat} repetitions; medians below")
    with tempfile.TemporaryDirectory(prefix="handoff-bench-") as tmp:
        for db in split(args.db):
            for i, size in enumerate(sizes):
                measure(db, size, i == 0, args, results, Path(tmp))
                print_table(results, db, size, labels)
    print_scale_curve(results, args.scale_connections)


if __name__ == "__main__":
    main()
