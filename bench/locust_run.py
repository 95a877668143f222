"""Load a server with locust (FastHttpUser, one process) and print bench/wrk.lua's JSON line.

Usage: python -m bench.locust_run URL POOL_JSON CONNECTIONS DURATION_S
Run as its own process: locust patches the standard library for gevent.
"""

import json
import math
import os
import sys
import time

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment

from bench.signed import webhook_headers


def percentile(sorted_ms: list[float], q: float) -> float:
    """Return the ``q`` quantile of ascending values (nearest rank)."""
    if not sorted_ms:
        return 0.0
    rank = math.ceil(q * len(sorted_ms))
    return sorted_ms[min(len(sorted_ms), max(rank, 1)) - 1]


def main(argv: list[str]) -> None:
    """Run the load and print its figures."""
    url, pool_file, connections, duration = argv[0], argv[1], int(argv[2]), float(argv[3])
    with open(pool_file, encoding="ascii") as f:
        pool = json.load(f)
    # One cursor for every user: no call is sent twice until the pool is used up.
    cursor = iter(range(10**12))

    class TwilioCaller(FastHttpUser):
        """One connection posting the next pooled, signed webhook as soon as it is answered."""

        wait_time = constant(0)
        host = url

        @task
        def post(self):
            r = pool[next(cursor) % len(pool)]
            headers = {**webhook_headers(r), "User-Agent": "TwilioProxy/1.1"}
            self.client.post(r["path"], data=r["body"], headers=headers, name="webhook")

    env = Environment(user_classes=[TwilioCaller], host=url)
    times: list[float] = []
    failed = [0]

    def on_request(response_time, exception, **_):
        times.append(response_time)
        failed[0] += exception is not None

    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    # Counted from the start, as wrk counts: every user starts at once. Nothing is counted
    # after the sleep: no greenlet runs again before the process leaves.
    started = time.perf_counter()
    runner.start(connections, spawn_rate=connections * 1000)
    gevent.sleep(duration)
    elapsed = time.perf_counter() - started
    times.sort()
    figures = {
        "requests": len(times) - failed[0],
        "duration_us": round(elapsed * 1e6),
        "p50_us": round(percentile(times, 0.5) * 1000),
        "p99_us": round(percentile(times, 0.99) * 1000),
        "max_us": round(times[-1] * 1000) if times else 0,
        "status_errors": failed[0],
    }
    print(json.dumps(figures), flush=True)
    # Leave at once, as wrk does: stopping the users and gevent would take a good part of a
    # second, in which a write-behind server's queued records would go uncounted.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
