"""REFER handoffs against SIPp playing the SBC (a non-PJSIP peer)."""

import pytest

from models import db
from tests.sip.conftest import conversation_states, ended_conversation, timeline, wait_for
from tests.voice_support import add_destination

pytestmark = pytest.mark.sip
TARGET = "sip:billing@127.0.0.1:5999"


@pytest.fixture
def refer_to_billing(hand_off_at_once):
    """Return a function that refers every sandbox call to Billing at ``TARGET``."""

    def configure(**fields) -> None:
        hand_off_at_once("Billing", "billing", method="sip_refer", route=TARGET, **fields)

    return configure


@pytest.fixture
def refer_call(sbc):
    """Return a function that runs SIPp as the SBC through a REFER scenario, to its end."""

    def run(worker, scenario: str = "sbc_refer", **keys):
        return sbc(worker, scenario, **{"notify_code": 200, **keys}).wait()

    return run


def test_refer_carries_headers_and_records_the_final_notify(
    app, start_worker, refer_to_billing, refer_call
):
    refer_to_billing()
    worker = start_worker()
    run = refer_call(worker)
    assert run.returncode == 0, run.output
    refer = run.received("REFER")[0]
    assert f"Refer-To: <{TARGET}?X-Customer=42&X-Reason=billing&X-Handoff-ID=ho_" in refer
    assert "\nX-Customer: 42\n" in refer
    assert "\nX-Reason: billing\n" in refer
    with app.app_context():
        conversation = wait_for(ended_conversation)
        assert conversation.sip_headers == {"X-Customer-Id": "42"}
        assert conversation.caller == "+14155550100"
        assert timeline(conversation) == [
            ("handoff_initiated", None),
            ("handoff_completed", 200),
            ("ended", None),
        ]


def test_a_failed_notify_is_recorded_and_never_reported_as_success(
    app, start_worker, refer_to_billing, refer_call
):
    refer_to_billing()
    worker = start_worker()
    run = refer_call(worker, notify_code=486)
    assert run.returncode == 0, run.output
    with app.app_context():
        conversation = wait_for(ended_conversation)
        states = timeline(conversation)
        assert ("handoff_failed", 486) in states
        assert ("handoff_completed", 200) not in states
        db.session.rollback()


def test_a_refused_refer_falls_back_to_the_fallback_destination(
    app, start_worker, refer_to_billing, refer_call
):
    with app.app_context():
        desk_id = add_destination(
            "sandbox", "Desk", method="sip_refer", route="sip:desk@127.0.0.1:5998"
        ).id
    refer_to_billing(fallback_id=desk_id)
    worker = start_worker()
    run = refer_call(worker, "sbc_refer_refused")
    assert run.returncode == 0, run.output
    first, second = run.received("REFER")
    assert f"Refer-To: <{TARGET}?" in first
    assert "Refer-To: <sip:desk@127.0.0.1:5998?X-Handoff-ID=ho_" in second
    with app.app_context():
        conversation = wait_for(ended_conversation)
        assert timeline(conversation) == [
            ("handoff_initiated", None),
            ("handoff_failed", 405),
            ("handoff_initiated", None),
            ("handoff_completed", 200),
            ("ended", None),
        ]
        names = [h.destination_name for h in conversation.handoffs]
        assert names == ["Billing", "Desk"]


def test_a_bare_202_times_out_as_a_failure(app, start_worker, refer_to_billing, refer_call):
    refer_to_billing()
    worker = start_worker(SIP_REFER_TIMEOUT=1)
    run = refer_call(worker, "sbc_refer_silent")
    assert run.returncode == 0, run.output
    with app.app_context():
        conversation = wait_for(ended_conversation)
        states = timeline(conversation)
        assert states[:2] == [("handoff_initiated", None), ("handoff_failed", 408)]
        # No fallback and the failed destination is the default: nobody else to try.
        assert ("unrouted", None) in states
        assert ("handoff_completed", 200) not in states


def test_caller_hanging_up_mid_transfer_is_recorded_and_cleaned_up(
    app, start_worker, refer_to_billing, refer_call
):
    refer_to_billing()
    worker = start_worker(SIP_REFER_TIMEOUT=10)
    run = refer_call(worker, "sbc_refer_hangup")
    assert run.returncode == 0, run.output
    with app.app_context():
        conversation = wait_for(ended_conversation)
        assert timeline(conversation) == [
            ("handoff_initiated", None),
            ("handoff_failed", None),
            ("ended", None),
        ]
        details = [row.detail for row in conversation_states(conversation)]
        assert details[1] == "caller hung up"
        assert details[2] == "caller_hangup"
