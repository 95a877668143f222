"""Start and stop the contenders under gunicorn, all with the same settings."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.signed import AUTH_TOKEN, PUBLIC_BASE_URL

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


@dataclass(frozen=True)
class Contender:
    """One app under test: a gunicorn app spec, the label printed for it, its own settings."""

    label: str
    app_spec: str
    settings: tuple[tuple[str, str], ...] = ()
    # Its records are written after the load: the time they take counts in its req/s.
    writes_behind: bool = False


HANDOFF = Contender("handoff", "app:create_app()")
BEHIND = (("RECORDS_WRITE_BEHIND", "1"),)
HANDOFF_BEHIND = Contender("handoff wb", "app:create_app()", BEHIND, writes_behind=True)
OURS = (HANDOFF, HANDOFF_BEHIND)
# Opt-in (--ceiling): answering alone, what no way of recording could beat.
CEILING = Contender("(h) ceiling", "bench.reference_ceiling:create_app()", BEHIND)
STATIC = Contender("(a) static", "bench.reference_static:create_app()")
FLOOR = Contender("(f) floor", "bench.reference_floor:create_app()")
LOOKUP = Contender("(b) lookup", "bench.reference_lookup:create_app()")
REFERENCES = (STATIC, FLOOR, LOOKUP)


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, workers: int, threads: int) -> dict:
    """Return the process environment every contender gets."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
    }


class Server:
    """A gunicorn process serving one contender on a loopback port."""

    def __init__(
        self,
        contender: Contender,
        environ: dict,
        log_path: Path,
        wait: bool = True,
        cwd: Path = ROOT,
    ):
        self.contender = contender
        self.port = free_port()
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        # The project's own gunicorn.conf.py for everyone; only the bind address differs.
        command = [str(GUNICORN), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{self.port}"]
        command += ["--access-logfile", "/dev/null", contender.app_spec]
        self.process = subprocess.Popen(
            command,
            # gunicorn imports the app from here (bench/compare.py: an earlier revision's tree).
            cwd=cwd,
            env={**environ, **dict(contender.settings)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_until_listening()

    def worker_pids(self) -> list[int]:
        """Return the pids of gunicorn's worker processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    @property
    def url(self) -> str:
        """Return the base URL the load generator targets."""
        return f"http://127.0.0.1:{self.port}"

    def wait_until_listening(self, timeout: float = 30.0) -> None:
        """Return once gunicorn accepts connections; raise if it exits or takes too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.contender.label}: gunicorn exited, see {self.log.name}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.contender.label}: gunicorn did not listen within {timeout}s")

    def stop(self) -> None:
        """Stop gunicorn gracefully and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def start_together(started: list[tuple[Contender, dict, Path]], log_path: Path) -> list[Server]:
    """Start a gunicorn per (contender, environment, tree) at once; wait for all, or stop all."""
    servers: list[Server] = []
    try:
        # Started together, then waited for: each spends most of a second importing the app.
        for contender, environ, tree in started:
            servers.append(Server(contender, environ, log_path, wait=False, cwd=tree))
        for server in servers:
            server.wait_until_listening()
    except BaseException:
        stop_all(servers)
        raise
    return servers


def stop_all(servers: list[Server]) -> None:
    """Stop every server given."""
    for server in servers:
        server.stop()
