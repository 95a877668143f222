"""A local HTTP server standing in for api.twilio.com's Calls resource."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class TwilioStandIn:
    """Answer call updates like Twilio: known in-progress calls, ended calls, unknown calls."""

    def __init__(self, calls: dict[str, str]):
        self.calls = calls  # call sid -> status
        self.updates: list[dict] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                sid = self.path.rsplit("/", 1)[-1].removesuffix(".json")
                standin.updates.append(
                    {
                        "path": self.path,
                        "form": parse_qs(raw),
                        "auth": self.headers["Authorization"],
                    }
                )
                status, body = standin.answer(sid)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def answer(self, sid: str) -> tuple[int, dict]:
        status = self.calls.get(sid)
        if status is None:
            return 404, {
                "code": 20404,
                "message": f"The requested resource {sid} was not found",
                "status": 404,
            }
        if status != "in-progress":
            return 400, {
                "code": 21220,
                "message": "Call is not in-progress. Cannot redirect.",
                "status": 400,
            }
        return 200, {"sid": sid, "status": status, "account_sid": "AC" + "0" * 32}

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
