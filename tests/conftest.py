"""Shared fixtures: app on a migrated database, client, runner, and a signing Twilio helper.

SQLite by default; set TEST_DATABASE_URL to a PostgreSQL URL and the whole suite runs
against a fresh database created for this run (so parallel runs never collide).
"""

import os
import secrets
from urllib.parse import urlencode

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from app import create_app
from handoff.environments import ensure_environments
from handoff.settings import database_url
from models import db

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://handoff.example.test"
API_KEY = "hk_test_bootstrap_key_0123456789"


def _postgres_database(base_url: str):
    """Create a uniquely named PostgreSQL database for this run; yield its URL, then drop it."""
    url = make_url(database_url(base_url, ""))
    name = f"handoff_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """Yield the URL of an empty database for this test run."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        yield from _postgres_database(pg)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'handoff.sqlite3'}"


def make_test_config(database_uri: str, tmp_path, **overrides) -> dict:
    """Return the config mapping used by test apps."""
    config = {
        "TESTING": True,
        "APP_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "HANDOFF_API_KEY": API_KEY,
        "WTF_CSRF_ENABLED": True,
        "FUNCTIONS_DIR": str(tmp_path / "functions"),
        # The last-known-good configuration files of this test, never the real instance/.
        "LAST_KNOWN_GOOD_DIR": str(tmp_path / "last-known-good"),
        # Tests change the configuration and call at once: check its version on every call.
        "CONFIG_MAX_AGE": 0.0,
        "RECORDS_JOURNAL_DIR": str(tmp_path / "records"),
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def migrated(database_uri, tmp_path_factory):
    """Run the Alembic migrations once for the run's database."""
    app = create_app(make_test_config(database_uri, tmp_path_factory.mktemp("m")))
    with app.app_context():
        cfg = app.extensions["migrate"].migrate.get_config()
        command.upgrade(cfg, "head")
        db.engine.dispose()
    return database_uri


def _empty_all_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(migrated, tmp_path):
    """An app on the migrated database, emptied and given fresh environments per test."""
    app = create_app(make_test_config(migrated, tmp_path))
    with app.app_context():
        _empty_all_tables()
        ensure_environments(db.session)
        db.session.commit()
    yield app
    recorder = app.extensions.get("handoff_recorder")
    if recorder is not None:
        recorder.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app's `flask` commands."""
    return app.test_cli_runner()


class TwilioSigner:
    """Send webhook requests signed the way Twilio signs them."""

    def __init__(self, client, auth_token: str = AUTH_TOKEN, base_url: str = PUBLIC_BASE_URL):
        self.client = client
        self.validator = RequestValidator(auth_token)
        self.base_url = base_url
        # Wait for records written behind the answer, so the next line of a test sees them.
        self.drain = True

    def signature(self, path: str, params: dict, query: dict | None = None) -> str:
        """Return the X-Twilio-Signature for a POST to ``path``."""
        url = self.base_url + path + (f"?{urlencode(query)}" if query else "")
        return self.validator.compute_signature(url, params)

    def post(self, path: str, params: dict, query: dict | None = None, headers=None):
        """POST form ``params`` to ``path`` with a valid signature."""
        all_headers = {"X-Twilio-Signature": self.signature(path, params, query)}
        all_headers.update(headers or {})
        full = path + (f"?{urlencode(query)}" if query else "")
        response = self.client.post(full, data=params, headers=all_headers)
        # Records are written behind the answer, as in production; tests read them next.
        recorder = self.client.application.extensions.get("handoff_recorder")
        if recorder is not None and self.drain:
            assert recorder.drain(timeout=10), "call records were not written within 10 s"
        return response


@pytest.fixture
def twilio(client):
    """A helper that signs webhook requests with the test auth token."""
    return TwilioSigner(client)


@pytest.fixture
def api_headers():
    """Headers for an API request with the bootstrap read+write key."""
    return {"x-api-key": API_KEY}


class ApiClient:
    """Call the /v1 API with the bootstrap key; ``environment`` goes in the query."""

    def __init__(self, client, key: str = API_KEY):
        self.client = client
        self.headers = {"x-api-key": key}

    def _call(self, method: str, path: str, json=None, headers=None, **query):
        all_headers = {**self.headers, **(headers or {})}
        return self.client.open(
            path, method=method, json=json, headers=all_headers, query_string=query
        )

    def get(self, path: str, **kwargs):
        return self._call("GET", path, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self._call("POST", path, json=json, **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self._call("PUT", path, json=json, **kwargs)

    def patch(self, path: str, json=None, **kwargs):
        return self._call("PATCH", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs):
        return self._call("DELETE", path, **kwargs)

    def create_destination(self, **fields):
        """Create a sandbox destination (an INVITE to a SIP URI unless told) and return it."""
        body = {"method": "sip_invite", "route": "sip:team@sip.example.com", **fields}
        response = self.post("/v1/handoffs", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def api(client):
    """An API helper authenticated with the bootstrap read+write key."""
    return ApiClient(client)
