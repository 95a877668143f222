"""Fixtures for SIP tests: a worker process on free ports, sharing the test database."""

import time

import pytest
from sqlalchemy import select

from handoff.environments import bump_config_version, get_environment
from models import Conversation, FlowSettings, HandoffState, db
from tests.sip.peers import HOST, Sipp, WorkerProcess, free_port
from tests.voice_support import add_destination, add_topic, set_integration

pytestmark = pytest.mark.sip
# Headers a handoff carries: one from the caller's INVITE, one from the matched topic.
CALLER_HEADERS = [("X-Customer", "$sip_X-Customer-Id"), ("X-Reason", "$handoff_reason")]


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


@pytest.fixture
def sip_trunk(app):
    """Make the sandbox a SIP trunk whose unrouted calls end after a one-word apology."""
    with app.app_context():
        set_integration("sandbox", kind="sip_trunk", required_method=None)
        short_apology()


@pytest.fixture
def hand_off_at_once(app, sip_trunk):
    """Return a function that hands every sandbox call, once answered, to a new destination."""

    def configure(name: str, reason: str, **fields) -> None:
        fields.setdefault("headers", CALLER_HEADERS)
        with app.app_context():
            destination = add_destination("sandbox", name, **fields)
            add_topic("sandbox", name, immediate=True, destination_id=destination.id, reason=reason)

    return configure


@pytest.fixture
def bridge_to_agents(hand_off_at_once):
    """Return a function that bridges every sandbox call (INVITE, plain RTP) to a local port."""

    def configure(port: int, **fields) -> None:
        fields.setdefault("encryption", "udp_rtp")
        route = f"sip:agent@{HOST}:{port}"
        hand_off_at_once("Agents", "agents", method="sip_invite", route=route, **fields)

    return configure


@pytest.fixture
def sbc(tmp_path):
    """Return a function that starts SIPp as the SBC calling a worker (customer 42 unless told)."""

    def call(worker: WorkerProcess, scenario: str, **keys) -> Sipp:
        keys = {"customer": "42", **keys}
        return Sipp(scenario, tmp_path, free_port(), f"{HOST}:{worker.port}", **keys)

    return call


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
