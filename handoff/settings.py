"""Read the service's configuration from the process environment."""

import os
from pathlib import Path

from limits import parse_many

DEVELOPMENT = "development"


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed; the service must not start."""


def database_url(raw: str | None, instance_path: str) -> str:
    """Return a SQLAlchemy URL for DATABASE_URL, defaulting to SQLite under instance/."""
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'handoff.sqlite3'}"
    # Heroku-style hosts hand out postgres://, which SQLAlchemy no longer accepts.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def engine_options(url: str, environ: dict[str, str]) -> dict:
    """Return SQLAlchemy engine options: on PostgreSQL, fail fast enough for Twilio's 15 s."""
    if not url.startswith("postgresql"):
        return {}
    timeout = int(environ.get("DATABASE_CONNECT_TIMEOUT", 3))
    # A webhook that waits longer than Twilio's budget drops the caller; failing fast
    # lets the voice webhooks answer from the last-known-good configuration instead.
    return {
        "pool_pre_ping": True,
        "pool_timeout": timeout,
        "connect_args": {"connect_timeout": timeout},
    }


def trusted_proxies(raw: str | None) -> int:
    """Return how many proxy hops may set X-Forwarded-* headers."""
    if not raw:
        return 0
    try:
        hops = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"TRUSTED_PROXIES must be a whole number, got {raw!r}") from exc
    if hops < 0:
        raise ConfigurationError("TRUSTED_PROXIES must not be negative")
    return hops


def from_environment(environ: dict[str, str], instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables."""
    app_env = environ.get("APP_ENV", "production")
    secret = environ.get("SECRET_KEY")
    if not secret:
        if app_env != DEVELOPMENT:
            raise ConfigurationError(
                "SECRET_KEY is not set. Set it to a long random string "
                "(or APP_ENV=development for a local run)."
            )
        secret = "dev-only-not-secret"
    return {
        "APP_ENV": app_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url(environ.get("DATABASE_URL"), instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(
            database_url(environ.get("DATABASE_URL"), instance_path), environ
        ),
        "TWILIO_ACCOUNT_SID": environ.get("TWILIO_ACCOUNT_SID", ""),
        "TWILIO_AUTH_TOKEN": environ.get("TWILIO_AUTH_TOKEN", ""),
        "TWILIO_API_KEY": environ.get("TWILIO_API_KEY", ""),
        "TWILIO_API_SECRET": environ.get("TWILIO_API_SECRET", ""),
        "PUBLIC_BASE_URL": environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        "TRUSTED_PROXIES": trusted_proxies(environ.get("TRUSTED_PROXIES")),
        "FUNCTIONS_DIR": environ.get("FUNCTIONS_DIR", "functions"),
        "HANDOFF_API_KEY": environ.get("HANDOFF_API_KEY", ""),
        "ADMIN_EMAIL": environ.get("ADMIN_EMAIL", ""),
        "ADMIN_PASSWORD": environ.get("ADMIN_PASSWORD", ""),
        # Only an explicit development setting may switch signature checks off.
        "TWILIO_VALIDATE_SIGNATURES": environ.get("TWILIO_VALIDATE_SIGNATURES", "1") != "0",
        "MAX_CONTENT_LENGTH": int(environ.get("MAX_CONTENT_LENGTH", 256 * 1024)),
        # The UI session cookie: never readable by scripts, never sent cross-site on a POST,
        # and only over HTTPS except on a developer's own machine.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": app_env != DEVELOPMENT,
        **context_settings(environ),
        **sign_in_settings(environ),
    }


def number(environ: dict[str, str], name: str, default, kind=float, minimum=0):
    """Return a number setting (``kind``: float or int) of at least ``minimum``, or its default."""
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc
    if value < minimum:
        floor = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
        raise ConfigurationError(f"{name} {floor}")
    return value


def origins(raw: str) -> tuple[str, ...]:
    """Return the comma-separated origins in ``raw``, each as scheme://host[:port]."""
    found = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in found:
        scheme, _, host = origin.partition("://")
        if scheme not in ("http", "https") or not host or "/" in host:
            example = "https://wallboard.example.com"
            raise ConfigurationError(f"SSE_ALLOWED_ORIGINS takes origins like {example}: {origin}")
    return found


def context_settings(environ: dict[str, str]) -> dict:
    """Return the settings of functions, call records, deliveries, metrics and the Twilio API."""
    return {
        "FUNCTION_TIMEOUT": number(environ, "FUNCTION_TIMEOUT", 2.0),
        "DELIVERY_WORKER": environ.get("DELIVERY_WORKER", "thread"),
        # How stale a process's view of the configuration versions may be, in seconds.
        "CONFIG_MAX_AGE": number(environ, "CONFIG_MAX_AGE", 1.0),
        # 1: write call records behind the answer, in batches, journaled for a killed
        # worker's successor; 0 (default): write them inside each webhook, before answering.
        "RECORDS_WRITE_BEHIND": environ.get("RECORDS_WRITE_BEHIND", "0") == "1",
        # Seconds a write-behind batch may wait to fill before it is written.
        "RECORDS_LINGER": number(environ, "RECORDS_LINGER", 0.05),
        # Where write-behind journals live (default: instance/records); one folder per host.
        "RECORDS_JOURNAL_DIR": environ.get("RECORDS_JOURNAL_DIR", ""),
        "DELIVERY_POLL": number(environ, "DELIVERY_POLL", 1.0),
        "DELIVERY_TIMEOUT": number(environ, "DELIVERY_TIMEOUT", 5.0),
        "DELIVERY_BACKOFF": number(environ, "DELIVERY_BACKOFF", 5.0),
        "DELIVERY_BACKOFF_MAX": number(environ, "DELIVERY_BACKOFF_MAX", 3600.0),
        "DELIVERY_MAX_ATTEMPTS": int(number(environ, "DELIVERY_MAX_ATTEMPTS", 12)),
        "METRICS_TOKEN": environ.get("METRICS_TOKEN", ""),
        "SSE_MAX_SECONDS": number(environ, "SSE_MAX_SECONDS", 8.0),
        "SSE_POLL": number(environ, "SSE_POLL", 0.5),
        # How long a live stream waits for a missing transition id before it passes over it.
        "SSE_GAP_WAIT": number(environ, "SSE_GAP_WAIT", 5.0),
        # Seconds a stream token (for a browser's EventSource) opens the stream.
        "SSE_TOKEN_MAX_AGE": number(environ, "SSE_TOKEN_MAX_AGE", 43200.0, minimum=1),
        # Origins whose pages may open the stream (CORS), e.g. https://wallboard.example.com.
        "SSE_ALLOWED_ORIGINS": origins(environ.get("SSE_ALLOWED_ORIGINS", "")),
        "TWILIO_API_BASE_URL": environ.get("TWILIO_API_BASE_URL", ""),
        "TWILIO_TIMEOUT": number(environ, "TWILIO_TIMEOUT", 10.0),
    }


# Where sign-in failures may be counted: in the process, or in Redis (its client is pinned).
LIMIT_STORAGES = ("memory", "redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")


def sign_in_settings(environ: dict[str, str]) -> dict:
    """Return how many failed sign-ins are allowed, per address and account, and where counted."""
    storage = environ.get("SIGN_IN_LIMIT_STORAGE") or "memory://"
    if storage.partition("://")[0] not in LIMIT_STORAGES:
        raise ConfigurationError(
            f"SIGN_IN_LIMIT_STORAGE must be memory:// or a redis:// URL, got {storage!r}"
        )
    return {
        "SIGN_IN_LIMIT": rate_limits(environ, "SIGN_IN_LIMIT", "10 per minute; 50 per hour"),
        "SIGN_IN_ACCOUNT_LIMIT": rate_limits(environ, "SIGN_IN_ACCOUNT_LIMIT", "10 per 15 minutes"),
        "SIGN_IN_LIMIT_STORAGE": storage,
    }


def rate_limits(environ: dict[str, str], name: str, default: str) -> str:
    """Return a rate-limit setting ("10 per minute; 50 per hour"), checked, or its default."""
    raw = environ.get(name) or default
    try:
        # Zero would refuse every sign-in, the right password too.
        if all(item.amount >= 1 for item in parse_many(raw)):
            return raw
    except ValueError:
        pass
    raise ConfigurationError(f"{name} must read like '10 per minute; 50 per hour', got {raw!r}")


def load(instance_path: str) -> dict:
    """Return the config mapping for this process."""
    return from_environment(dict(os.environ), instance_path)
