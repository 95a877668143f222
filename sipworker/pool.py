"""Run SIP_WORKERS worker processes on consecutive ports and stop them together."""

import logging
import os
import signal
import subprocess
import sys
import time

from sipworker.settings import WorkerSettings

log = logging.getLogger(__name__)


def worker_environment(settings: WorkerSettings, index: int) -> dict[str, str]:
    """Return the environment of pool member ``index``."""
    member = settings.for_worker(index)
    env = dict(os.environ, SIP_WORKERS="1", SIP_LISTEN=f"{member.host}:{member.port}")
    if member.tls_port:
        env["SIP_TLS_LISTEN"] = f"{member.host}:{member.tls_port}"
    return env


def run_pool(settings: WorkerSettings) -> int:
    """Start the workers, restart none, and forward SIGTERM/SIGINT to all of them."""
    command = [sys.executable, "-m", "sipworker"]
    children = [
        subprocess.Popen(command, env=worker_environment(settings, i))
        for i in range(settings.workers)
    ]
    log.info("SIP pool: %d workers from port %d", len(children), settings.port)
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while any(child.poll() is None for child in children):
        if not stopping and any(child.poll() is not None for child in children):
            log.error("a SIP worker exited; stopping the pool")
            stop(signal.SIGTERM, None)
        time.sleep(0.2)
    return 0 if stopping else 1
