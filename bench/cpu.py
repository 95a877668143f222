"""Count the CPU a run spent: the workers' request threads, their other threads, the host.

Read from Linux's /proc, in clock ticks. gunicorn's sync workers answer on their main
thread; anything else a worker runs (the write-behind recorder, the delivery worker) is on
its other threads. The host's busy time also holds wrk, the gunicorn master, the kernel's
network work and, with PostgreSQL, the database server.
"""

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Ticks:
    """CPU ticks spent so far: by each live worker thread, and by the whole host."""

    # (worker pid, thread id) -> ticks, user and system.
    threads: dict[tuple[int, int], int]
    host: int


@dataclass(frozen=True)
class Spent:
    """CPU µs per request over one run (None: a worker was replaced during it)."""

    request_us: float | None
    background_us: float | None
    host_us: float


def ticks(worker_pids: list[int], proc: Path = PROC) -> Ticks:
    """Return the ticks each thread of ``worker_pids`` and the host have spent so far."""
    threads = {}
    for pid in worker_pids:
        try:
            tasks = list((proc / str(pid) / "task").iterdir())
        except FileNotFoundError:
            continue  # the worker ended since its pid was read
        for task in tasks:
            try:
                threads[(pid, int(task.name))] = _thread_ticks((task / "stat").read_text())
            except FileNotFoundError:
                continue  # the thread ended
    return Ticks(threads, _host_ticks((proc / "stat").read_text()))


def per_request(before: Ticks, after: Ticks, requests: int) -> Spent:
    """Return the CPU µs per request spent between two readings."""
    scale = TICK_US / max(requests, 1)
    host = (after.host - before.host) * scale
    if {pid for pid, _ in before.threads} != {pid for pid, _ in after.threads}:
        # A recycled worker took its ticks with it: only the host's count is whole.
        return Spent(None, None, host)
    request = background = 0
    for (pid, tid), spent in after.threads.items():
        delta = spent - before.threads.get((pid, tid), 0)
        if tid == pid:
            request += delta
        else:
            background += delta
    return Spent(request * scale, background * scale, host)


def _thread_ticks(stat: str) -> int:
    """Return utime + stime from a /proc/<pid>/task/<tid>/stat line."""
    # The command name is in parentheses and may hold spaces: split after its end.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _host_ticks(stat: str) -> int:
    """Return the busy ticks of every CPU from /proc/stat (all but idle and iowait)."""
    values = [int(v) for v in stat.splitlines()[0].split()[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice, already in user]
    return sum(values[:8]) - values[3] - values[4]
