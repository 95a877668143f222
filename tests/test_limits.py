"""Request body size limit: a clean 413, TwiML for webhooks and JSON elsewhere."""

from xml.etree import ElementTree

import pytest


@pytest.fixture
def limit(app):
    return app.config["MAX_CONTENT_LENGTH"]


def test_oversized_webhook_gets_413_twiml_pointing_at_the_fallback(client, twilio, limit):
    params = {"CallSid": "CA" + "1" * 32, "SpeechResult": "x" * (limit + 1)}
    response = twilio.post("/voice/gather", params)
    assert response.status_code == 413
    assert response.mimetype == "text/xml"
    redirect = ElementTree.fromstring(response.data).find("./Redirect")
    assert redirect is not None
    assert redirect.text == "/voice/fallback"
    assert redirect.get("method") == "POST"


def test_oversized_body_elsewhere_gets_413_json(client, limit):
    response = client.post("/healthz", data=b"x" * (limit + 1))
    assert response.status_code == 413
    body = response.get_json()
    assert body["code"] == "payload_too_large"
    assert str(limit) in body["message"]


def test_body_within_the_limit_is_not_refused(client, limit):
    response = client.post("/healthz", data=b"x" * limit)
    assert response.status_code == 405


def test_limit_follows_the_setting(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10
    assert client.post("/healthz", data=b"x" * 11).status_code == 413
    assert client.post("/healthz", data=b"x" * 10).status_code == 405
