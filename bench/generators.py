"""The load generators: wrk (Debian) and locust (PyPI), each posting a pool of signed calls.

Both send every pooled request at most once until the pool is used up, and print the same
JSON figures, so a contender's numbers can be checked with a second, independent generator.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.load import Result
from bench.signed import write_json_pool, write_lua_pool

HERE = Path(__file__).resolve().parent
WRK_SCRIPT = HERE / "wrk.lua"


@dataclass(frozen=True)
class Generator:
    """A load generator: how to write its pool of requests and how to run it."""

    name: str
    pool_suffix: str
    write_pool: Callable[[list[dict], str], None]
    # (url, pool file, connections, duration s) -> the JSON line it printed, parsed
    run: Callable[[str, Path, int, int], dict]

    def load(self, url: str, pool_file: Path, connections: int, duration: int) -> Result:
        """Load ``url`` for ``duration`` seconds with ``connections`` connections."""
        figures = self.run(url, pool_file, connections, duration)
        errors = sum(figures[k] for k in figures if k.endswith("_errors") or k == "timeouts")
        # Connect errors alone (sockets refused at 128 connections) are counted, not hidden.
        return Result(
            rps=figures["requests"] / (figures["duration_us"] / 1e6),
            p50_ms=figures["p50_us"] / 1000,
            p99_ms=figures["p99_us"] / 1000,
            errors=errors,
            requests=figures["requests"],
        )


def _last_json_line(command: list[str], env: dict | None = None) -> dict:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr or done.stdout}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def wrk_binary() -> str:
    """Return the path of wrk, or explain how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    return path


def run_wrk(url: str, pool_file: Path, connections: int, duration: int) -> dict:
    """Run wrk (2 threads, each sending its own half of the pool); return its figures."""
    threads = min(2, connections)
    command = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    command += ["--timeout", "15s", "-s", str(WRK_SCRIPT), url]
    env = {**os.environ, "BENCH_POOL": str(pool_file), "BENCH_THREADS": str(threads)}
    return _last_json_line(command, env)


def run_locust(url: str, pool_file: Path, connections: int, duration: int) -> dict:
    """Run locust (one process, a FastHttpUser per connection) through bench/locust_run.py."""
    command = [sys.executable, "-m", "bench.locust_run", url, str(pool_file)]
    return _last_json_line(command + [str(connections), str(duration)])


WRK = Generator("wrk", ".lua", write_lua_pool, run_wrk)
LOCUST = Generator("locust", ".json", write_json_pool, run_locust)
GENERATORS = {g.name: g for g in (WRK, LOCUST)}
