"""The benchmark's CPU count: per request, split by the workers' threads, and the host's."""

import os
import threading
import time
from pathlib import Path

import pytest

from bench import cpu


def thread_stat(name: str, user: int, system: int) -> str:
    """Return a /proc/<pid>/task/<tid>/stat line with the given CPU ticks."""
    after_name = ["S", "1", "1", "1", "0", "-1", "4194560", "10", "0", "0", "0"]
    return f"7 ({name}) " + " ".join([*after_name, str(user), str(system), "0", "0", "20"])


def fake_proc(root: Path, workers: dict[int, dict[int, tuple[int, int]]], host: list[int]):
    """Write a /proc with ``workers`` {pid: {tid: (user, system)}} and the host's cpu line."""
    for pid, threads in workers.items():
        for tid, (user, system) in threads.items():
            task = root / str(pid) / "task" / str(tid)
            task.mkdir(parents=True, exist_ok=True)
            (task / "stat").write_text(thread_stat("gunicorn: worker [app] (x)", user, system))
    (root / "stat").write_text("cpu  " + " ".join(map(str, host)) + "\ncpu0 1 2 3\n")


def test_a_run_is_split_into_request_threads_other_threads_and_the_host(tmp_path):
    before_dir, after_dir = tmp_path / "before", tmp_path / "after"
    fake_proc(before_dir, {100: {100: (10, 5), 101: (1, 1)}}, [100, 0, 50, 999, 7, 0, 0, 0, 0, 0])
    fake_proc(after_dir, {100: {100: (30, 15), 101: (6, 1)}}, [160, 0, 90, 5000, 70, 0, 0, 0, 0, 0])
    before, after = cpu.ticks([100], before_dir), cpu.ticks([100], after_dir)

    spent = cpu.per_request(before, after, requests=10)

    tick = cpu.TICK_US
    assert spent.request_us == pytest.approx(30 * tick / 10)
    assert spent.background_us == pytest.approx(5 * tick / 10)
    # Busy: user and system only; idle and iowait grew but are not CPU spent.
    assert spent.host_us == pytest.approx(100 * tick / 10)


def test_a_thread_started_during_the_run_counts_from_zero(tmp_path):
    fake_proc(tmp_path / "b", {100: {100: (10, 0)}}, [0] * 10)
    fake_proc(tmp_path / "a", {100: {100: (10, 0), 102: (4, 0)}}, [0] * 10)

    spent = cpu.per_request(cpu.ticks([100], tmp_path / "b"), cpu.ticks([100], tmp_path / "a"), 1)

    assert spent.background_us == pytest.approx(4 * cpu.TICK_US)


def test_a_replaced_worker_leaves_only_the_host_figure(tmp_path):
    fake_proc(tmp_path / "b", {100: {100: (10, 0)}}, [10] + [0] * 9)
    fake_proc(tmp_path / "a", {200: {200: (1, 0)}}, [20] + [0] * 9)

    spent = cpu.per_request(cpu.ticks([100], tmp_path / "b"), cpu.ticks([200], tmp_path / "a"), 1)

    assert spent.request_us is None and spent.background_us is None
    assert spent.host_us == pytest.approx(10 * cpu.TICK_US)


def test_a_worker_gone_between_listing_and_reading_is_skipped(tmp_path):
    fake_proc(tmp_path, {100: {100: (3, 0)}}, [0] * 10)

    assert cpu.ticks([100, 999], tmp_path).threads == {(100, 100): 3}


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_this_process_busy_thread_is_counted_as_background():
    spun, done = threading.Event(), threading.Event()

    def spin():
        stop = time.monotonic() + 0.5
        while time.monotonic() < stop:
            pass
        spun.set()
        done.wait()  # alive until read: an ended thread's ticks leave /proc with it

    before = cpu.ticks([os.getpid()])
    spinner = threading.Thread(target=spin)
    spinner.start()
    spun.wait()
    after = cpu.ticks([os.getpid()])
    done.set()
    spinner.join()

    spent = cpu.per_request(before, after, requests=1)

    # The main thread waited on the event; the spinner burnt about half a second.
    assert spent.background_us > 200_000
    assert spent.request_us < spent.background_us / 2
