"""Print the benchmark's figures: medians per contender, ratios from the same run."""

import statistics
from collections import defaultdict

from bench.load import Result

# results[(db, size, endpoint, connections, contender)] = [Result per repetition]
# Handoff as it ships (records before answering) and with RECORDS_WRITE_BEHIND=1.
OURS = ("handoff", "handoff wb")
# The floor is compared with (a) too: no webhook that follows DESIGN §3 can beat it; and
# the ceiling (--ceiling): no way of recording Handoff's calls could beat it.
COMPARED = ("(f) floor", *OURS, "(h) ceiling")
Results = dict[tuple, list[Result]]
# The targets at 32 connections: (label, figure, reference, bound, the ratio must be at least).
TARGETS = (
    ("rps/(a) >= 0.7", "rps", "(a) static", 0.7, True),
    ("rps/(b) >= 1.0", "rps", "(b) lookup", 1.0, True),
    ("p99/(a) <= 2.0", "p99_ms", "(a) static", 2.0, False),
)
TARGET_CONNECTIONS = 32


def median(values: list[float]) -> float:
    """Return the median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


def print_table(
    results: Results, db: str, size: int, contenders: list[str], title: str = ""
) -> None:
    """Print requests/s, p50 and p99 (medians) and the ratios for one database and size."""
    rows = sorted({(k[2], k[3]) for k in results if k[0] == db and k[1] == size})
    print(f"\n== {title}{db}, {size} destinations and topics (medians over repetitions)")
    print(
        f"{'endpoint':<14}{'conns':>6}  {'contender':<12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'req µs':>9}{'bg µs':>9}{'host µs':>9}"
    )
    for endpoint, conns in rows:
        for label in contenders:
            runs = results.get((db, size, endpoint, conns, label), [])
            if not runs:
                continue
            print(
                f"{endpoint:<14}{conns:>6}  {label:<12}{median([r.rps for r in runs]):>9.0f}"
                f"{median([r.p50_ms for r in runs]):>9.2f}{median([r.p99_ms for r in runs]):>9.2f}"
                f"{cpu_cells(runs)}{warnings(runs)}"
            )
    print_ratios(results, db, size, rows)
    print_targets(results, db, size, rows)


def warnings(runs: list[Result]) -> str:
    """Return what makes a row's figures suspect: errors, late records, calls sent twice."""
    errors = sum(r.errors for r in runs)
    flag = f"  {errors} errors" if errors else ""
    settle = median([r.settle_s for r in runs])
    flag += f"  (records written {settle:.2f} s after the load)" if settle else ""
    repeated = max(r.repeated for r in runs)
    # A request sent again is a Twilio retry, answered otherwise than a new call.
    flag += f"  ({repeated} calls sent twice: raise --pool)" if repeated else ""
    return flag


def cpu_cells(runs: list[Result]) -> str:
    """Return the median CPU µs per request: request threads, other threads, whole host."""
    counted = [r.cpu for r in runs if r.cpu is not None]
    # Runs during which gunicorn replaced a worker have no split between threads.
    split = [c for c in counted if c.request_us is not None]
    figures = (
        median([c.request_us for c in split]),
        median([c.background_us for c in split]),
        median([c.host_us for c in counted]),
    )
    return "".join(f"{f:>9.0f}" for f in figures)


def print_ratios(results: Results, db: str, size: int, rows: list[tuple]) -> None:
    """Print ours/(a), /(b) and /(f), each computed within a repetition, then the median."""
    head = f"{'endpoint':<14}{'conns':>6}  {'contender':<12}"
    print(f"{head}{'rps/(a)':>9}{'rps/(b)':>9}{'rps/(f)':>9}{'p99/(a)':>9}")
    for endpoint, conns in rows:
        static = results.get((db, size, endpoint, conns, "(a) static"), [])
        lookup = results.get((db, size, endpoint, conns, "(b) lookup"), [])
        floor = results.get((db, size, endpoint, conns, "(f) floor"), [])
        for label in COMPARED:
            ours = results.get((db, size, endpoint, conns, label), [])
            if not ours:
                continue
            ratios = (
                ratio(ours, static, "rps"),
                ratio(ours, lookup, "rps"),
                ratio(ours, floor, "rps"),
                ratio(ours, static, "p99_ms"),
            )
            cells = "".join(f"{r:>9.2f}" for r in ratios)
            print(f"{endpoint:<14}{conns:>6}  {label:<12}{cells}")


def print_targets(results: Results, db: str, size: int, rows: list[tuple]) -> None:
    """Print whether Handoff meets each target at 32 connections: the ratio, met or missed."""
    endpoints = [endpoint for endpoint, conns in rows if conns == TARGET_CONNECTIONS]
    if not endpoints:
        return
    head = "".join(f"{label:>20}" for label, *_ in TARGETS)
    print(f"{'targets at ' + str(TARGET_CONNECTIONS) + ' conns':<34}{head}")
    for endpoint in endpoints:
        for label in OURS:
            ours = results.get((db, size, endpoint, TARGET_CONNECTIONS, label), [])
            if not ours:
                continue
            cells = ""
            for _, figure, reference, bound, at_least in TARGETS:
                theirs = results.get((db, size, endpoint, TARGET_CONNECTIONS, reference), [])
                value = ratio(ours, theirs, figure)
                met = value >= bound if at_least else value <= bound
                cells += f"{value:>13.2f} {'met' if met else 'missed':>6}"
            print(f"{endpoint:<14}{'':>6}  {label:<12}{cells}")


def ratio(ours: list[Result], reference: list[Result], figure: str) -> float:
    """Return the median over repetitions of ours / the reference's ``figure`` (same run)."""
    pairs = zip(ours, reference, strict=False)
    return median([getattr(o, figure) / getattr(r, figure) for o, r in pairs])


def print_scale_curve(results: Results, conns: int) -> None:
    """Print throughput against configuration size and its spread around the median."""
    curve = defaultdict(dict)
    for (db, size, endpoint, c, label), runs in results.items():
        if c == conns:
            curve[(db, endpoint, label)][size] = median([r.rps for r in runs])
    if not curve:
        return
    sizes = sorted({s for by_size in curve.values() for s in by_size})
    print(f"\n== scale curve at {conns} connections: req/s by destinations and topics")
    header = "".join(f"{s:>9}" for s in sizes)
    print(f"{'db':<10}{'endpoint':<14}{'contender':<12}{header}{'spread':>9}")
    for (db, endpoint, label), by_size in sorted(curve.items()):
        values = [by_size.get(s, float("nan")) for s in sizes]
        known = [v for v in values if v == v]
        spread = (max(known) - min(known)) / median(known) if len(known) > 1 else 0.0
        cells = "".join(f"{v:>9.0f}" for v in values)
        print(f"{db:<10}{endpoint:<14}{label:<12}{cells}{spread:>8.0%}")
