"""Exactly one default per environment, also under concurrent requests on PostgreSQL."""

import os
import threading

import pytest
from sqlalchemy import func, select

from models import Destination, db

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
    ),
]
THREADS = 10


def fire(app, api_headers, requests: list[tuple[str, str, dict | None]]) -> list[int]:
    """Send all requests at once from their own threads; return the status codes."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def run(index: int, method: str, path: str, body: dict | None) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[index] = client.open(
            path, method=method, json=body, headers=api_headers
        ).status_code

    threads = [
        threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def defaults(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Destination).where(Destination.is_default)
        )


def test_concurrent_set_default_leaves_exactly_one(app, api, api_headers):
    ids = [api.create_destination(name=f"Team {n}")["id"] for n in range(THREADS)]
    for _ in range(3):
        requests = [("POST", f"/v1/handoffs/{i}/default", None) for i in reversed(ids)]
        statuses = fire(app, api_headers, requests)
        # The environment lock serialises them: every call succeeds, none is refused.
        assert statuses == [200] * THREADS
        assert defaults(app) == 1


def test_concurrent_first_creates_make_one_default(app, api_headers):
    requests = [
        ("POST", "/v1/handoffs", {"name": f"Team {n}", "method": "sip_bye"}) for n in range(THREADS)
    ]
    statuses = fire(app, api_headers, requests)
    assert statuses == [201] * THREADS
    assert defaults(app) == 1


def test_concurrent_writes_on_one_version_let_exactly_one_win(app, api, api_headers):
    row = api.create_destination(name="Billing")
    requests = [
        ("PATCH", f"/v1/handoffs/{row['id']}", {"description": f"writer {n}", "version": 1})
        for n in range(THREADS)
    ]
    statuses = fire(app, api_headers, requests)
    assert sorted(statuses) == [200] + [412] * (THREADS - 1)
    assert api.get(f"/v1/handoffs/{row['id']}").get_json()["version"] == 2


def test_concurrent_promotes_get_consecutive_versions(app, api, api_headers):
    api.create_destination(name="Support")
    requests = [("POST", "/v1/environments/live/promote", {"note": str(n)}) for n in range(6)]
    statuses = fire(app, api_headers, requests)
    assert statuses == [201] * 6
    versions = api.get("/v1/environments/live/versions").get_json()["items"]
    assert [v["number"] for v in versions] == [6, 5, 4, 3, 2, 1]
    live = api.get("/v1/handoffs", environment="live").get_json()["items"]
    assert [(d["name"], d["is_default"]) for d in live] == [("Support", True)]
