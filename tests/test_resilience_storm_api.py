"""200 concurrent configuration writes through real gunicorn workers on PostgreSQL:
exactly one default, no 5xx, no lost update."""

import json
import os
import random
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from models import Destination, db
from tests.conftest import API_KEY
from tests.live_server import LiveServer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"),
        reason="needs TEST_DATABASE_URL (PostgreSQL)",
    ),
]
HEADERS = {"x-api-key": API_KEY, "Content-Type": "application/json"}


@pytest.fixture
def live(app, migrated, tmp_path):
    server = LiveServer(migrated, tmp_path, workers=4)
    yield server
    server.stop()


def call(live, method: str, path: str, body=None, headers=None) -> tuple[int, dict | None]:
    data = json.dumps(body).encode() if body is not None else None
    status, text = live.request(method, path, data, {**HEADERS, **(headers or {})})
    return status, (json.loads(text) if text else None)


def create(live, name: str) -> dict:
    status, body = call(live, "POST", "/v1/handoffs", {"name": name, "method": "sip_bye"})
    assert status == 201, body
    return body


def test_write_storm_keeps_one_default_and_loses_no_update(app, live):
    keep = [create(live, f"Keep {n}") for n in range(6)]
    doomed = [create(live, f"Doomed {n}") for n in range(6)]
    edited = create(live, "Edited")
    requests = (
        [("POST", f"/v1/handoffs/{d['id']}/default", None, None) for d in keep * 17][:100]
        + [
            ("POST", "/v1/handoffs", {"name": f"New {n}", "method": "sip_bye"}, None)
            for n in range(50)
        ]
        + [
            ("DELETE", f"/v1/handoffs/{d['id']}?confirm={quote(d['name'])}", None, None)
            for d in doomed * 5
        ]
        + [
            (
                "PATCH",
                f"/v1/handoffs/{edited['id']}",
                {"description": f"writer {n}"},
                {"If-Match": str(edited["version"])},
            )
            for n in range(20)
        ]
    )
    assert len(requests) == 200
    random.shuffle(requests)
    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(lambda r: (r, call(live, *r)), requests))

    statuses = [status for _, (status, _) in answers]
    assert all(status < 500 for status in statuses), statuses
    by_kind = {}
    for (method, path, _, _), (status, _) in answers:
        kind = "default" if path.endswith("/default") else method
        by_kind.setdefault(kind, []).append(status)
    assert set(by_kind["default"]) == {200}
    assert by_kind["POST"] == [201] * 50
    # Each doomed destination is deleted once; the other four attempts find nothing.
    assert sorted(by_kind["DELETE"]) == [204] * 6 + [404] * 24
    # Twenty writers with the same version: one wins, the others are told theirs is stale.
    assert sorted(by_kind["PATCH"]) == [200] + [412] * 19
    winner = next(
        body for (method, _, _, _), (status, body) in answers if method == "PATCH" and status == 200
    )
    with app.app_context():
        rows = db.session.scalars(select(Destination)).all()
        assert sum(row.is_default for row in rows) == 1
        assert next(r for r in rows if r.is_default).id in {d["id"] for d in keep}
        names = {row.name for row in rows}
        assert {f"New {n}" for n in range(50)} <= names
        assert not names & {d["name"] for d in doomed}
        assert db.session.get(Destination, edited["id"]).description == winner["description"]
        assert db.session.scalar(select(func.count()).select_from(Destination)) == 6 + 1 + 50
