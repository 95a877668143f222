"""Per-process configuration cache keyed by config version, plus a last-known-good copy.

A call costs at most one cheap version query, and none while the versions were checked
less than ``max_age`` seconds ago; the last-known-good copy (in memory and as JSON under
the instance folder) answers calls while the database is unreachable.
"""

import contextlib
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.config import EnvironmentConfig
from handoff.config_rows import load_environment_config
from handoff.environments import LIVE
from handoff.errors import ValidationFailed
from handoff.numbers import normalise_number
from models import Environment, PhoneNumber

log = logging.getLogger(__name__)
# Called numbers remembered per version of the assignments (unknown callers included).
MAX_RESOLVED_NUMBERS = 10_000
# Seconds a call waits for another thread's load of the same configuration before loading it.
LOAD_WAIT = 5.0


class ConfigCache:
    """One process's (one app's) configurations by version, and the last known good ones."""

    def __init__(self, folder: str, max_age: float = 0.0, clock=time.monotonic):
        self.folder = folder
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._configs: dict[tuple[str, int], EnvironmentConfig] = {}
        self._last_known_good: dict[str, EnvironmentConfig] = {}
        self._numbers: dict[str, str] | None = None
        self._checked_at: float | None = None
        self._versions: dict[str, tuple[int, int]] = {}
        self._assigned: dict[str, str] | None = None
        self._resolved: dict[str, str] = {}
        # One lock per environment (a handful): held while one of its versions loads.
        self._loading: dict[str, threading.Lock] = {}

    def for_call(self, session: Session, requested: str, called: str) -> EnvironmentConfig:
        """Return the configuration a call uses: ``?env=``'s, the number's, else live's."""
        self._check_versions(session)
        known = requested in self._versions
        name = requested if known else self._environment_of(session, called)
        env_id, version = self._versions[name]
        config = self._configs.get((name, version))
        if config is None:
            config = self.get(session, session.get(Environment, env_id))
        self.remember_number(called, name)
        return config

    def _check_versions(self, session: Session) -> None:
        """Read every environment's version, unless that was done under ``max_age`` ago."""
        now = self._clock()
        if self._checked_at is not None and now - self._checked_at < self.max_age:
            return
        try:
            rows = session.execute(
                select(Environment.name, Environment.id, Environment.config_version)
            ).all()
        except Exception:
            if not self._versions:
                raise
            # The database is away: keep routing from the configurations in memory.
            log.warning("could not check configuration versions; using those in memory")
            session.rollback()
            self._checked_at = now
            return
        versions = {name: (env_id, version) for name, env_id, version in rows}
        if versions != self._versions:
            # Number assignments bump their environment's version: reload them with it.
            self._assigned, self._resolved = None, {}
            self._versions = versions
        self._checked_at = now

    def _environment_of(self, session: Session, called: str) -> str:
        """Return the environment ``called`` is assigned to (live when none)."""
        name = self._resolved.get(called)
        if name is not None:
            return name
        assigned = self._assigned
        if assigned is None:
            query = select(PhoneNumber.number, Environment.name).join(
                Environment, PhoneNumber.environment_id == Environment.id
            )
            assigned = self._assigned = {number: env for number, env in session.execute(query)}
        name = assigned.get(called)
        if name is None and called:
            # Not a phone number (e.g. a SIP URI): only an exact assignment matches.
            with contextlib.suppress(ValidationFailed):
                name = assigned.get(normalise_number(called))
        name = name if name in self._versions else LIVE
        if len(self._resolved) < MAX_RESOLVED_NUMBERS:
            self._resolved[called] = name
        return name

    def get(self, session: Session, environment: Environment) -> EnvironmentConfig:
        """Return ``environment``'s configuration, loading it only when its version changed."""
        key = (environment.name, environment.config_version)
        config = self._configs.get(key)
        if config is not None:
            return config
        with self._lock:
            loading = self._loading.setdefault(environment.name, threading.Lock())
        # One thread loads a version (seconds at 10,000 topics); the others wait for it, not
        # load it again beside it. A load that hangs is not waited on for ever.
        waited = loading.acquire(timeout=LOAD_WAIT)
        try:
            config = self._configs.get(key)
            if config is None:
                config = load_environment_config(session, environment)
                with self._lock:
                    for stale in [k for k in self._configs if k[0] == environment.name]:
                        del self._configs[stale]
                    self._configs[key] = config
                self.remember(config)
        finally:
            if waited:
                loading.release()
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
            self._checked_at, self._versions, self._assigned = None, {}, None


def _write_json(path: Path, data: dict) -> None:
    """Write atomically so a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    os.replace(tmp, path)
