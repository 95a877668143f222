"""`make bench-compare` serves an earlier revision beside this checkout and compares them."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.compare import parse_args, print_comparison
from bench.cpu import Spent
from bench.load import Result

ROOT = Path(__file__).resolve().parent.parent


def compare(*options: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "bench.compare", *options]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def worktrees() -> str:
    return subprocess.run(
        ["git", "worktree", "list"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.bench
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is missing: make test installs it")
def test_both_revisions_are_loaded_beside_the_references_and_compared():
    done = compare(
        *("--base", "HEAD", "--endpoints", "call", "--connections", "2"),
        *("--duration", "1", "--repeat", "2", "--pool", "3000"),
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"before: HEAD \([0-9a-f]{7}\); after: this checkout", out), out
    for label in ("(a) static", "(b) lookup", "before", "after"):
        row = re.search(rf"/voice/call\s+{re.escape(label)}\s+(\d+)\s+[\d.]+\s+[\d.]+\s+(\d+)", out)
        assert row and all(int(g) > 0 for g in row.groups()), f"{label}:\n{out}"
    ratios = re.search(r"/voice/call\s+(\d+\.\d\d)\s+(\d+\.\d\d)\s+(\d+\.\d\d)\n", out)
    assert ratios and all(float(r) > 0 for r in ratios.groups()), out
    # The earlier revision's checkout is gone with the run.
    assert "handoff-compare-" not in worktrees()


def test_a_revision_that_does_not_exist_is_refused_by_name():
    done = compare("--base", "no-such-revision")
    assert done.returncode == 1
    assert "--base: 'no-such-revision' is not a revision of this repository" in done.stderr
    assert "handoff-compare-" not in worktrees()


def test_calls_sent_twice_are_flagged_on_the_contender_that_got_them(capsys):
    args = parse_args(["--endpoints", "call"])
    key = ("sqlite", 10, "/voice/call", 32)
    figures = {"(a) static": 0, "(b) lookup": 0, "before": 0, "after": 120}
    results = {
        (*key, label): [Result(900, 1.0, 9.0, 0, cpu=Spent(None, None, 1000), repeated=again)]
        for label, again in figures.items()
    }
    print_comparison(results, args)
    rows = {
        line.split()[1]: line for line in capsys.readouterr().out.splitlines() if "/voice" in line
    }

    assert rows["after"].endswith("(120 calls sent twice: raise --pool)"), rows
    assert "sent twice" not in rows["before"], rows
