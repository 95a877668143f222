"""Real SIP peers for the worker's tests: free ports, the worker process, SIPp runs."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
HOST = "127.0.0.1"


def free_port(count: int = 1) -> int:
    """Return the first of ``count`` consecutive ports free for both UDP and TCP."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            first = probe.getsockname()[1]
        if first + count < 65000 and all(_free(first + i) for i in range(count)):
            return first
    raise RuntimeError("no free consecutive ports")


def _free(port: int) -> bool:
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(socket.AF_INET, kind) as probe:
                probe.bind((HOST, port))
    except OSError:
        return False
    return True


class WorkerProcess:
    """``python -m sipworker`` as a child process, stopped with SIGTERM."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self.port = int(env["SIP_LISTEN"].rpartition(":")[2])
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sipworker"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, text: str = "listening", timeout: float = 20.0) -> None:
        """Wait until the worker logs ``text`` (it then accepts calls)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output() or self.process.poll() is not None:
                break
            time.sleep(0.05)
        assert self.process.poll() is None, f"worker exited:\n{self.output()}"
        assert text in self.output(), f"worker not ready:\n{self.output()}"

    def output(self) -> str:
        """Return what the worker logged so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 15.0) -> int:
        """Send SIGTERM and return the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log.close()
        return code


@dataclass
class SippRun:
    """A finished SIPp run: its exit status and every message it sent or received."""

    returncode: int
    messages: str
    output: str

    def received(self, method: str) -> list[str]:
        """Return the requests of ``method`` that SIPp received, as text."""
        blocks = re.split(r"-{20,}[^\n]*\n", self.messages)
        return [b for b in blocks if "message received" in b and f"\n{method} sip" in b]


class Sipp:
    """One SIPp process playing a scenario from tests/sip/scenarios."""

    def __init__(
        self, scenario: str, tmp: Path, port: int, remote: str = "", hold: int = 0, **keys
    ):
        self.messages = tmp / f"sipp-{scenario}-{port}.log"
        self.screen = tmp / f"sipp-{scenario}-{port}.out"
        command = ["sipp", "-sf", str(SCENARIOS / f"{scenario}.xml"), "-i", HOST]
        command += ["-p", str(port), "-mp", str(free_port(4)), "-nostdin", "-m", "1"]
        command += ["-trace_msg", "-message_file", str(self.messages)]
        command += ["-trace_err", "-error_file", str(tmp / f"sipp-{scenario}-{port}.err")]
        if hold:
            # How long a scenario's <pause/> lasts, in milliseconds.
            command += ["-d", str(hold)]
        for key, value in keys.items():
            command += ["-key", key, str(value)]
        self.command = command + ([remote] if remote else [])
        with open(self.screen, "wb") as screen:
            self.process = subprocess.Popen(
                self.command, cwd=tmp, stdout=subprocess.DEVNULL, stderr=screen
            )

    def wait(self, timeout: float = 30.0) -> SippRun:
        """Wait for SIPp to finish its calls and return what happened."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        read = lambda p: p.read_text(errors="replace") if p.exists() else ""  # noqa: E731
        return SippRun(code, read(self.messages), read(self.screen))

    def stop(self) -> None:
        """Kill SIPp if it is still running."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
