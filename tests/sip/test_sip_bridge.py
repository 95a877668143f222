"""INVITE (bridge) and BYE handoffs, with SIPp playing the SBC and the destination."""

import pytest

from tests.sip.conftest import conversation_states, ended_conversation, timeline, wait_for
from tests.sip.peers import HOST, Sipp, free_port
from tests.voice_support import add_destination

pytestmark = pytest.mark.sip


def test_invite_carries_headers_and_ends_both_legs(
    app, start_worker, bridge_to_agents, sbc, tmp_path
):
    port = free_port()
    bridge_to_agents(port)
    worker = start_worker()
    destination = Sipp("dest_answer", tmp_path, port)
    caller = sbc(worker, "sbc_hangup", hold=1500).wait()
    answered = destination.wait()
    assert caller.returncode == 0, caller.output
    assert answered.returncode == 0, answered.output
    invite = answered.received("INVITE")[0]
    assert f"INVITE sip:agent@{HOST}:{port} SIP/2.0" in invite
    assert "\nX-Customer: 42\n" in invite
    assert "\nX-Reason: agents\n" in invite
    assert "\nX-Handoff-ID: ho_" in invite
    # The caller hung up: the destination got a BYE from the worker.
    assert answered.received("BYE")
    with app.app_context():
        conversation = wait_for(ended_conversation)
        assert timeline(conversation) == [
            ("handoff_initiated", None),
            ("handoff_completed", 200),
            ("ended", None),
        ]


def test_no_answer_falls_back_to_a_bye_that_carries_headers(
    app, start_worker, bridge_to_agents, sbc, tmp_path
):
    port = free_port()
    with app.app_context():
        back_id = add_destination(
            "sandbox",
            "Back to SBC",
            method="sip_bye",
            route="",
            headers=[("X-Handoff-Reason", "$handoff_reason")],
        ).id
    bridge_to_agents(port, ring_timeout=2, fallback_id=back_id)
    worker = start_worker()
    destination = Sipp("dest_ringing", tmp_path, port)
    caller = sbc(worker, "sbc_call").wait()
    rang = destination.wait()
    assert rang.returncode == 0, rang.output
    assert caller.returncode == 0, caller.output
    bye = caller.received("BYE")[0]
    assert "\nX-Handoff-Reason: agents\n" in bye
    with app.app_context():
        conversation = wait_for(ended_conversation)
        assert timeline(conversation) == [
            ("handoff_initiated", None),
            ("handoff_failed", 408),
            ("handoff_initiated", None),
            ("handoff_completed", 200),
            ("ended", None),
        ]
        assert [h.method for h in conversation.handoffs] == ["sip_invite", "sip_bye"]


def test_caller_hanging_up_while_it_rings_cancels_the_outbound_leg(
    app, start_worker, bridge_to_agents, sbc, tmp_path
):
    port = free_port()
    bridge_to_agents(port, ring_timeout=30)
    worker = start_worker()
    destination = Sipp("dest_ringing", tmp_path, port)
    caller = sbc(worker, "sbc_hangup", hold=1000).wait()
    rang = destination.wait()
    assert caller.returncode == 0, caller.output
    assert rang.returncode == 0, rang.output
    assert rang.received("CANCEL")
    with app.app_context():
        conversation = wait_for(ended_conversation)
        assert timeline(conversation) == [
            ("handoff_initiated", None),
            ("handoff_failed", 487),
            ("ended", None),
        ]
        assert conversation_states(conversation)[-1].detail == "caller_hangup"


def test_a_full_worker_answers_503_with_retry_after(app, start_worker, sip_trunk, sbc):
    with app.app_context():
        add_destination("sandbox", "Billing", method="sip_refer", route="sip:b@127.0.0.1:5999")
    worker = start_worker(SIP_MAX_LEGS=2, SIP_REFER_TIMEOUT=2, SIP_RETRY_AFTER=7)
    busy = sbc(worker, "sbc_refer_silent")
    wait_for(lambda: "REFER sip" in _text(busy.messages), fresh=False)
    refused = sbc(worker, "sbc_full").wait()
    assert refused.returncode == 0, refused.output
    assert busy.wait().returncode == 0
    assert "Retry-After: 7" in refused.messages


def _text(path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""
