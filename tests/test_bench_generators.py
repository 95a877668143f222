"""Both load generators send each pooled call once, with its own signature, and count it."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from bench.generators import GENERATORS, LOCUST, WRK, wrk_binary
from bench.signed import signed_requests

# Slow enough that a 1 s run at 2 connections stays well inside the pool: every call in it
# can be sent once, and a generator that sends one twice has a bug, not a small pool.
ANSWER_S = 0.002
POOL = 2400


class Recorded(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1 server that keeps every request's path, headers and body."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str, str, str]] = []
    lock = threading.Lock()

    def setup(self):
        super().setup()
        # The status line and the body go out in two writes: no 40 ms wait for an ACK.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        signature = self.headers["X-Twilio-Signature"]
        token = self.headers["I-Twilio-Idempotency-Token"]
        with self.lock:
            self.seen.append((self.path, signature, token, body))
        time.sleep(ANSWER_S)
        answer = b"<Response/>"
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def recording_server():
    Recorded.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Recorded.seen
    server.shutdown()
    server.server_close()


def installed(generator) -> bool:
    try:
        if generator is WRK:
            wrk_binary()
    except SystemExit:
        return False
    return True


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_each_pooled_call_is_sent_once_with_its_own_signature(recording_server, tmp_path, name):
    generator = GENERATORS[name]
    if not installed(generator):
        pytest.skip(f"{name} is missing: make test installs it")
    url, seen = recording_server
    pool = signed_requests("/voice/call", POOL)
    pool_file = tmp_path / f"pool{generator.pool_suffix}"
    generator.write_pool(pool, str(pool_file))

    result = generator.load(url, pool_file, 2, 1)  # 2 connections, 1 s

    assert 100 < len(seen) < POOL
    # Requests still under way when the run ended are not counted: two per connection at most
    # (locust's users may answer one and send one more while they are being stopped).
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
