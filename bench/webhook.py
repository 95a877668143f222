"""Benchmark the voice webhooks against three reference Flask apps under identical gunicorn.

Run from the repository root: `make bench` or `.venv/bin/python -m bench.webhook --help`.
"""

import argparse
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import cpu, seed
from bench.generators import GENERATORS, WRK
from bench.load import ProbeError, Result, probe, settled
from bench.options import ENDPOINTS, add_endpoints, add_gunicorn, add_postgres_url, split
from bench.report import Results, print_scale_curve, print_table
from bench.servers import (
    CEILING,
    OURS,
    REFERENCES,
    ROOT,
    Contender,
    Server,
    server_environment,
    start_together,
    stop_all,
)
from bench.signed import signed_requests


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--db", default="sqlite,postgres", help="databases: sqlite, postgres")
    add_postgres_url(p)
    p.add_argument("--sizes", default="10,1000,10000", help="destinations and topics")
    p.add_argument("--connections", default="1,8,32,128", help="full sweep at the first size")
    p.add_argument("--scale-connections", type=int, default=32, help="for the other sizes")
    add_endpoints(p)
    p.add_argument("--duration", type=int, default=3, help="seconds per load run")
    p.add_argument("--generator", default="wrk", choices=sorted(GENERATORS), help="load generator")
    p.add_argument("--repeat", type=int, default=3, help="repetitions (medians are printed)")
    add_gunicorn(p)
    p.add_argument("--quick", action="store_true", help="1 s runs, 1 repetition")
    p.add_argument(
        "--ceiling", action="store_true", help="also (h): Handoff's answers, records thrown away"
    )
    args = p.parse_args(argv)
    args.load = GENERATORS[args.generator]
    if args.quick:
        args.duration, args.repeat = 1, 1
    return args


def database_for(db: str, size: int, args, workdir: Path, suffix: str = "") -> str:
    """Create and seed a fresh benchmark database (its name + ``suffix``); return its URL."""
    if db == "postgres":
        parsed = make_url(args.postgres_url)
        url = parsed.set(database=f"{parsed.database}{suffix}").render_as_string(False)
        seed.recreate_postgres(url)
    else:
        path = workdir / f"bench-{size}{suffix}.sqlite3"
        for ending in ("", "-wal", "-shm"):  # a fresh database: no write-ahead log left over
            path.with_name(path.name + ending).unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    seed.seed(url, size)
    return url


def contenders(args) -> tuple[Contender, ...]:
    """Return the contenders to measure, in the order they are loaded."""
    return (*REFERENCES, *OURS, *((CEILING,) if args.ceiling else ()))


def start_servers(url: str, args, workdir: Path) -> list[Server]:
    """Start every contender on the database; stop those started if one fails."""
    environ = server_environment(url, args.workers, args.threads)
    started = [(contender, environ, ROOT) for contender in contenders(args)]
    return start_together(started, workdir / "gunicorn.log")


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
    requests = endpoint_requests(endpoint, size, count)
    path = workdir / f"pool-{endpoint}{name}{generator.pool_suffix}"
    generator.write_pool(requests, str(path))
    return requests, path


def endpoint_requests(endpoint: str, size: int, count: int) -> list[dict]:
    """Sign ``count`` fresh requests for ``endpoint`` (a gather's says the handing-off phrase)."""
    phrase = seed.handoff_phrase(size) if endpoint == "gather" else None
    return signed_requests(ENDPOINTS[endpoint], count, phrase)


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


@dataclass
class Served:
    """The contenders serving one database and configuration size."""

    db: str
    size: int
    url: str
    servers: list[Server]
    # A database of its own for this size (the scale curve's): dropped when it stops.
    drop: bool = False

    def stop(self) -> None:
        """Stop every contender (and drop a PostgreSQL database made for this size)."""
        stop_all(self.servers)
        if self.drop and self.db == "postgres":
            seed.drop_postgres(self.url)


def serve(db: str, size: int, args, workdir: Path, suffix: str = "") -> Served:
    """Seed a fresh database, start every contender on it, probe and warm them up."""
    url = database_for(db, size, args, workdir, suffix)
    servers = start_servers(url, args, workdir)
    try:
        endpoints = args.endpoints
        pools = {e: make_pool(e, size, 8, workdir)[0] for e in endpoints}
        print(f"\n{db}, {size}: sample answers")
        servers = ready(servers, pools, endpoints)
        warm_up(servers, endpoints, size, args, workdir)
    except BaseException:
        stop_all(servers)
        raise
    return Served(db, size, url, servers, drop=bool(suffix))


def load_each(served: Served, conns: int, args, results: Results, workdir: Path) -> None:
    """Load every contender once on each endpoint at ``conns`` connections; keep the figures."""
    for endpoint in args.endpoints:
        pools = fresh_pools(served.servers, endpoint, served.size, args.pool, workdir, args.load)
        for server, pool_file in zip(served.servers, pools, strict=True):
            result = loaded(server, pool_file, conns, args, served.url)
            key = (served.db, served.size, ENDPOINTS[endpoint], conns, server.contender.label)
            results.setdefault(key, []).append(result)


def sweep(db: str, size: int, args, results: Results, workdir: Path) -> None:
    """Measure every contender at each number of connections, on one configuration size."""
    served = serve(db, size, args, workdir)
    try:
        for _ in range(args.repeat):
            for conns in [int(c) for c in split(args.connections)]:
                load_each(served, conns, args, results, workdir)
    finally:
        served.stop()


def rotated(items: list, repetition: int) -> list:
    """Return ``items`` starting ``repetition`` places on, so each takes each turn."""
    turn = repetition % len(items)
    return items[turn:] + items[:turn]


def scale(db: str, sizes: list[int], args, results: Results, workdir: Path) -> None:
    """Measure the scale curve: every size served at once and loaded in turn.

    The order rotates each repetition, so the machine's drift during the run falls on every
    size alike; each size has a database of its own with no earlier load in it.
    """
    served: dict[int, Served] = {}
    try:
        for size in sizes:
            served[size] = serve(db, size, args, workdir, suffix=f"_{size}")
        for repetition in range(args.repeat):
            order = rotated(sizes, repetition)
            print(f"scale, repetition {repetition + 1}: " + ", ".join(map(str, order)))
            for size in order:
                load_each(served[size], args.scale_connections, args, results, workdir)
    finally:
        for each in served.values():
            each.stop()


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
    curve: Results = {}
    with tempfile.TemporaryDirectory(prefix="handoff-bench-") as tmp:
        for db in split(args.db):
            sweep(db, sizes[0], args, results, Path(tmp))
            print_table(results, db, sizes[0], labels)
            if len(sizes) > 1:
                scale(db, sizes, args, curve, Path(tmp))
                for size in sizes:
                    print_table(curve, db, size, labels, "scale curve: ")
    print_scale_curve(curve, args.scale_connections)


if __name__ == "__main__":
    main()
