"""Per-process configuration cache keyed by config version, plus a last-known-good copy.

A call costs one cheap version query; the last-known-good copy (in memory and as JSON
under the instance folder) answers calls while the database is unreachable.
"""

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.config import EnvironmentConfig, load_environment_config
from handoff.environments import LIVE
from handoff.numbers import assigned_environment
from models import Environment

log = logging.getLogger(__name__)


def environment_for_call(session: Session, requested: str | None, called: str) -> Environment:
    """Return the environment a call belongs to: ``?env=``, the number's, else live."""
    if requested:
        env = session.scalar(select(Environment).where(Environment.name == requested))
        if env is not None:
            return env
    if called:
        env = assigned_environment(session, called)
        if env is not None:
            return env
    return session.scalar(select(Environment).where(Environment.name == LIVE))


class ConfigCache:
    """One process's (one app's) configurations by version, and the last known good ones."""

    def __init__(self, folder: str):
        self.folder = folder
        self._lock = threading.Lock()
        self._configs: dict[tuple[str, int], EnvironmentConfig] = {}
        self._last_known_good: dict[str, EnvironmentConfig] = {}
        self._numbers: dict[str, str] | None = None

    def get(self, session: Session, environment: Environment) -> EnvironmentConfig:
        """Return ``environment``'s configuration, loading it only when its version changed."""
        key = (environment.name, environment.config_version)
        config = self._configs.get(key)
        if config is None:
            config = load_environment_config(session, environment)
            with self._lock:
                for stale in [k for k in self._configs if k[0] == environment.name]:
                    del self._configs[stale]
                self._configs[key] = config
            self.remember(config)
        return config

    def remember(self, config: EnvironmentConfig) -> None:
        """Keep ``config`` as the last known good, in memory and on disk."""
        with self._lock:
            self._last_known_good[config.environment] = config
        try:
            _write_json(self.snapshot_path(config.environment), config.to_dict())
        except OSError:
            log.exception("could not write the last-known-good config of %s", config.environment)

    def last_known_good(self, environment: str) -> EnvironmentConfig | None:
        """Return the last configuration seen for ``environment`` (memory, then disk)."""
        config = self._last_known_good.get(environment)
        if config is not None:
            return config
        try:
            data = json.loads(self.snapshot_path(environment).read_text())
            config = EnvironmentConfig.from_dict(data)
        except (OSError, ValueError, TypeError, KeyError):
            return None
        with self._lock:
            self._last_known_good.setdefault(environment, config)
        return config

    def remember_number(self, number: str, environment: str) -> None:
        """Note a number assigned to another environment than live, for database outages."""
        wanted = None if environment == LIVE else environment
        numbers = self._load_numbers()
        if not number or numbers.get(number) == wanted:
            return
        with self._lock:
            if wanted is None:
                numbers.pop(number, None)
            else:
                numbers[number] = wanted
            data = dict(numbers)
        try:
            _write_json(self._numbers_path(), data)
        except OSError:
            log.exception("could not write the last-known number assignments")

    def number_environment(self, number: str) -> str | None:
        """Return the environment ``number`` was last assigned to (None: live or unknown)."""
        return self._load_numbers().get(number)

    def _load_numbers(self) -> dict[str, str]:
        if self._numbers is None:
            try:
                loaded = json.loads(self._numbers_path().read_text())
            except (OSError, ValueError):
                loaded = {}
            if not isinstance(loaded, dict):
                loaded = {}
            self._numbers = {str(k): str(v) for k, v in loaded.items()}
        return self._numbers

    def _numbers_path(self) -> Path:
        return Path(self.folder) / "last_known_good" / "numbers.json"

    def snapshot_path(self, environment: str) -> Path:
        """Return the JSON file holding ``environment``'s last-known-good configuration."""
        return Path(self.folder) / "last_known_good" / f"{environment}.json"

    def clear(self) -> None:
        """Forget every cached configuration, keeping the files on disk."""
        with self._lock:
            self._configs.clear()
            self._last_known_good.clear()


def _write_json(path: Path, data: dict) -> None:
    """Write atomically so a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    os.replace(tmp, path)
