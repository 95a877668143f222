"""Read the SIP worker's settings from the process environment."""

import os
from dataclasses import dataclass, replace

from handoff.settings import ConfigurationError, number


@dataclass(frozen=True)
class WorkerSettings:
    """Everything one worker process needs to listen, decide and record."""

    host: str = "127.0.0.1"
    port: int = 5060
    public_address: str = ""
    tls_port: int = 0
    tls_cert: str = ""
    tls_key: str = ""
    tls_ca: str = ""
    environment: str = "live"
    workers: int = 1
    max_legs: int = 4
    retry_after: int = 5
    refer_timeout: float = 30.0
    tts_dir: str = "instance/tts"
    log_level: int = 1

    @property
    def tls_enabled(self) -> bool:
        """Return whether a TLS listener with our own certificate is configured."""
        return bool(self.tls_cert and self.tls_key)

    def for_worker(self, index: int) -> "WorkerSettings":
        """Return the settings of pool member ``index``: consecutive SIP (and TLS) ports."""
        tls_port = self.tls_port + index if self.tls_port else 0
        return replace(self, port=self.port + index, tls_port=tls_port, workers=1)


def _hostport(raw: str, default_port: int) -> tuple[str, int]:
    host, _, port = raw.rpartition(":") if ":" in raw else (raw, "", str(default_port))
    try:
        number = int(port)
    except ValueError as exc:
        raise ConfigurationError(f"SIP_LISTEN must be host:port, got {raw!r}") from exc
    if not host or not 0 < number < 65536:
        raise ConfigurationError(f"SIP_LISTEN must be host:port, got {raw!r}")
    return host, number


def from_environment(environ: dict[str, str]) -> WorkerSettings:
    """Build the worker settings from environment variables.

    :raises ConfigurationError: when a setting is malformed or TLS is half-configured.
    """
    host, port = _hostport(environ.get("SIP_LISTEN", "127.0.0.1:5060"), 5060)
    cert, key = environ.get("SIP_TLS_CERT", ""), environ.get("SIP_TLS_KEY", "")
    if bool(cert) != bool(key):
        raise ConfigurationError("Set both SIP_TLS_CERT and SIP_TLS_KEY, or neither.")
    tls_port = _hostport(environ["SIP_TLS_LISTEN"], 5061)[1] if environ.get("SIP_TLS_LISTEN") else 0
    return WorkerSettings(
        host=host,
        port=port,
        public_address=environ.get("SIP_PUBLIC_ADDRESS", ""),
        tls_port=tls_port,
        tls_cert=cert,
        tls_key=key,
        tls_ca=environ.get("SIP_TLS_CA", ""),
        environment=environ.get("SIP_ENVIRONMENT", "live"),
        workers=number(environ, "SIP_WORKERS", 1, kind=int, minimum=1),
        max_legs=number(environ, "SIP_MAX_LEGS", 4, kind=int, minimum=2),
        retry_after=number(environ, "SIP_RETRY_AFTER", 5, kind=int, minimum=1),
        refer_timeout=number(environ, "SIP_REFER_TIMEOUT", 30.0, kind=float, minimum=1),
        tts_dir=environ.get("SIP_TTS_CACHE", "instance/tts"),
        log_level=number(environ, "SIP_LOG_LEVEL", 1, kind=int),
    )


def load() -> WorkerSettings:
    """Return the settings for this process."""
    return from_environment(dict(os.environ))
