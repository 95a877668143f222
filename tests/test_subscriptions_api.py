"""/v1/subscriptions CRUD, deliveries visible through the API, and the SSE stream."""

import hashlib
import hmac
import json
import threading
import time

import pytest

from handoff import states
from handoff.deliveries import DeliveryPolicy, run_once
from models import Conversation, Delivery, db, utcnow
from tests import calls_factory as f
from tests.receiver import Receiver


def subscribe(client, api_headers, url, **extra):
    response = client.post("/v1/subscriptions", json={"url": url, **extra}, headers=api_headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_crud_and_secret_shown_once(client, api_headers):
    created = subscribe(client, api_headers, "https://desk.example.com/hook", environment="live")
    assert created["secret"].startswith("whsec_") and created["active"] is True
    path = f"/v1/subscriptions/{created['id']}"
    fetched = client.get(path, headers=api_headers).get_json()
    assert "secret" not in fetched and fetched["environment"] == "live"
    listed = client.get("/v1/subscriptions", headers=api_headers).get_json()["items"]
    assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]
    patched = client.patch(path, json={"active": False, "environment": None}, headers=api_headers)
    assert patched.status_code == 200
    assert patched.get_json()["active"] is False and patched.get_json()["environment"] is None
    assert client.delete(path, headers=api_headers).status_code == 204
    assert client.get(path, headers=api_headers).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": "ftp://x.example.com/"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://x.example.com/", "environment": "staging"}, "environment"),
        ({"url": "https://x.example.com/", "active": "perhaps"}, "active"),
    ],
)
def test_create_validation(client, api_headers, body, field):
    response = client.post("/v1/subscriptions", json=body, headers=api_headers)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_unknown_subscription(client, api_headers):
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)("/v1/subscriptions/999", json={}, headers=api_headers)
        assert response.status_code == 404
    assert client.get("/v1/subscriptions/999/deliveries", headers=api_headers).status_code == 404


def test_deliveries_show_failures_then_success(app, client, api_headers):
    with Receiver(fail_first=1) as receiver:
        sub = subscribe(client, api_headers, receiver.url)
        with app.app_context():
            conv = f.conversation(call_sid="CAsub")
            f.handoff(conv)
            db.session.commit()
            run_once(db.session, DeliveryPolicy(backoff=60))
        path = f"/v1/subscriptions/{sub['id']}/deliveries"
        failed = client.get(path, headers=api_headers).get_json()["items"]
        assert failed[0]["status"] == "pending" and failed[0]["last_error"] == "HTTP 500"
        assert failed[0]["attempts"] == 1 and failed[0]["next_attempt_at"]
        with app.app_context():
            # Let the backoff elapse, then retry: the receiver now accepts.
            db.session.query(Delivery).update({"next_attempt_at": utcnow()})
            db.session.commit()
            run_once(db.session, DeliveryPolicy(backoff=60))
        done = client.get(f"{path}?status=delivered", headers=api_headers).get_json()["items"]
        assert client.get(f"{path}?status=pending", headers=api_headers).get_json()["items"] == []
    assert [(d["attempts"], d["last_error"]) for d in done] == [(2, "")]
    assert done[0]["delivered_at"] and done[0]["next_attempt_at"] is None
    body = receiver.requests[0]
    expected = hmac.new(sub["secret"].encode(), body["raw"], hashlib.sha256).hexdigest()
    assert body["headers"]["X-Handoff-Signature"] == f"sha256={expected}"


def test_delivery_status_filter_is_validated(client, api_headers):
    sub = subscribe(client, api_headers, "https://desk.example.com/hook")
    response = client.get(
        f"/v1/subscriptions/{sub['id']}/deliveries?status=lost", headers=api_headers
    )
    assert response.status_code == 400 and "status" in response.get_json()["errors"]


def read_events(response, count: int, timeout: float) -> list[dict]:
    """Read up to ``count`` events from a streaming response within ``timeout`` seconds."""
    events, buffer, deadline = [], "", time.monotonic() + timeout
    for chunk in response.response:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            if fields.get("event") == "handoff_state":
                events.append({"id": int(fields["id"]), **json.loads(fields["data"])})
        if len(events) >= count or time.monotonic() > deadline:
            break
    return events


def test_stream_replays_after_an_id_and_follows_new_transitions(app, client, api_headers):
    app.config.update(SSE_POLL=0.05)
    with app.app_context():
        conv = f.conversation(call_sid="CAsse")
        ho = f.handoff(conv)
        db.session.commit()
        conv_id, ho_id = conv.id, ho.id

    def later():
        time.sleep(0.3)
        with app.app_context():
            row = db.session.get(Conversation, conv_id)
            states.transition(db.session, row, states.HANDOFF_COMPLETED, handoff=row.handoffs[0])
            db.session.commit()

    writer = threading.Thread(target=later)
    writer.start()
    response = client.get(
        "/v1/handoff_states/stream?after=0&seconds=20", headers=api_headers, buffered=False
    )
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    events = read_events(response, 2, timeout=20)
    response.close()
    writer.join()
    assert [(e["state"], e["handoff_id"]) for e in events] == [
        ("handoff_initiated", ho_id),
        ("handoff_completed", ho_id),
    ]
    assert events[0]["id"] < events[1]["id"]


def test_stream_resumes_from_last_event_id(app, client, api_headers):
    with app.app_context():
        conv = f.conversation()
        f.handoff(conv)
        states.transition(db.session, conv, states.ENDED)
        db.session.commit()
    first = client.get("/v1/handoff_states/stream?after=0&seconds=0.1", headers=api_headers)
    ids = [
        int(line[4:])
        for line in first.get_data(as_text=True).splitlines()
        if line.startswith("id: ")
    ]
    assert len(ids) == 2
    resumed = client.get(
        "/v1/handoff_states/stream?seconds=0.1",
        headers={**api_headers, "Last-Event-ID": str(ids[0])},
    )
    assert "event: handoff_state" in resumed.get_data(as_text=True)
    assert f"id: {ids[0]}\n" not in resumed.get_data(as_text=True)
    assert f"id: {ids[1]}\n" in resumed.get_data(as_text=True)


def test_stream_validation_and_auth(client, api_headers):
    assert client.get("/v1/handoff_states/stream?seconds=0.1").status_code == 401
    bad = client.get("/v1/handoff_states/stream?after=-1", headers=api_headers)
    assert bad.status_code == 400 and "after" in bad.get_json()["errors"]
