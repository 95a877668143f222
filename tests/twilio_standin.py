"""A local HTTP server standing in for api.twilio.com's Calls resource."""

from urllib.parse import parse_qs

from tests.local_http import LocalServer


class TwilioStandIn(LocalServer):
    """Answer call updates like Twilio: known in-progress calls, ended calls, unknown calls."""

    def __init__(self, calls: dict[str, str]):
        super().__init__()
        self.calls = calls  # call sid -> status
        self.updates: list[dict] = []

    def respond(self, path: str, headers, raw: bytes) -> tuple[int, dict]:
        form = parse_qs(raw.decode())
        self.updates.append({"path": path, "form": form, "auth": headers["Authorization"]})
        return self.answer(path.rsplit("/", 1)[-1].removesuffix(".json"))

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
