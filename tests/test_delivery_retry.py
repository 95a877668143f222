"""Failed deliveries are sent again on request, in order, once the subscriber is back."""

from handoff import states
from handoff.deliveries import DeliveryPolicy, run_once
from handoff.subscriptions import create_subscription, get_subscription, update_subscription
from models import db
from tests import calls_factory as f
from tests.receiver import Receiver

# Two tries, no wait between them: a subscriber down for both is given up on at once.
GIVE_UP = DeliveryPolicy(timeout=2, backoff=0, backoff_max=0, max_attempts=2)
DOWN = "http://127.0.0.1:9/hook"  # nothing listens on the discard port


def fail_every_delivery(app, transitions: int = 3) -> int:
    """Subscribe an unreachable URL, make ``transitions`` and give up on each; return the id."""
    with app.app_context():
        subscription_id = create_subscription(db.session, DOWN, None).id
        conv = f.conversation(call_sid="CAretry")
        ho = f.handoff(conv)
        for state in (states.HANDOFF_COMPLETED, states.ENDED)[: transitions - 1]:
            states.transition(db.session, conv, state, handoff=ho)
        db.session.commit()
        run_once(db.session, GIVE_UP)
    return subscription_id


def deliveries(client, api_headers, subscription_id: int, status: str = "") -> list[dict]:
    path = f"/v1/subscriptions/{subscription_id}/deliveries"
    query = {"status": status} if status else {}
    return client.get(path, query_string=query, headers=api_headers).get_json()["items"]


def point_at(app, subscription_id: int, url: str) -> None:
    with app.app_context():
        row = get_subscription(db.session, subscription_id)
        update_subscription(db.session, row, {"url": url})


def test_every_failed_delivery_goes_again_in_order_once_the_subscriber_is_back(
    app, client, api_headers
):
    subscription_id = fail_every_delivery(app)
    failed = deliveries(client, api_headers, subscription_id, "failed")
    assert len(failed) == 3 and all(d["attempts"] == 2 for d in failed)

    with Receiver() as receiver:
        point_at(app, subscription_id, receiver.url)
        path = f"/v1/subscriptions/{subscription_id}/deliveries/retry"
        retried = client.post(path, headers=api_headers)
        assert retried.status_code == 200 and retried.get_json() == {"retried": 3}
        queued = deliveries(client, api_headers, subscription_id, "pending")
        assert [d["attempts"] for d in queued] == [0, 0, 0]
        with app.app_context():
            assert run_once(db.session, GIVE_UP) == 3

    states_sent = [r["json"]["state"] for r in receiver.requests]
    assert states_sent == ["handoff_initiated", "handoff_completed", "ended"]
    assert len(deliveries(client, api_headers, subscription_id, "delivered")) == 3
    # Nothing is left to retry: a second request queues nothing and sends nothing twice.
    assert client.post(path, headers=api_headers).get_json() == {"retried": 0}


def test_one_failed_delivery_goes_again_and_nothing_else_does(app, client, api_headers):
    subscription_id = fail_every_delivery(app, transitions=2)
    first, second = sorted(d["id"] for d in deliveries(client, api_headers, subscription_id))
    base = f"/v1/subscriptions/{subscription_id}/deliveries"

    one = client.post(f"{base}/{first}/retry", headers=api_headers)
    assert one.status_code == 200
    body = one.get_json()
    assert (body["id"], body["status"], body["attempts"]) == (first, "pending", 0)
    assert body["next_attempt_at"] and body["last_error"]  # the last error stays until a try
    statuses = {d["id"]: d["status"] for d in deliveries(client, api_headers, subscription_id)}
    assert statuses == {first: "pending", second: "failed"}

    again = client.post(f"{base}/{first}/retry", headers=api_headers)
    assert again.status_code == 409 and again.get_json()["code"] == "delivery_not_failed"
    assert "is pending, not failed" in again.get_json()["message"]


def test_a_delivery_elsewhere_or_nowhere_is_a_404(app, client, api_headers):
    subscription_id = fail_every_delivery(app, transitions=1)
    (delivery,) = deliveries(client, api_headers, subscription_id)
    with app.app_context():
        other = create_subscription(db.session, DOWN, None).id

    elsewhere = client.post(
        f"/v1/subscriptions/{other}/deliveries/{delivery['id']}/retry", headers=api_headers
    )
    assert elsewhere.status_code == 404 and f"no delivery {delivery['id']}" in elsewhere.text
    for path in (
        "/v1/subscriptions/999/deliveries/retry",
        "/v1/subscriptions/999/deliveries/1/retry",
    ):
        assert client.post(path, headers=api_headers).status_code == 404
    assert deliveries(client, api_headers, subscription_id)[0]["status"] == "failed"


def test_retrying_needs_an_api_key(app, client):
    subscription_id = fail_every_delivery(app, transitions=1)
    response = client.post(f"/v1/subscriptions/{subscription_id}/deliveries/retry")
    assert response.status_code == 401
