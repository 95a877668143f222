"""GET /metrics: handoff counters by outcome and the voice webhook latency histogram."""

from prometheus_client.parser import text_string_to_metric_families

from tests.voice_support import add_destination, add_topic, pstn_call, xml


def samples(client, headers=None):
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def test_handoffs_and_latency_are_counted(app, client, twilio):
    with app.app_context():
        add_destination(name="Support")
        add_topic(name="Everything", immediate=True)
    key = (
        "handoff_handoffs_total",
        (
            ("destination", "Support"),
            ("environment", "live"),
            ("method", "sip_invite"),
            ("outcome", "initiated"),
        ),
    )
    latency = ("handoff_webhook_duration_seconds_count", (("endpoint", "/voice/call"),))
    before = samples(client)
    xml(twilio.post("/voice/call", pstn_call()))
    after = samples(client)
    assert after[key] == before.get(key, 0) + 1
    assert after[latency] == before.get(latency, 0) + 1


def test_metrics_token(app, client):
    app.config["METRICS_TOKEN"] = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200
