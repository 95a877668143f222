"""Audio and DTMF through the worker, with pjsua2 peers in their own processes."""

import time

import pytest
from sqlalchemy import select

from models import TranscriptTurn, db
from tests.sip.conftest import conversation_states, ended_conversation, timeline, wait_for
from tests.sip.peers import HOST, PjPeer, free_port, self_signed_certificate, tone_power
from tests.voice_support import add_destination, add_topic

pytestmark = pytest.mark.sip
CALLER_TONE, CALLEE_TONE = 440, 1000


def test_the_bridge_carries_audio_both_ways(app, start_worker, bridge_to_agents, tmp_path):
    callee_port = free_port()
    bridge_to_agents(callee_port, headers=[])
    worker = start_worker()
    callee = PjPeer("callee", callee_port, tmp_path, tone=CALLEE_TONE)
    caller = PjPeer(
        "caller", free_port(), tmp_path, f"sip:handoff@{HOST}:{worker.port}", tone=CALLER_TONE
    )
    caller.wait(), callee.wait()
    # Each side hears the other's tone, and not its own.
    heard_by_caller = tone_power(caller.record, CALLEE_TONE)
    assert heard_by_caller > 10 * tone_power(caller.record, CALLER_TONE)
    heard_by_callee = tone_power(callee.record, CALLER_TONE)
    assert heard_by_callee > 10 * tone_power(callee.record, CALLEE_TONE)
    with app.app_context():
        conversation = wait_for(ended_conversation)
        assert ("handoff_completed", 200) in timeline(conversation)


def test_the_destination_hanging_up_ends_the_caller_too(
    app, start_worker, bridge_to_agents, tmp_path
):
    callee_port = free_port()
    bridge_to_agents(callee_port, headers=[])
    worker = start_worker()
    callee = PjPeer("callee", callee_port, tmp_path, hold=1)
    started = time.monotonic()
    caller = PjPeer("caller", free_port(), tmp_path, f"sip:handoff@{HOST}:{worker.port}", hold=30)
    events = caller.wait()
    callee.wait()
    # The caller would have stayed 30 s: the worker's BYE ended its call.
    assert time.monotonic() - started < 20
    assert any(e.get("state") == "DISCONNECTED" for e in events)
    with app.app_context():
        conversation = wait_for(ended_conversation)
        assert conversation_states(conversation)[-1].detail == "destination_hangup"


def test_tls_srtp_bridges_over_tls_with_mandatory_srtp(
    app, start_worker, bridge_to_agents, tmp_path
):
    callee_port = free_port()
    cert, key = self_signed_certificate(tmp_path)
    bridge_to_agents(callee_port, headers=[], encryption="tls_srtp")
    worker = start_worker()
    callee = PjPeer(
        "callee", callee_port, tmp_path, tone=CALLEE_TONE, tls_cert=cert, tls_key=key, srtp=True
    )
    caller = PjPeer(
        "caller", free_port(), tmp_path, f"sip:handoff@{HOST}:{worker.port}", tone=CALLER_TONE
    )
    caller.wait()
    invite = next(e for e in callee.wait() if e["event"] == "invite")
    assert invite == {"event": "invite", "tls": True, "savp": True, "crypto": True}
    assert tone_power(callee.record, CALLER_TONE) > 10 * tone_power(callee.record, CALLEE_TONE)
    assert tone_power(caller.record, CALLEE_TONE) > 10 * tone_power(caller.record, CALLER_TONE)


@pytest.mark.parametrize("method", ["rfc4733", "info"])
def test_dtmf_picks_the_topic(app, start_worker, sip_trunk, tmp_path, method):
    with app.app_context():
        add_destination("sandbox", "Front desk", method="sip_bye", route="")
        sales = add_destination(
            "sandbox", "Sales", method="sip_bye", route="", headers=[("X-Dept", "sales")]
        )
        add_topic("sandbox", "Sales", dtmf="2", destination_id=sales.id, reason="sales")
    worker = start_worker()
    caller = PjPeer(
        "caller",
        free_port(),
        tmp_path,
        f"sip:handoff@{HOST}:{worker.port}",
        hold=15,
        dtmf="2",
        dtmf_method=method,
    )
    events = caller.wait()
    assert {"event": "dtmf", "digits": "2", "method": method} in events
    with app.app_context():
        conversation = wait_for(ended_conversation)
        assert [h.destination_name for h in conversation.handoffs] == ["Sales"]
        assert conversation.handoffs[0].reason == "sales"
        turns = db.session.scalars(
            select(TranscriptTurn.text).where(
                TranscriptTurn.conversation_id == conversation.id, TranscriptTurn.kind == "dtmf"
            )
        )
        assert list(turns) == ["2"]
