"""Fixtures for SIP tests: a worker process on free ports, sharing the test database."""

import time

import pytest
from sqlalchemy import select

from handoff.environments import bump_config_version, get_environment
from models import Conversation, FlowSettings, HandoffState, db
from tests.sip.peers import HOST, WorkerProcess, free_port

pytestmark = pytest.mark.sip


@pytest.fixture
def start_worker(app, tmp_path):
    """Return a function that starts ``python -m sipworker`` on a free port."""
    started: list[WorkerProcess] = []

    def start(**env) -> WorkerProcess:
        settings = {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "sip-test-secret",
            "APP_ENV": "development",
            "SIP_ENVIRONMENT": "sandbox",
            "SIP_LISTEN": f"{HOST}:{free_port()}",
            "SIP_REFER_TIMEOUT": "3",
            "SIP_TTS_CACHE": str(tmp_path / "tts"),
            "SIP_LOG_LEVEL": "3",
        }
        settings.update({k: str(v) for k, v in env.items()})
        worker = WorkerProcess(settings, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        worker.wait_ready(int(settings.get("SIP_WORKERS", 1)))
        return worker

    yield start
    for worker in started:
        code = worker.stop()
        output = worker.output()
        assert code == 0, output
        assert "Traceback" not in output, output


def wait_for(check, timeout: float = 10.0, interval: float = 0.1, fresh: bool = True):
    """Poll ``check()`` until it returns a truthy value; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        if fresh:
            # See what the worker process committed since the last look.
            db.session.rollback()
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "condition not met in time"
            return value
        time.sleep(interval)


def ended_conversation(call_id: str | None = None) -> Conversation | None:
    """Return the (only, or ``call_id``'s) SIP conversation once it has ended."""
    query = select(Conversation).where(Conversation.channel == "sip_trunk")
    if call_id:
        query = query.where(Conversation.call_sid == call_id)
    row = db.session.scalars(query).first()
    return row if row is not None and row.ended_at is not None else None


def conversation_states(conversation: Conversation) -> list[HandoffState]:
    """Return the conversation's transitions in order."""
    query = select(HandoffState).where(HandoffState.conversation_id == conversation.id)
    return list(db.session.scalars(query.order_by(HandoffState.id)))


def timeline(conversation: Conversation) -> list[tuple[str, int | None]]:
    """Return the conversation's ``(state, sip_code)`` transitions in order."""
    return [(row.state, row.sip_code) for row in conversation_states(conversation)]


def short_apology(env: str = "sandbox") -> None:
    """Make the sandbox's apology one word, so unrouted calls end quickly."""
    environment = get_environment(db.session, env)
    flow = db.session.scalar(
        select(FlowSettings).where(FlowSettings.environment_id == environment.id)
    )
    flow.apology = "Sorry."
    bump_config_version(db.session, environment)
    db.session.commit()
