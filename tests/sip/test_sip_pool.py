"""A pool of workers behind Kamailio's dispatcher holds more calls than one process."""

import re

import pytest
from sqlalchemy import func, select

from models import Conversation, db
from tests.sip.conftest import wait_for
from tests.sip.peers import HOST, Kamailio, Sipp, free_port
from tests.voice_support import add_destination, set_integration

pytestmark = pytest.mark.sip
# One pjsua2 process holds 4 legs: two bridged handoffs. Two workers hold four.
CALLS = 4


@pytest.fixture
def kamailio(tmp_path):
    started = []

    def start(workers: list[int]) -> Kamailio:
        proxy = Kamailio(tmp_path, free_port(), workers)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()


def test_kamailio_spreads_more_bridged_calls_than_one_worker_holds(
    app, start_worker, kamailio, bridge_to_agents, tmp_path
):
    port = free_port()
    bridge_to_agents(port)
    first = free_port(2)
    pool = start_worker(SIP_WORKERS=2, SIP_LISTEN=f"{HOST}:{first}")
    proxy = kamailio([first, first + 1])
    destination = Sipp("dest_answer", tmp_path, port, calls=CALLS)
    callers = Sipp(
        "sbc_hangup",
        tmp_path,
        free_port(),
        f"{HOST}:{proxy.port}",
        hold=5000,
        calls=CALLS,
        rate=50,
        customer="7",
    )
    run, answered = callers.wait(60), destination.wait(60)
    assert run.returncode == 0, run.output + proxy.output()
    assert answered.returncode == 0, answered.output
    assert len(answered.received("INVITE")) == CALLS
    # Every call was bridged at the same time, on both workers.
    served = re.findall(r"sip:handoff@127\.0\.0\.1:(\d+)", run.messages)
    assert {int(p) for p in served} == {first, first + 1}
    with app.app_context():
        count = (
            select(func.count()).select_from(Conversation).where(Conversation.ended_at.is_not(None))
        )
        wait_for(lambda: db.session.scalar(count) == CALLS)
    assert pool.output().count("SIP worker listening") == 2


def test_a_dead_worker_is_skipped(app, start_worker, kamailio, tmp_path):
    with app.app_context():
        set_integration("sandbox", kind="sip_trunk", required_method=None)
        add_destination("sandbox", "Back", method="sip_bye", route="")
    worker = start_worker()
    # The first worker listed is a port where nothing listens: Kamailio times out, fails over.
    proxy = kamailio([free_port(), worker.port])
    run = Sipp(
        "sbc_call", tmp_path, free_port(), f"{HOST}:{proxy.port}", calls=2, rate=50, customer="8"
    ).wait(60)
    assert run.returncode == 0, run.output + proxy.output()
    assert "trying the next SIP worker" in proxy.output()
    with app.app_context():
        count = select(func.count()).select_from(Conversation)
        wait_for(lambda: db.session.scalar(count) == 2)
