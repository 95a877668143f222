"""Failed sign-ins are throttled per client address and per account; nothing else is."""

import logging
import socket
import uuid

import pytest

from app import create_app
from handoff.environments import ensure_environments
from handoff.settings import ConfigurationError, sign_in_settings
from handoff.web.ui.auth import in_words
from models import User, db
from tests.conftest import TwilioSigner, _empty_all_tables, make_test_config
from tests.ui.conftest import EMAIL, PASSWORD, UiClient

OTHER = "second@example.com"


def limited_app(migrated, tmp_path, password_hash, **limits):
    """Return an app with the given sign-in limits and two users (EMAIL, OTHER)."""
    app = create_app(make_test_config(migrated, tmp_path, **limits))
    with app.app_context():
        _empty_all_tables()
        ensure_environments(db.session)
        db.session.add_all([User(email=e, password_hash=password_hash) for e in (EMAIL, OTHER)])
        db.session.commit()
    return app


def from_address(app, address: str) -> UiClient:
    """Return a UI client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return UiClient(client)


@pytest.fixture
def strict(migrated, tmp_path, password_hash):
    """Three failures per address a minute; five per account."""
    app = limited_app(
        migrated,
        tmp_path,
        password_hash,
        SIGN_IN_LIMIT="3 per minute",
        SIGN_IN_ACCOUNT_LIMIT="5 per 15 minutes",
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_an_address_past_its_failures_waits_even_with_the_right_password(strict):
    ui = from_address(strict, "203.0.113.7")
    assert [ui.login(EMAIL, "wrong").status_code for _ in range(3)] == [401, 401, 401]

    refused = ui.login(EMAIL, PASSWORD)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "Too many failed sign-ins" in page and f'value="{EMAIL}"' in page
    assert "Set-Cookie" not in refused.headers  # not signed in
    # Another address is not held back by this one's failures.
    assert from_address(strict, "198.51.100.4").login(EMAIL, PASSWORD).status_code == 302


def test_right_passwords_never_count(strict):
    ui = from_address(strict, "203.0.113.8")
    statuses = [ui.login(EMAIL, PASSWORD).status_code for _ in range(8)]
    assert statuses == [302] * 8


def test_an_account_tried_from_many_addresses_is_held_back_alone(strict):
    for n in range(5):
        assert from_address(strict, f"192.0.2.{n}").login(EMAIL.upper(), "wrong").status_code == 401

    fresh = from_address(strict, "192.0.2.200")
    assert fresh.login(EMAIL, PASSWORD).status_code == 429
    assert fresh.login(OTHER, PASSWORD).status_code == 302


def test_signing_in_forgets_the_accounts_failures(strict):
    for n in range(4):
        from_address(strict, f"192.0.2.{n}").login(EMAIL, "wrong")
    assert from_address(strict, "192.0.2.50").login(EMAIL, PASSWORD).status_code == 302

    for n in range(4):
        assert from_address(strict, f"192.0.2.{60 + n}").login(EMAIL, "wrong").status_code == 401


def test_webhooks_and_the_api_are_never_throttled(strict):
    ui = from_address(strict, "203.0.113.9")
    for _ in range(3):
        ui.login(EMAIL, "wrong")
    assert ui.login(EMAIL, PASSWORD).status_code == 429

    # The same address, past its sign-in limit: a call still routes, the API still answers.
    call = {"CallSid": "CA" + "1" * 32, "From": "+15005550006", "To": "+15005550001"}
    voice = TwilioSigner(ui.client).post("/voice/call", call)
    assert voice.status_code == 200 and "<Response>" in voice.get_data(as_text=True)
    api = ui.client.get("/v1/handoffs", headers={"x-api-key": strict.config["HANDOFF_API_KEY"]})
    assert api.status_code == 200


def test_an_unreachable_storage_lets_people_sign_in_and_says_so(
    migrated, tmp_path, password_hash, caplog
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens here once closed
    app = limited_app(
        migrated,
        tmp_path,
        password_hash,
        SIGN_IN_LIMIT="1 per minute",
        SIGN_IN_LIMIT_STORAGE=f"redis://127.0.0.1:{port}/0?socket_connect_timeout=0.2",
    )
    ui = from_address(app, "203.0.113.10")
    with caplog.at_level(logging.WARNING, logger="handoff.sign_in_limits"):
        assert ui.login(EMAIL, "wrong").status_code == 401
        assert ui.login(EMAIL, PASSWORD).status_code == 302
    assert "sign-in limits unavailable" in caplog.text


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379 (CI has one)")
def test_redis_storage_counts_failures_across_processes(migrated, tmp_path, password_hash):
    # Two apps stand for two gunicorn workers (or hosts) sharing one Redis.
    limits = {
        "SIGN_IN_LIMIT": "2 per minute",
        # Earlier runs' failures for EMAIL may still be in Redis: only the address is tested.
        "SIGN_IN_ACCOUNT_LIMIT": "1000 per minute",
        "SIGN_IN_LIMIT_STORAGE": "redis://127.0.0.1:6379/0",
    }
    first = limited_app(migrated, tmp_path / "1", password_hash, **limits)
    second = limited_app(migrated, tmp_path / "2", password_hash, **limits)
    address = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])  # unseen by earlier runs

    assert from_address(first, address).login(EMAIL, "wrong").status_code == 401
    assert from_address(second, address).login(EMAIL, "wrong").status_code == 401
    assert from_address(first, address).login(EMAIL, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("SIGN_IN_LIMIT", "ten a minute"),
        ("SIGN_IN_ACCOUNT_LIMIT", "0 per minute"),
        ("SIGN_IN_LIMIT_STORAGE", "memcached://cache:11211"),
    ],
)
def test_a_bad_limit_setting_stops_the_service_naming_it(setting, value):
    with pytest.raises(ConfigurationError, match=setting):
        sign_in_settings({setting: value})


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (45, "45 seconds"),
        (89, "89 seconds"),
        (90, "2 minutes"),
        (900, "15 minutes"),
    ],
)
def test_the_wait_is_said_in_words(seconds, words):
    assert in_words(seconds) == words
