"""A new worker loads the configurations and takes over orphaned records before any call."""

import gc
import json
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import handoff.voice
from models import Conversation, db
from tests.voice_support import add_billing, pstn_call, statements_sent, xml

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.fixture
def started(app):
    """Run gunicorn's post_worker_init for ``app`` as a new worker would; undo its freeze."""

    def start():
        thread = runpy.run_path(str(CONF))["post_worker_init"](SimpleNamespace(wsgi=app))
        thread.join(timeout=30)
        assert not thread.is_alive(), "the warm-up did not finish within 30 s"

    yield start
    gc.unfreeze()


def test_the_first_call_after_start_loads_no_configuration(app, twilio, started):
    with app.app_context():
        add_billing()
        db.session.commit()
    started()
    with app.app_context():
        sent = statements_sent(db.engine)
    answer = twilio.post("/voice/call", pstn_call())
    assert xml(answer).find("./Gather") is not None
    assert sent, "the version check still runs"
    assert not [s for s in sent if "FROM topics" in s or "FROM destinations" in s], sent


def test_a_worker_starts_when_the_configurations_cannot_be_loaded(
    app, twilio, started, caplog, monkeypatch
):
    def unreachable(session, cache):
        raise ConnectionError("database away")

    monkeypatch.setattr(handoff.voice, "warm_up", unreachable)
    started()
    monkeypatch.undo()
    assert "could not load the configurations before the first call" in caplog.text
    with app.app_context():
        add_billing()
        db.session.commit()
    assert xml(twilio.post("/voice/call", pstn_call())).find("./Gather") is not None


def test_a_new_worker_records_what_a_dead_one_answered_without_waiting_for_a_call(app, started):
    app.config["RECORDS_WRITE_BEHIND"] = True
    call = pstn_call(CallSid="CA" + "d" * 32)
    entry = {
        "kind": "call",
        "keys": [f"{call['CallSid']}:call"],
        "body": "<Response/>",
        "webhook": {"params": call, "query": {}, "token": "", "base_url": "https://x.test"},
    }
    folder = Path(app.config["RECORDS_JOURNAL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "4242-1.journal").write_text(json.dumps({"seq": 1, "entry": entry}) + "\n")
    started()
    assert app.extensions["handoff_recorder"].drain(timeout=10)
    with app.app_context():
        query = select(Conversation.call_sid).where(Conversation.call_sid == call["CallSid"])
        assert db.session.scalar(query) == call["CallSid"]
    assert not (folder / "4242-1.journal").exists()
