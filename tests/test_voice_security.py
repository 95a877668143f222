"""Webhook signatures, idempotent retries and answers while the database is down."""

import logging
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from app import create_app
from handoff import calls
from handoff.environments import get_environment
from models import Conversation, Handoff, PhoneNumber, WebhookReply, db
from tests.conftest import AUTH_TOKEN, make_test_config
from tests.voice_support import NUMBER, add_destination, add_topic, follow, pstn_call, xml


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_missing_or_wrong_signature_is_403_without_twiml(client, twilio):
    params = pstn_call()
    assert client.post("/voice/call", data=params).status_code == 403
    forged = client.post("/voice/call", data=params, headers={"X-Twilio-Signature": "AAAA"})
    assert forged.status_code == 403 and b"<Response" not in forged.data
    tampered = twilio.signature("/voice/call", params)
    changed = client.post(
        "/voice/call",
        data={**params, "From": "+19995550000"},
        headers={"X-Twilio-Signature": tampered},
    )
    assert changed.status_code == 403


def test_query_is_covered_by_the_signature(client, twilio):
    params = pstn_call()
    signed = twilio.signature("/voice/call", params, {"env": "live"})
    response = client.post(
        "/voice/call?env=sandbox", data=params, headers={"X-Twilio-Signature": signed}
    )
    assert response.status_code == 403


def test_https_signature_with_or_without_port_is_accepted(client):
    params = pstn_call()
    validator = RequestValidator(AUTH_TOKEN)
    with_port = validator.compute_signature("https://handoff.example.test:443/voice/call", params)
    response = client.post("/voice/call", data=params, headers={"X-Twilio-Signature": with_port})
    assert response.status_code == 200


def test_every_value_of_a_repeated_parameter_is_covered_by_the_signature(client):
    params = [*pstn_call().items(), ("SipHeader_X-Tag", "b"), ("SipHeader_X-Tag", "a")]
    url = "https://handoff.example.test/voice/call"
    signed = RequestValidator(AUTH_TOKEN).compute_signature(url, MultiDict(params))
    body = urlencode(params)
    form = "application/x-www-form-urlencoded"
    headers = {"X-Twilio-Signature": signed, "Content-Type": form}
    assert client.post("/voice/call", data=body, headers=headers).status_code == 200
    dropped = urlencode(params[:-1])
    assert client.post("/voice/call", data=dropped, headers=headers).status_code == 403


@pytest.mark.parametrize(
    ("hops", "expected"),
    [(1, 200), (0, 403)],
)
def test_forwarded_host_is_trusted_only_from_configured_proxies(migrated, tmp_path, hops, expected):
    app = create_app(make_test_config(migrated, tmp_path, PUBLIC_BASE_URL="", TRUSTED_PROXIES=hops))
    params = pstn_call()
    public = "https://calls.example.org/voice/call"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(public, params)
    response = app.test_client().post(
        "/voice/call",
        data=params,
        base_url="http://10.0.0.5:8000",
        headers={
            "X-Twilio-Signature": signature,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "calls.example.org",
            "X-Forwarded-For": "203.0.113.9",
        },
    )
    assert response.status_code == expected


def test_validation_off_only_in_development_and_logged(migrated, tmp_path, caplog):
    for env, expected in (("development", 200), ("production", 403)):
        app = create_app(
            make_test_config(migrated, tmp_path, APP_ENV=env, TWILIO_VALIDATE_SIGNATURES=False)
        )
        with caplog.at_level(logging.WARNING):
            response = app.test_client().post("/voice/call", data=pstn_call())
        assert response.status_code == expected
    assert "signature validation is OFF" in caplog.text


def test_retry_with_same_token_or_step_replays_the_same_answer(app, twilio):
    with app.app_context():
        add_destination()
        add_topic(phrases=["x"], immediate=True)
    params = pstn_call()
    token = {"I-Twilio-Idempotency-Token": "tok-1"}
    first = twilio.post("/voice/call", params, headers=token)
    again = twilio.post("/voice/call", params, headers=token)
    no_token = twilio.post("/voice/call", params)
    assert first.data == again.data == no_token.data
    with app.app_context():
        assert _count(Conversation) == 1 and _count(Handoff) == 1
        # Stored once, under CallSid:step: the token would only repeat it.
        assert _count(WebhookReply) == 1


def test_a_request_without_a_call_sid_is_replayed_by_its_token(app, twilio):
    with app.app_context():
        add_destination()
        add_topic(phrases=["x"], immediate=True)
    params = {k: v for k, v in pstn_call().items() if k != "CallSid"}
    token = {"I-Twilio-Idempotency-Token": "tok-2"}
    first = twilio.post("/voice/call", params, headers=token)
    again = twilio.post("/voice/call", params, headers=token)
    other = twilio.post("/voice/call", params, headers={"I-Twilio-Idempotency-Token": "tok-3"})
    # Without a CallSid the ids are random: only the stored reply makes the retry identical.
    assert first.data == again.data != other.data
    with app.app_context():
        assert _count(Handoff) == 2 and _count(WebhookReply) == 2


@pytest.mark.postgres
@pytest.mark.parametrize("path", ["/voice/call", "/voice/gather"])
def test_concurrent_identical_requests_make_one_conversation_and_handoff(app, twilio, path):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers")
        add_destination()
        add_topic(phrases=["billing"], immediate=path == "/voice/call")
    params = pstn_call(SpeechResult="billing")
    clients = [app.test_client() for _ in range(20)]
    query = "?attempt=1&turn=abc" if path == "/voice/gather" else ""

    def post(client):
        signature = twilio.signature(path + query, params)
        return client.post(path + query, data=params, headers={"X-Twilio-Signature": signature})

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(post, clients))
    assert {r.status_code for r in answers} == {200}
    assert len({r.data for r in answers}) == 1
    with app.app_context():
        assert _count(Conversation) == 1 and _count(Handoff) == 1


def test_database_failing_mid_request_still_routes_to_the_default(app, twilio, monkeypatch):
    with app.app_context():
        add_destination(route="sip:support@pbx.example.com")
    params = pstn_call()
    greeting = xml(twilio.post("/voice/call", params))  # caches the last-known-good config

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(calls, "conversation_for", unreachable)
    answer = xml(follow(twilio, greeting.find("./Gather").get("action"), {**params, "Digits": "9"}))
    assert answer.find("./Gather") is not None  # attempt 1 of 2: ask again, from memory
    gather = answer.find("./Gather").get("action")
    final = xml(follow(twilio, gather, {**params, "Digits": "9"}))
    assert final.find("./Dial/Sip").text.startswith("sip:support@pbx.example.com")


@pytest.mark.parametrize(
    "unreachable",
    ["sqlite:///{tmp}/no/such/dir/db", "postgresql+psycopg://postgres@127.0.0.1:9/stopped"],
)
def test_fallback_url_answers_from_disk_when_the_database_is_gone(
    app, twilio, tmp_path, unreachable
):
    with app.app_context():
        add_destination(route="sip:support@pbx.example.com", method="sip_invite")
    xml(twilio.post("/voice/call", pstn_call()))  # writes the last-known-good file
    config = dict(app.config, SQLALCHEMY_DATABASE_URI=unreachable.format(tmp=tmp_path))
    down = create_app(config)
    client = down.test_client()
    for path in ("/voice/fallback", "/voice/call"):
        params = pstn_call(ErrorCode="11200", ErrorUrl="https://handoff.example.test/voice/call")
        signature = twilio.signature(path, params)
        response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
        root = xml(response)
        assert root.find("./Dial/Sip") is not None or root.find("./Gather") is not None
    healthz = client.get("/healthz")
    assert healthz.status_code == 503


def test_no_snapshot_and_no_database_still_answers_twiml(app, twilio, tmp_path):
    config = dict(
        app.config,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/dir/db",
        LAST_KNOWN_GOOD_DIR=str(tmp_path / "empty"),
    )
    client = create_app(config).test_client()
    params = pstn_call()
    signature = twilio.signature("/voice/call", params)
    root = xml(client.post("/voice/call", data=params, headers={"X-Twilio-Signature": signature}))
    assert [c.tag for c in root] == ["Say", "Hangup"]


def test_an_error_outside_the_services_still_answers_routing_twiml(app, twilio, monkeypatch):
    with app.app_context():
        add_destination(route="sip:support@pbx.example.com")
    xml(twilio.post("/voice/call", pstn_call()))  # remember the configuration

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("handoff.web.voice.voice.respond", broken)
    root = xml(twilio.post("/voice/fallback", pstn_call()))
    assert root.find("./Dial/Sip").text.startswith("sip:support@pbx.example.com")
    assert twilio.client.post("/voice/fallback", data=pstn_call()).status_code == 403


def test_public_base_url_wins_over_forwarded_headers(migrated, tmp_path):
    app = create_app(make_test_config(migrated, tmp_path, TRUSTED_PROXIES=1))
    params = pstn_call()
    validator = RequestValidator(AUTH_TOKEN)
    spoofed = validator.compute_signature("https://evil.example.net/voice/call", params)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example.net"}
    client = app.test_client()
    response = client.post(
        "/voice/call", data=params, headers={"X-Twilio-Signature": spoofed, **headers}
    )
    assert response.status_code == 403
    public = validator.compute_signature("https://handoff.example.test/voice/call", params)
    response = client.post(
        "/voice/call", data=params, headers={"X-Twilio-Signature": public, **headers}
    )
    assert response.status_code == 200


def test_a_sandbox_number_stays_in_sandbox_while_the_database_is_down(app, twilio, tmp_path):
    with app.app_context():
        sandbox = get_environment(db.session, "sandbox")
        db.session.add(PhoneNumber(number=NUMBER, environment_id=sandbox.id))
        db.session.commit()
        add_destination(env="live", route="sip:live@pbx.example.com")
        add_destination(env="sandbox", route="sip:sandbox@pbx.example.com")
    xml(twilio.post("/voice/call", pstn_call()))  # learns: NUMBER → sandbox
    xml(twilio.post("/voice/call", pstn_call(To="+14155550111")))  # live
    config = dict(app.config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/gone/db")
    client = create_app(config).test_client()
    for to, host in ((NUMBER, "sandbox@"), ("+14155550111", "live@")):
        params = pstn_call(To=to)
        signature = twilio.signature("/voice/fallback", params)
        root = xml(
            client.post("/voice/fallback", data=params, headers={"X-Twilio-Signature": signature})
        )
        assert host in root.find("./Dial/Sip").text
