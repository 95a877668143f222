"""A configuration version is loaded once per process, however many threads want it at once."""

import threading
import time
from types import SimpleNamespace

from handoff import config_cache
from handoff.config import EnvironmentConfig
from handoff.config_cache import ConfigCache


def slow_loader(loads: list, seconds: float):
    """Return a stand-in for load_environment_config that takes ``seconds`` and counts calls."""

    def load(session, environment):
        loads.append(threading.get_ident())
        time.sleep(seconds)
        return EnvironmentConfig(environment.name, environment.config_version)

    return load


def get_in_threads(cache: ConfigCache, environment, count: int) -> list:
    """Call ``cache.get`` from ``count`` threads at once; return what each got."""
    got = [None] * count

    def get(i):
        got[i] = cache.get(None, environment)

    threads = [threading.Thread(target=get, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return got


def test_threads_wanting_the_same_version_wait_for_one_load(tmp_path, monkeypatch):
    loads = []
    monkeypatch.setattr(config_cache, "load_environment_config", slow_loader(loads, 0.2))
    cache = ConfigCache(str(tmp_path))
    got = get_in_threads(cache, SimpleNamespace(name="live", config_version=3), 4)
    assert len(loads) == 1
    assert all(config is got[0] for config in got)
    assert got[0].version == 3


def test_a_load_that_hangs_is_not_waited_on_for_ever(tmp_path, monkeypatch):
    loads = []
    monkeypatch.setattr(config_cache, "load_environment_config", slow_loader(loads, 0.5))
    monkeypatch.setattr(config_cache, "LOAD_WAIT", 0.1)
    cache = ConfigCache(str(tmp_path))
    got = get_in_threads(cache, SimpleNamespace(name="live", config_version=3), 2)
    assert len(loads) == 2
    assert all(config is not None and config.version == 3 for config in got)
