"""Measure Handoff at an earlier revision and as checked out, side by side, under one load.

Before/after figures for a change: the earlier revision is checked out in a temporary git
worktree and served, like this checkout's Handoff and the references (a) and (b), under the
same gunicorn settings, each with a database of its own and pools of calls no other has
seen. The order rotates each repetition, so the machine's drift falls on both alike. Both
are served with this checkout's virtualenv and must share its migrations. Run from the
repository root: `make bench-compare BENCH_ARGS="--base main"`, or `--help`.
"""

import argparse
import subprocess
import tempfile
from pathlib import Path

from bench.options import ENDPOINTS, add_database, add_endpoints, add_gunicorn
from bench.report import Results, median, ratio, warnings
from bench.servers import (
    BEHIND,
    HANDOFF,
    LOOKUP,
    ROOT,
    STATIC,
    Contender,
    Server,
    server_environment,
    start_together,
    stop_all,
)
from bench.webhook import GENERATORS, database_for, loaded, make_pool, rotated, warm_up

BEFORE, AFTER = "before", "after"


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base", default="main", help="the earlier revision (any git revision)")
    add_database(p)
    add_endpoints(p)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--duration", type=int, default=2, help="seconds per load run")
    p.add_argument("--repeat", type=int, default=3, help="repetitions (medians are printed)")
    add_gunicorn(p)
    p.add_argument("--write-behind", action="store_true", help="both with RECORDS_WRITE_BEHIND=1")
    args = p.parse_args(argv)
    args.load = GENERATORS["wrk"]
    return args


def check_out(base: str, folder: Path) -> str:
    """Check ``base`` out into ``folder`` (a detached worktree); return its commit."""
    try:
        commit = git("rev-parse", "--verify", f"{base}^{{commit}}")
    except subprocess.CalledProcessError:
        raise SystemExit(f"--base: {base!r} is not a revision of this repository") from None
    if git("diff", "--name-only", commit, "--", "migrations"):
        raise SystemExit(f"--base: {base} has other migrations than this checkout")
    git("worktree", "add", "--detach", "--quiet", str(folder), commit)
    return commit


def git(*arguments: str) -> str:
    """Run git in this repository and return what it printed."""
    done = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True)
    done.check_returncode()
    return done.stdout.strip()


def start(args, workdir: Path, base_tree: Path) -> list[tuple[Server, str]]:
    """Start (a), (b), Handoff before and after, each on a database of its own (its URL)."""
    behind = BEHIND if args.write_behind else ()
    contenders = (
        (STATIC, ROOT),
        (LOOKUP, ROOT),
        (Contender(BEFORE, HANDOFF.app_spec, behind, writes_behind=bool(behind)), base_tree),
        (Contender(AFTER, HANDOFF.app_spec, behind, writes_behind=bool(behind)), ROOT),
    )
    urls = [
        database_for(args.db, args.size, args, workdir, "_" + c.label.split()[0].strip("()"))
        for c, _ in contenders
    ]
    started = [
        (contender, server_environment(url, args.workers, args.threads), tree)
        for (contender, tree), url in zip(contenders, urls, strict=True)
    ]
    servers = start_together(started, workdir / "gunicorn.log")
    return list(zip(servers, urls, strict=True))


def measure(served: list[tuple[Server, str]], args, workdir: Path) -> Results:
    """Load each contender once per repetition and endpoint, in rotating order."""
    results: Results = {}
    for endpoint in args.endpoints:
        # Each on a database of its own: one warm-up pool can serve them all.
        warm_up([server for server, _ in served], [endpoint], args.size, args, workdir)
        for repetition in range(args.repeat):
            for server, database in rotated(served, repetition):
                _, pool = make_pool(endpoint, args.size, args.pool, workdir, f"-{server.port}")
                result = loaded(server, pool, args.connections, args, database)
                key = (args.db, args.size, ENDPOINTS[endpoint], args.connections)
                results.setdefault((*key, server.contender.label), []).append(result)
    return results


def print_comparison(results: Results, args) -> None:
    """Print each contender's medians, then after/before and each against (b), per repetition."""
    print(f"{'endpoint':<14}{'contender':<12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'host µs':>9}")
    for endpoint in args.endpoints:
        key = (args.db, args.size, ENDPOINTS[endpoint], args.connections)
        for label in (STATIC.label, LOOKUP.label, BEFORE, AFTER):
            runs = results[(*key, label)]
            figures = (median([getattr(r, f) for r in runs]) for f in ("rps", "p50_ms", "p99_ms"))
            host = median([r.cpu.host_us for r in runs])
            rps, p50, p99 = figures
            print(
                f"{ENDPOINTS[endpoint]:<14}{label:<12}{rps:>9.0f}{p50:>9.2f}{p99:>9.2f}{host:>9.0f}"
                f"{warnings(runs)}"
            )
    print(f"{'endpoint':<14}{'after/before':>13}{'before/(b)':>12}{'after/(b)':>11}")
    for endpoint in args.endpoints:
        key = (args.db, args.size, ENDPOINTS[endpoint], args.connections)
        before, after = results[(*key, BEFORE)], results[(*key, AFTER)]
        lookup = results[(*key, LOOKUP.label)]
        pairs = ((after, before), (before, lookup), (after, lookup))
        cells = [ratio(ours, reference, "rps") for ours, reference in pairs]
        print(f"{ENDPOINTS[endpoint]:<14}" + "".join(f"{c:>12.2f}" for c in cells))


def main(argv=None) -> None:
    """Serve both revisions beside the references, load them in turn and print the figures."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="handoff-compare-") as tmp:
        workdir = Path(tmp)
        base_tree = workdir / "base"
        commit = check_out(args.base, base_tree)
        try:
            served = start(args, workdir, base_tree)
            try:
                results = measure(served, args, workdir)
            finally:
                stop_all([server for server, _ in served])
        finally:
            git("worktree", "remove", "--force", str(base_tree))
    head = git("rev-parse", "--short", "HEAD")
    mode = "records written behind" if args.write_behind else "records written in the request"
    print(f"\n{BEFORE}: {args.base} ({commit[:7]}); {AFTER}: this checkout (HEAD {head}), {mode}")
    print(f"wrk, {args.connections} connections, {args.repeat} runs of {args.duration} s each")
    print_comparison(results, args)


if __name__ == "__main__":
    main()
