"""A real local HTTP server that records what it receives (webhook subscriber stand-in)."""

import json

from tests.local_http import LocalServer


class Receiver(LocalServer):
    """Serve on 127.0.0.1; answer 500 to the first ``fail_first`` requests, then 200."""

    path = "/hook"

    def __init__(self, fail_first: int = 0):
        super().__init__()
        self.fail_first = fail_first
        self.requests: list[dict] = []
        self.accepted: list[dict] = []

    def respond(self, path: str, headers, raw: bytes) -> tuple[int, None]:
        entry = {"raw": raw, "headers": dict(headers), "json": json.loads(raw)}
        self.requests.append(entry)
        ok = len(self.requests) > self.fail_first
        if ok:
            self.accepted.append(entry)
        return (200 if ok else 500), None
