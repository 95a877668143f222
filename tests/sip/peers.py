"""Real SIP peers for the worker's tests: free ports, the worker process, SIPp runs."""

import array
import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import wave
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
HOST = "127.0.0.1"


def free_port(count: int = 1) -> int:
    """Return the first of ``count`` consecutive ports free for both UDP and TCP.

    Picked below the kernel's ephemeral range (32768+), where outgoing connections of
    other processes would otherwise grab a port between this check and the bind.
    """
    for _ in range(500):
        first = random.randrange(20000, 32000 - count)
        if all(_free(first + i) for i in range(count)):
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

    def wait_ready(self, count: int = 1, text: str = "SIP worker listening") -> None:
        """Wait until ``count`` workers log ``text`` (they then accept calls)."""
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline:
            if self.output().count(text) >= count or self.process.poll() is not None:
                break
            time.sleep(0.05)
        assert self.process.poll() is None, f"worker exited:\n{self.output()}"
        assert self.output().count(text) >= count, f"worker not ready:\n{self.output()}"

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
        self,
        scenario: str,
        tmp: Path,
        port: int,
        remote: str = "",
        hold: int = 0,
        calls: int = 1,
        rate: int = 10,
        limit: int = 0,
        rtp_echo: bool = False,
        rtt: bool = False,
        **keys,
    ):
        self.messages = tmp / f"sipp-{scenario}-{port}.log"
        self.screen = tmp / f"sipp-{scenario}-{port}.out"
        command = ["sipp", "-sf", str(SCENARIOS / f"{scenario}.xml"), "-i", HOST]
        command += ["-p", str(port), "-mp", str(free_port(4)), "-nostdin"]
        # ``calls`` calls, ``limit`` (default: all) at once, started ``rate`` per second.
        command += ["-m", str(calls), "-l", str(limit or calls), "-r", str(rate)]
        command += ["-rtp_echo"] if rtp_echo else []
        command += ["-trace_rtt", "-rtt_freq", "1"] if rtt else []
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


class Kamailio:
    """Kamailio with the shipped configuration, dispatching to ``workers``."""

    def __init__(self, tmp: Path, port: int, workers: list[int], timeout_ms: int = 1000):
        self.port = port
        self.log_path = tmp / f"kamailio-{port}.log"
        targets = tmp / f"dispatcher-{port}.list"
        targets.write_text("".join(f"1 sip:{HOST}:{w}\n" for w in workers))
        runtime = tmp / f"kamailio-run-{port}"
        runtime.mkdir()
        command = ["kamailio", "-DD", "-E", "-f", str(ROOT / "deploy/kamailio/kamailio.cfg")]
        command += ["-Y", str(runtime), "-A", f"LISTEN_ADDR=udp:{HOST}:{port}"]
        command += ["-A", f'DISPATCHER_LIST="{targets}"', "-A", f"WORKER_TIMEOUT_MS={timeout_ms}"]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.process.poll() is None:
            if not _free(self.port):
                return
            time.sleep(0.05)
        raise AssertionError(f"Kamailio did not start:\n{self.output()}")

    def output(self) -> str:
        """Return what Kamailio logged."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop Kamailio and its children."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class PjPeer:
    """tests/sip/pjpeer.py in its own process (a pjsua2 caller or callee)."""

    def __init__(self, role: str, port: int, tmp: Path, uri: str = "", **options):
        self.record = tmp / f"{role}-{port}.wav"
        command = [sys.executable, str(Path(__file__).with_name("pjpeer.py")), role, str(port)]
        command += [uri] if uri else []
        command += ["--record", str(self.record)]
        for name, value in options.items():
            flag = f"--{name.replace('_', '-')}"
            command += [flag] if value is True else [flag, str(value)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        # PJSIP logs a few lines to stdout before its log settings apply.
        for line in self.process.stdout:
            if '"ready"' in line:
                break
        assert self.process.poll() is None, "the pjsua2 peer did not start"

    def wait(self, timeout: float = 30.0) -> list[dict]:
        """Wait for the peer's call to end; return its events."""
        try:
            out, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def tone_power(path: Path, frequency: float) -> float:
    """Return the mean Goertzel power of ``frequency`` in a 16-bit mono WAV."""
    with wave.open(str(path)) as wav:
        rate = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
    block, total, blocks = 400, 0.0, 0
    for start in range(0, len(samples) - block, block):
        s1 = s2 = 0.0
        for sample in samples[start : start + block]:
            s1, s2 = sample + coefficient * s1 - s2, s1
        total += s1 * s1 + s2 * s2 - coefficient * s1 * s2
        blocks += 1
    return total / max(blocks, 1)


def self_signed_certificate(tmp: Path) -> tuple[Path, Path]:
    """Return a throw-away certificate and key for 127.0.0.1, made with openssl."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key
