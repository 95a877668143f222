"""The benchmark report: ratios from the same run, and the targets met or missed."""

import re

from bench.load import Result
from bench.report import print_table

LABELS = ["(a) static", "(f) floor", "(b) lookup", "handoff", "handoff wb"]


def results_at(conns: int, figures: dict[str, tuple[float, float]]) -> dict:
    """Return one repetition of /voice/call results: {label: (req/s, p99 ms)}."""
    return {
        ("sqlite", 10, "/voice/call", conns, label): [Result(rps, 1.0, p99, 0)]
        for label, (rps, p99) in figures.items()
    }


FIGURES = {
    "(a) static": (4000, 10.0),
    "(f) floor": (3000, 13.0),
    "(b) lookup": (2000, 15.0),
    "handoff": (800, 50.0),
    "handoff wb": (2100, 19.0),
}


def test_each_target_is_reported_met_or_missed_at_32_connections(capsys):
    print_table(results_at(32, FIGURES), "sqlite", 10, LABELS)
    out = capsys.readouterr().out

    in_request = re.search(
        r"/voice/call\s+handoff\s+0\.20 missed\s+0\.40 missed\s+5\.00 missed", out
    )
    behind = re.search(r"/voice/call\s+handoff wb\s+0\.53 missed\s+1\.05 +met\s+1\.90 +met", out)
    assert in_request and behind, out


def test_a_ratio_on_the_bound_meets_it(capsys):
    exact = {**FIGURES, "handoff wb": (2800, 20.0)}  # 0.70 × (a), 1.40 × (b), p99 2.00 × (a)
    print_table(results_at(32, exact), "sqlite", 10, LABELS)

    assert re.search(r"handoff wb\s+0\.70 +met\s+1\.40 +met\s+2\.00 +met", capsys.readouterr().out)


def test_targets_are_not_reported_for_other_connection_counts(capsys):
    print_table(results_at(8, FIGURES), "sqlite", 10, LABELS)

    assert "targets" not in capsys.readouterr().out
