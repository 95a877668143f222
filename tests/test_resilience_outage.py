"""The database fails mid-load: every webhook still routes from the last-known configuration,
and what is recorded after recovery is whole."""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from handoff.settings import database_url
from models import Conversation, Handoff, HandoffState, db
from tests.conftest import make_test_config
from tests.voice_support import BILLING_URI, add_billing, pstn_call


@pytest.fixture
def configured(app):
    with app.app_context():
        add_billing()
    return app


@contextmanager
def sqlite_outage(app, uri: str):
    """Move the SQLite file away and leave a directory in its place: nothing can open it."""
    path = Path(make_url(uri).database)
    with app.app_context():
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    aside = path.with_name(path.name + ".aside")
    shutil.move(path, aside)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        shutil.move(aside, path)
        with app.app_context():
            db.engine.dispose()


@contextmanager
def postgres_outage(uri: str):
    """Refuse new connections to the run's database and end the open ones (server stays up)."""
    url = make_url(database_url(uri, ""))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false'))
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": url.database},
        )
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def outage(app, uri: str):
    """Make the database unreachable for the duration of a ``with`` block."""
    if uri.startswith("sqlite"):
        return sqlite_outage(app, uri)
    return postgres_outage(uri)


def route_of(response) -> str:
    """Return where the caller is sent: the <Sip> of the <Dial>; fail on anything else."""
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    sip = ElementTree.fromstring(response.data).find("./Dial/Sip")
    assert sip is not None, response.data
    return sip.text


def asks(response) -> bool:
    """Return whether the answer greets the caller and listens (a routable first step)."""
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return ElementTree.fromstring(response.data).find("./Gather") is not None


def place_call(twilio, params: dict) -> str:
    """Run a call through /voice/call and a gather that asks for billing; return its route."""
    assert asks(twilio.post("/voice/call", params))
    gather = {**params, "SpeechResult": "it is about billing"}
    return route_of(twilio.post("/voice/gather", gather, query={"attempt": "1"}))


def test_calls_route_through_a_database_outage_and_record_after_it(
    configured, twilio, client, migrated
):
    before = [pstn_call() for _ in range(3)]
    during = [pstn_call() for _ in range(3)]
    after = [pstn_call() for _ in range(3)]
    straddling = pstn_call()
    for params in before:
        assert place_call(twilio, params).startswith(BILLING_URI)
    with outage(configured, migrated):
        assert client.get("/healthz").status_code == 503
        for params in during:
            assert place_call(twilio, params).startswith(BILLING_URI)
        assert asks(twilio.post("/voice/call", straddling))
        status = twilio.post("/voice/status", {**during[0], "CallStatus": "completed"})
        assert status.status_code == 200
        assert ElementTree.fromstring(status.data).tag == "Response"
    assert client.get("/healthz").status_code == 200
    for params in after:
        assert place_call(twilio, params).startswith(BILLING_URI)
    gather = {**straddling, "SpeechResult": "billing"}
    assert route_of(twilio.post("/voice/gather", gather, query={"attempt": "1"})).startswith(
        BILLING_URI
    )
    with configured.app_context():
        recorded = set(db.session.scalars(select(Conversation.call_sid)))
        assert recorded == {p["CallSid"] for p in [*before, *after, straddling]}
        for conversation in db.session.scalars(select(Conversation)):
            assert_one_whole_handoff(conversation)


def assert_one_whole_handoff(conversation: Conversation) -> None:
    """The conversation has one handoff to billing, its context and its state row."""
    handoffs = db.session.scalars(
        select(Handoff).where(Handoff.conversation_id == conversation.id)
    ).all()
    assert len(handoffs) == 1
    assert handoffs[0].destination_name == "Billing team"
    assert handoffs[0].context
    states = db.session.scalar(
        select(func.count())
        .select_from(HandoffState)
        .where(HandoffState.handoff_id == handoffs[0].id)
    )
    assert states == 1
    assert conversation.status == "handoff_initiated"


def test_a_new_process_routes_from_the_file_while_the_database_is_down(
    configured, twilio, migrated, tmp_path
):
    """A worker started during the outage has no memory: it reads the last-known-good file."""
    assert place_call(twilio, pstn_call()).startswith(BILLING_URI)
    folder = configured.config["LAST_KNOWN_GOOD_DIR"]
    assert os.listdir(folder)
    with outage(configured, migrated):
        fresh = create_app(make_test_config(migrated, tmp_path, LAST_KNOWN_GOOD_DIR=folder))
        from tests.conftest import TwilioSigner

        signer = TwilioSigner(fresh.test_client())
        assert place_call(signer, pstn_call()).startswith(BILLING_URI)
        with fresh.app_context():
            db.engine.dispose()
