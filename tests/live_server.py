"""The service under a real gunicorn on loopback, for tests that need processes and load."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from tests.conftest import API_KEY, AUTH_TOKEN, PUBLIC_BASE_URL

ROOT = Path(__file__).resolve().parent.parent


def create_app():
    """Create the app as gunicorn would, with the test's last-known-good folder."""
    from app import create_app as factory

    app = factory()
    app.config["LAST_KNOWN_GOOD_DIR"] = os.environ["LAST_KNOWN_GOOD_DIR"]
    return app


class LiveServer:
    """gunicorn serving the app on a free loopback port, on the test run's database."""

    def __init__(self, database_uri: str, folder: Path, workers: int = 2, **settings: str):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = {
            **os.environ,
            "DATABASE_URL": database_uri,
            "SECRET_KEY": "live-test-secret",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "HANDOFF_API_KEY": API_KEY,
            "LAST_KNOWN_GOOD_DIR": str(folder),
            "RECORDS_JOURNAL_DIR": str(folder / "records"),
            "WEB_CONCURRENCY": str(workers),
            **settings,
        }
        self.log = open(folder / "gunicorn.log", "wb")  # noqa: SIM115 - closed in stop()
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{self.port}"]
        command += ["--access-logfile", "/dev/null", "tests.live_server:create_app()"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.validator = RequestValidator(AUTH_TOKEN)
        self._wait_for_workers(workers)

    def _wait_for_workers(self, workers: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(self.log.name).read_text()[-2000:]}")
            if len(self.worker_pids()) >= workers:
                try:
                    if self.request("GET", "/healthz")[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start in time")

    def worker_pids(self) -> list[int]:
        """Return the pids of the current worker processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def kill_worker(self) -> int:
        """SIGKILL one worker (gunicorn's arbiter starts a new one); return its pid."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def request(self, method: str, path: str, data: bytes | None = None, headers=None):
        """Send a request; return (status, body text); HTTP errors are answers too."""
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(req, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post_signed(self, path: str, params: dict, headers=None):
        """POST a webhook signed like Twilio signs it; return (status, body)."""
        signature = self.validator.compute_signature(PUBLIC_BASE_URL + path, params)
        all_headers = {
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
            **(headers or {}),
        }
        return self.request("POST", path, urlencode(params).encode(), all_headers)

    def stop(self) -> None:
        """Stop gunicorn at once (SIGINT: no graceful wait) and wait for it."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
