"""Stream tokens open the live stream for a browser's EventSource, and nothing else."""

import base64
import time

import itsdangerous.timed
import pytest

from handoff.api_keys import create_api_key, revoke_api_key
from handoff.settings import ConfigurationError, from_environment
from models import db
from tests import calls_factory as f
from tests.conftest import API_KEY

STREAM = "/v1/handoff_states/stream"


@pytest.fixture
def transition(app):
    """One recorded handoff, so a stream from the start has an event to send."""
    with app.app_context():
        f.handoff(f.conversation(call_sid="CAtoken"))
        db.session.commit()


def token_for(client, key: str = API_KEY) -> str:
    response = client.get("/v1/handoff_states/stream_token", headers={"x-api-key": key})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def open_stream(client, token: str, **headers):
    """Open the stream with ``token`` for 0.1 s; return the answer, read to its end."""
    query = {"access_token": token, "after": 0, "seconds": 0.1}
    response = client.get(STREAM, query_string=query, headers=headers)
    response.get_data()  # a stream left unread holds its request context open
    return response


def test_a_token_opens_the_stream_without_a_key(app, client, transition):
    answer = client.get("/v1/handoff_states/stream_token", headers={"x-api-key": API_KEY})
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.get_json()["expires_in"] == 43200

    stream = open_stream(client, answer.get_json()["token"])
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    assert "event: handoff_state" in stream.get_data(as_text=True)


def test_a_token_opens_nothing_but_the_stream(client):
    token = token_for(client)
    for path in ("/v1/handoffs", "/v1/conversations", "/v1/handoff_states/stream_token"):
        assert client.get(path, query_string={"access_token": token}).status_code == 401, path


def test_a_token_never_carries_the_key(client):
    token = token_for(client)
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert API_KEY.encode() not in decoded and API_KEY not in token


def test_an_altered_or_expired_token_is_refused(app, client, monkeypatch):
    token = token_for(client)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert open_stream(client, altered).status_code == 401

    # Minted a day ago: older than SSE_TOKEN_MAX_AGE (12 hours).
    day_ago = time.time() - 86400
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: day_ago)
    stale = token_for(client)
    monkeypatch.undo()
    assert open_stream(client, stale).status_code == 401
    app.config["SSE_TOKEN_MAX_AGE"] = 2 * 86400  # the same token, allowed to be older
    assert open_stream(client, stale).status_code == 200


def test_revoking_the_key_ends_its_tokens(app, client):
    with app.app_context():
        row, key = create_api_key(db.session, "wallboard", "read")
        key_id = row.id
    token = token_for(client, key)
    assert open_stream(client, token).status_code == 200

    with app.app_context():
        revoke_api_key(db.session, key_id)
    assert open_stream(client, token).status_code == 401


def test_a_key_sent_with_a_token_decides_alone(client):
    token = token_for(client)
    assert open_stream(client, token, **{"x-api-key": "no"}).status_code == 401


def test_only_an_allowed_origin_may_read_the_stream(app, client):
    app.config["SSE_ALLOWED_ORIGINS"] = ("https://wallboard.example.com",)
    token = token_for(client)

    allowed = open_stream(client, token, Origin="https://wallboard.example.com")
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://wallboard.example.com"
    assert allowed.headers["Vary"] == "Origin"
    other = open_stream(client, token, Origin="https://evil.example.net")
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize("raw", ["wallboard.example.com", "https://x.example.com/board", "ftp://x"])
def test_a_bad_allowed_origin_stops_the_service_naming_the_setting(raw):
    with pytest.raises(ConfigurationError, match="SSE_ALLOWED_ORIGINS"):
        from_environment({"APP_ENV": "development", "SSE_ALLOWED_ORIGINS": raw}, "/tmp")
