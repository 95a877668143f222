"""The functions runtime: loading, the conv object, overrides and every failure mode."""

import logging
import os
import textwrap
import time
from pathlib import Path

import pytest

from handoff.config import DestinationConfig, EnvironmentConfig, HeaderConfig, TopicConfig
from handoff.decision import FUNCTION_ERROR, CallFacts, Gather, Transfer
from handoff.functions import run_topic_function
from models import Handoff, Metric, db
from tests import calls_factory as f

SUPPORT = DestinationConfig(
    id=1,
    name="Support",
    method="sip_refer",
    route="sip:support@pbx.example.com",
    sip_headers=(HeaderConfig("X-Team", "support"), HeaderConfig("X-Customer-ID", "unknown")),
    is_default=True,
)
AFTER_HOURS = DestinationConfig(
    id=2, name="After hours", method="sip_refer", route="sip:night@pbx.example.com"
)
BILLING = DestinationConfig(
    id=3, name="Billing", method="sip_refer", route="sip:bill@pbx.example.com"
)


def config(*topics):
    return EnvironmentConfig(
        environment="sandbox",
        version=1,
        destinations=(SUPPORT, AFTER_HOURS, BILLING),
        topics=topics,
    )


def topic(function="route", destination_id=None, **params):
    return TopicConfig(
        id=7,
        name="Routing",
        action="function",
        function=function,
        params=params,
        destination_id=destination_id,
        reason="topic_reason",
    )


def facts(conv_id, **kw):
    return CallFacts(
        call_sid="CAfunc",
        caller="+14155550100",
        called="+14155550199",
        channel="sip",
        conversation_id=conv_id,
        handoff_id="ho_fixed",
        **kw,
    )


def write(app, name, source):
    folder = Path(app.config["FUNCTIONS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def run(app, the_topic, **fact_fields):
    """Run the topic's function for a fresh conversation; return (decision, conversation id)."""
    conv = f.conversation()
    decision = run_topic_function(
        db.session, conv, config(the_topic), facts(conv.id, **fact_fields), the_topic
    )
    db.session.commit()
    return decision, conv.id


def test_call_handoff_merges_headers_over_the_destinations(app):
    write(
        app,
        "route",
        """
        def route(conv):
            return conv.call_handoff("support", reason="vip", sip_headers={"X-Customer-ID": "42"})
    """,
    )
    with app.app_context():
        decision, _ = run(app, topic())
    assert isinstance(decision, Transfer)
    plan = decision.plan
    assert plan.destination.name == "Support" and plan.reason == "vip"
    headers = dict(plan.sip_headers)
    assert headers["X-Customer-ID"] == "42" and headers["X-Team"] == "support"
    assert headers["X-Handoff-ID"] == "ho_fixed"
    assert "X-Customer-ID=42" in plan.sip_uri


def test_function_handoff_overrides_the_topic_and_params_are_passed(app):
    write(
        app,
        "route",
        """
        def route(conv, target):
            conv.call_handoff(target)
    """,
    )
    with app.app_context():
        decision, _ = run(app, topic(destination_id=2, target="Billing"))
    assert decision.plan.destination.name == "Billing"


def test_without_a_handoff_the_topics_own_applies(app):
    write(app, "route", "def route(conv):\n    conv.state.seen = True\n")
    with app.app_context():
        decision, _ = run(app, topic(destination_id=2))
    assert decision.plan.destination.name == "After hours"
    assert decision.plan.reason == "topic_reason"


def test_transfer_call_is_fully_dynamic(app):
    write(
        app,
        "route",
        """
        def route(conv):
            return conv.transfer_call("sip:desk@other.example.com", "sip_invite",
                sip_headers=[("X-Desk", "7")], encryption="udp_rtp", reason="dynamic",
                utterance="One moment")
    """,
    )
    with app.app_context():
        decision, _ = run(app, topic())
    plan = decision.plan
    assert (plan.method, plan.reason, plan.utterance) == ("sip_invite", "dynamic", "One moment")
    assert plan.sip_uri.startswith("sip:desk@other.example.com?") and "X-Desk=7" in plan.sip_uri


def test_state_persists_and_missing_reads_none(app):
    write(
        app,
        "route",
        """
        def route(conv):
            assert conv.state.nothing_here is None
            conv.state.tier = (conv.state.tier or 0) + 1
    """,
    )
    with app.app_context():
        _, conv_id = run(app, topic())
        from models import Conversation

        assert db.session.get(Conversation, conv_id).state == {"tier": 1}


def test_metrics_in_order_and_write_once(app):
    write(
        app,
        "route",
        """
        def route(conv):
            conv.write_metric("score", 1)
            conv.write_metric("score", {"v": 2})
            conv.write_metric("first", "a", write_once=True)
            conv.write_metric("first", "b", write_once=True)
    """,
    )
    with app.app_context():
        _, conv_id = run(app, topic())
        rows = db.session.query(Metric).filter_by(conversation_id=conv_id).order_by(Metric.id)
        written = [(m.name, m.value) for m in rows]
    assert written[:3] == [("score", 1), ("score", {"v": 2}), ("first", "a")]
    assert [value for name, value in written if name == "first"] == ["a"]
    assert ("HANDOFF_TO", "Support") not in written[:3]


def test_soft_handoff_records_without_transfer(app):
    write(
        app,
        "route",
        """
        def route(conv):
            return conv.soft_handoff("ticket_opened", "We opened a ticket for you.")
    """,
    )
    with app.app_context():
        decision, conv_id = run(app, topic())
        handoff = db.session.query(Handoff).filter_by(conversation_id=conv_id).one()
        assert (handoff.state, handoff.reason) == ("soft_handoff", "ticket_opened")
        assert handoff.context["reason"] == "ticket_opened"
    assert isinstance(decision, Gather) and decision.prompt == "We opened a ticket for you."


FAILURES = {
    "raises": "def route(conv):\n    raise RuntimeError('boom')\n",
    "missing_handoff": "def route(conv):\n    conv.call_handoff('Nope')\n",
    "nonsense_return": "def route(conv):\n    return 'sales'\n",
    "too_slow": "import time\ndef route(conv):\n    time.sleep(30)\n",
    "bad_header": "def route(conv):\n    conv.call_handoff(3, sip_headers={'X-A': '\\r'})\n",
    "bad_reason": "def route(conv):\n    conv.call_handoff('Billing', reason='Not A Code')\n",
    "syntax_error": "def route(conv)\n    pass\n",
    "no_such_function": "def other(conv):\n    pass\n",
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failures_fall_back_to_the_default_with_function_error(app, caplog, case):
    app.config["FUNCTION_TIMEOUT"] = 0.3
    write(app, "route", FAILURES[case])
    with app.app_context(), caplog.at_level(logging.ERROR):
        started = time.monotonic()
        decision, _ = run(app, topic())
        # The 30 s function is cut off by the 0.3 s budget (generous margin for loaded CI).
        assert time.monotonic() - started < 10
    assert decision.plan.destination.name == "Support"
    assert decision.plan.reason == FUNCTION_ERROR
    assert "CAfunc" in caplog.text


def test_missing_file_falls_back(app):
    with app.app_context():
        decision, _ = run(app, topic(function="absent"))
    assert decision.plan.reason == FUNCTION_ERROR


def test_file_is_reloaded_when_it_changes(app):
    path = write(app, "route", "def route(conv):\n    conv.call_handoff('Billing')\n")
    with app.app_context():
        assert run(app, topic())[0].plan.destination.name == "Billing"
        path.write_text("def route(conv):\n    conv.call_handoff('After hours')\n")
        later = time.time() + 5
        os.utime(path, (later, later))
        assert run(app, topic())[0].plan.destination.name == "After hours"


@pytest.mark.parametrize(
    ("now", "destination", "reason"),
    [
        ("2026-11-23T15:00:00+00:00", "Support", "business_hours"),  # Monday 10:00 in New York
        ("2026-11-23T23:30:00+00:00", "After hours", "after_hours"),  # Monday 18:30
        ("2026-11-22T15:00:00+00:00", "After hours", "after_hours"),  # Sunday
    ],
)
def test_example_transfer_call(app, now, destination, reason):
    app.config["FUNCTIONS_DIR"] = str(Path(__file__).parent.parent / "functions")
    with app.app_context():
        decision, conv_id = run(app, topic(function="transfer_call", now=now))
        metric = db.session.query(Metric).filter_by(conversation_id=conv_id, name="business_hours")
        assert metric.one().value == (destination == "Support")
    assert (decision.plan.destination.name, decision.plan.reason) == (destination, reason)
    assert dict(decision.plan.sip_headers)["X-Customer-ID"] == "C-1001"
