"""The benchmarks run end to end, as `make bench` runs them (wrk installed by make test)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = ("(a) static", "(f) floor", "(b) lookup", "handoff", "handoff wb", "(h) ceiling")


@pytest.mark.bench
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is missing: make test installs it")
@pytest.mark.parametrize("generator", ["wrk", "locust"])
def test_the_benchmark_measures_every_contender_and_prints_the_ratios(generator):
    command = [sys.executable, "-m", "bench.webhook", "--db", "sqlite", "--sizes", "10"]
    command += ["--connections", "2", "--duration", "1", "--repeat", "1", "--warmup", "0"]
    command += ["--generator", generator, "--ceiling"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "left out" not in out, out
    assert f"{generator}: 1 s per run" in out, out
    for endpoint in ("/voice/call", "/voice/gather"):
        for contender in CONTENDERS:
            # req/s, p50, p99, then CPU µs per request: request threads, others, the host.
            figures = r"\s+(\d+)\s+[\d.]+\s+[\d.]+\s+(\d+)\s+(\d+)\s+(\d+)"
            row = re.search(rf"{re.escape(endpoint)}\s+2\s+{re.escape(contender)}{figures}", out)
            assert row, f"{endpoint} {contender}:\n{out}"
            rps, request_us, _, host_us = (int(g) for g in row.groups())
            assert rps > 0 and 0 < request_us <= host_us, f"{endpoint} {contender}:\n{out}"
        for ours in ("(f) floor", "handoff", "handoff wb", "(h) ceiling"):
            ratios = rf"{re.escape(endpoint)}\s+2\s+{re.escape(ours)}(\s+\d+\.\d\d){{4}}"
            assert re.search(ratios, out), out


@pytest.mark.bench
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is missing: make test installs it")
def test_the_scale_curve_loads_every_size_in_turn_rotating_the_order():
    command = [sys.executable, "-m", "bench.webhook", "--db", "sqlite", "--sizes", "10,20"]
    command += ["--connections", "2", "--scale-connections", "3", "--endpoints", "call"]
    command += ["--duration", "1", "--repeat", "2", "--warmup", "0", "--pool", "6000"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    # Every size is served at once and each takes each turn, so drift falls on both alike.
    assert "scale, repetition 1: 10, 20\nscale, repetition 2: 20, 10\n" in out, out
    curve = out[out.index("== scale curve at 3 connections") :]
    for contender in CONTENDERS[:-1]:
        row = rf"sqlite\s+/voice/call\s+{re.escape(contender)}\s+(\d+)\s+(\d+)\s+\d+%"
        figures = re.search(row, curve)
        assert figures and all(int(f) > 0 for f in figures.groups()), f"{contender}:\n{curve}"
    # The sweep's runs (2 connections) are not points of the curve.
    assert "/voice/call        2  " not in curve


@pytest.mark.bench
def test_the_in_process_benchmark_times_the_ceiling_answering_alone():
    command = [sys.executable, "-m", "bench.inprocess", "--endpoint", "gather", "--app", "ceiling"]
    command += ["--requests", "20", "--rounds", "2"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = re.search(r"ceiling /voice/gather on sqlite: answer (\d+) µs/request \(", done.stdout)
    assert figures and int(figures.group(1)) > 0, done.stdout


@pytest.mark.bench
def test_the_in_process_benchmark_prints_what_answering_and_recording_cost():
    command = [sys.executable, "-m", "bench.inprocess", "--endpoint", "gather"]
    command += ["--write-behind", "--requests", "20", "--rounds", "2"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = re.search(r"answer (\d+) µs/request, record behind (\d+) µs/request", done.stdout)
    assert figures and all(int(f) > 0 for f in figures.groups()), done.stdout
