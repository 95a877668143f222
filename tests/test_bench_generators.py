"""Both load generators send each pooled call once, with its own signature, and count it."""

import shutil
import threading
import time
from urllib.parse import parse_qs

import pytest

from bench.generators import GENERATORS, LOCUST, WRK
from bench.signed import signed_requests
from tests.local_http import LocalServer

# Slow enough that a 1 s run at 2 connections stays well inside the pool: every call in it
# can be sent once, and a generator that sends one twice has a bug, not a small pool.
ANSWER_S = 0.002
POOL = 2400


class Recorded(LocalServer):
    """Keep every request's path, signature, token and body; answer after ANSWER_S."""

    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, str, str, str]] = []
        self.lock = threading.Lock()

    def respond(self, path, headers, raw):
        sent = (path, headers["X-Twilio-Signature"], headers["I-Twilio-Idempotency-Token"])
        with self.lock:
            self.seen.append((*sent, raw.decode()))
        time.sleep(ANSWER_S)
        return 200, {}


@pytest.fixture
def recording_server():
    with Recorded() as server:
        yield server.url, server.seen


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_each_pooled_call_is_sent_once_with_its_own_signature(recording_server, tmp_path, name):
    generator = GENERATORS[name]
    if generator is WRK and shutil.which("wrk") is None:
        pytest.skip("wrk is missing: make test installs it")
    url, seen = recording_server
    pool = signed_requests("/voice/call", POOL)
    pool_file = tmp_path / f"pool{generator.pool_suffix}"
    generator.write_pool(pool, str(pool_file))

    result = generator.load(url, pool_file, 2, 1)  # 2 connections, 1 s

    assert 100 < len(seen) < POOL
    # Requests still under way when the run ended are not counted: a couple per connection at
    # most, as the generator's process ends.
    assert result.requests <= len(seen) <= result.requests + 2 * 2
    assert result.errors == 0 and 0 < result.p50_ms <= result.p99_ms
    assert result.p50_ms >= ANSWER_S * 1000
    by_body = {r["body"]: r for r in pool}
    call_sids = [parse_qs(body)["CallSid"][0] for *_, body in seen]
    assert len(set(call_sids)) == len(call_sids), "a call was sent twice: a Twilio retry"
    for path, signature, token, body in seen:
        sent = by_body[body]
        assert (path, signature, token) == (sent["path"], sent["signature"], sent["token"])


def test_locust_is_the_second_generator():
    assert GENERATORS == {"wrk": WRK, "locust": LOCUST}
