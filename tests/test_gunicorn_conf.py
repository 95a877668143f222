"""gunicorn.conf.py: workers from the CPU count, under Twilio's deadline, start-up heap frozen."""

import gc
import multiprocessing
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.fixture
def conf(monkeypatch):
    for name in ("WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    return runpy.run_path(str(CONF))


def test_workers_follow_the_cpu_count_and_time_out_before_twilio_gives_up(conf):
    assert conf["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert conf["timeout"] < 15
    assert conf["graceful_timeout"] < 15


def test_a_started_worker_keeps_what_it_loaded_out_of_full_collections(conf):
    assert gc.get_freeze_count() == 0
    try:
        conf["post_worker_init"](None).join(timeout=30)
        # Everything alive now (the app, SQLAlchemy, twilio) is exempt from the cyclic GC.
        assert gc.get_freeze_count() > 1000
        assert not any(obj is conf for obj in gc.get_objects())
    finally:
        gc.unfreeze()
