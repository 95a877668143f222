"""The pure decision code: topic matching, flow steps, methods, targets and headers."""

import pytest

from handoff import sip_uri
from handoff.config import (
    DestinationConfig,
    EnvironmentConfig,
    FlowConfig,
    HeaderConfig,
    IntegrationConfig,
    TopicConfig,
)
from handoff.decision import (
    CallFacts,
    Gather,
    RunFunction,
    Transfer,
    Unrouted,
    decide_call,
    decide_failover,
    decide_gather,
    match_topic,
    plan_handoff,
    slugify_reason,
)

SUPPORT = DestinationConfig(
    id=1,
    name="Support Team",
    method="sip_invite",
    route="sip:support@pbx.example.com",
    is_default=True,
)
BILLING = DestinationConfig(
    id=2,
    name="Billing",
    method="sip_refer",
    route="sip:billing@pbx.example.com",
    sip_headers=(HeaderConfig("X-Caller", "$caller_id"), HeaderConfig("X-Account", "$account")),
    fallback_id=3,
)
SALES = DestinationConfig(id=3, name="Sales", method="sip_invite", route="+14155550199;ext=204")
HANGUP = DestinationConfig(
    id=4, name="SBC", method="sip_bye", sip_headers=(HeaderConfig("X-Reason", "$handoff_reason"),)
)
TOPICS = (
    TopicConfig(
        id=1,
        name="Billing",
        phrases=("bill", "billing question"),
        dtmf="1",
        destination_id=2,
        reason="billing",
        utterance="Connecting you to billing.",
    ),
    TopicConfig(
        id=2, name="Complaint", phrases=("question",), dtmf="2", reason="complaint", position=1
    ),
    TopicConfig(id=3, name="Sales", phrases=("buy",), destination_id=3, position=2),
    TopicConfig(
        id=4,
        name="Script",
        phrases=("agent please",),
        action="function",
        function="route",
        position=3,
    ),
)


def config(kind="twilio_sip", required=None, topics=TOPICS, destinations=None, **integration):
    return EnvironmentConfig(
        environment="live",
        version=7,
        integration=IntegrationConfig(kind=kind, required_method=required, **integration),
        flow=FlowConfig(max_attempts=2),
        destinations=destinations
        if destinations is not None
        else (SUPPORT, BILLING, SALES, HANGUP),
        topics=topics,
    )


def facts(channel="sip", **fields):
    fields.setdefault("handoff_id", "ho_test")
    fields.setdefault("caller", "+14155550123")
    return CallFacts(call_sid="CA1", channel=channel, **fields)


@pytest.mark.parametrize(
    ("speech", "digits", "expected"),
    [
        ("I have a BILLING question!", "", "Billing"),  # longest phrase wins over "question"
        ("a question about my bill", "", "Complaint"),  # equal length: earliest in speech
        ("Bíll", "", "Billing"),  # accents and case are folded
        ("billboard", "", None),  # whole words only
        ("", "2", "Complaint"),
        ("buy", "9", "Sales"),  # unknown digits fall back to speech
        ("nothing relevant", "", None),
    ],
)
def test_match_topic(speech, digits, expected):
    topic = match_topic(config(), speech, digits)
    assert (topic.name if topic else None) == expected


def test_shared_phrase_goes_to_first_topic_by_position():
    topics = (
        TopicConfig(id=9, name="Late", phrases=("help",), position=5),
        TopicConfig(id=8, name="Early", phrases=("Help",), position=1),
    )
    assert match_topic(config(topics=topics), "help me", "").name == "Early"


def test_call_gathers_unless_a_topic_is_immediate():
    assert decide_call(config(), facts()) == Gather(prompt=config().flow.greeting, attempt=1)
    immediate = (TopicConfig(id=5, name="All", immediate=True, destination_id=3),)
    decision = decide_call(config(topics=immediate), facts())
    assert isinstance(decision, Transfer)
    assert decision.plan.destination == SALES


def test_gather_reprompts_then_defaults_with_no_match_or_no_input():
    assert decide_gather(config(), facts(speech="weather", attempt=1)) == Gather(
        prompt=config().flow.reprompt, attempt=2
    )
    no_match = decide_gather(config(), facts(speech="weather", attempt=2))
    assert no_match.plan.destination == SUPPORT and no_match.plan.reason == "no_match"
    no_input = decide_gather(config(), facts(attempt=2))
    assert no_input.plan.reason == "no_input"


def test_topic_without_destination_uses_default_with_topic_reason():
    decision = decide_gather(config(), facts(speech="a question"))
    assert decision.plan.destination == SUPPORT
    assert decision.plan.reason == "complaint"


def test_function_topic_asks_for_the_function_runtime():
    decision = decide_gather(config(), facts(speech="agent please"))
    assert isinstance(decision, RunFunction) and decision.topic.function == "route"


def test_no_default_is_unrouted_with_the_apology():
    decision = decide_gather(config(destinations=(BILLING,)), facts(attempt=2))
    assert decision == Unrouted(reason="no_input", apology=config().flow.apology)


def test_reason_defaults_to_slugified_destination_name():
    plan = plan_handoff(config(), facts(), SUPPORT)
    assert plan.reason == "support_team"
    assert slugify_reason("  24/7 Desk!! ") == "to_24_7_desk"
    assert slugify_reason("") == "handoff"


def test_refer_on_sip_leg_carries_headers_and_handoff_id():
    plan = plan_handoff(config(), facts(state={"account": "A-9"}), BILLING, reason="billing")
    assert (plan.method, plan.target, plan.substituted) == ("sip_refer", "sip", False)
    assert plan.sip_headers == (
        ("X-Caller", "+14155550123"),
        ("X-Account", "A-9"),
        ("X-Handoff-ID", "ho_test"),
    )
    assert plan.sip_uri == (
        "sip:billing@pbx.example.com?X-Caller=+14155550123&X-Account=A-9&X-Handoff-ID=ho_test"
    )
    assert plan.encryption is None and plan.warnings == ()
    spoken = plan_handoff(config(), facts(state={"account": "A"}), BILLING, utterance="Hold on.")
    assert spoken.warning_codes == ("utterance_may_not_play",)


def test_refer_on_pstn_leg_is_a_bridged_dial_and_recorded_as_substitution():
    plan = plan_handoff(config(kind="twilio_pstn", required="sip_invite"), facts("pstn"), BILLING)
    assert (plan.requested_method, plan.method, plan.substituted) == (
        "sip_refer",
        "sip_invite",
        True,
    )
    assert "method_mismatch" in plan.warning_codes
    assert plan.sip_uri.startswith("sip:billing@pbx.example.com;transport=tls;secure=true?")


def test_refer_on_pstn_without_required_method_is_still_substituted():
    plan = plan_handoff(config(kind="sip_trunk"), facts("pstn"), BILLING)
    assert plan.method == "sip_invite" and "refer_substituted" in plan.warning_codes


def test_missing_variable_is_empty_with_warning_and_empty_header_is_omitted():
    plan = plan_handoff(config(), facts(), BILLING)
    assert [n for n, _ in plan.sip_headers] == ["X-Caller", "X-Handoff-ID"]
    assert ("variable_missing") in plan.warning_codes


def test_headers_hidden_sends_no_headers_not_even_handoff_id():
    plan = plan_handoff(config(headers_hidden=True), facts(), BILLING)
    assert plan.sip_headers == () and "?" not in plan.sip_uri
    assert "headers_hidden" in plan.warning_codes


def test_handoff_id_header_can_be_switched_off():
    plan = plan_handoff(config(add_handoff_id_header=False), facts(), SUPPORT)
    assert plan.sip_headers == () and plan.sip_uri.endswith(";transport=tls;secure=true")


def test_udp_rtp_invite_has_no_tls_params():
    udp = DestinationConfig(
        id=9, name="U", method="sip_invite", route="sip:u@h.example.com", encryption="udp_rtp"
    )
    plan = plan_handoff(config(), facts(), udp)
    assert plan.sip_uri == "sip:u@h.example.com?X-Handoff-ID=ho_test"
    assert plan.encryption == "udp_rtp"


def test_phone_route_with_extension_dials_the_number_with_digits():
    plan = plan_handoff(config(), facts(), SALES)
    assert (plan.target, plan.number, plan.send_digits) == ("number", "+14155550199", "ww204")
    assert plan.sip_headers == ()


def test_refer_to_a_phone_number_is_dialled():
    refer = DestinationConfig(id=9, name="N", method="sip_refer", route="+14155550199")
    plan = plan_handoff(config(), facts(), refer)
    assert (plan.method, plan.target, plan.substituted) == ("sip_invite", "number", True)


def test_bare_extension_resolves_on_the_sip_host():
    ext = DestinationConfig(id=9, name="E", method="sip_invite", route="204", encryption="udp_rtp")
    plan = plan_handoff(config(sip_host="pbx.example.com"), facts(), ext)
    assert plan.sip_uri.startswith("sip:204@pbx.example.com?")
    unresolved = plan_handoff(config(), facts(), ext)
    assert not unresolved.routable and "route_invalid" in unresolved.warning_codes


def test_bye_on_twilio_drops_headers_but_sip_trunk_keeps_them():
    twilio = plan_handoff(config(), facts(), HANGUP)
    assert twilio.method == "sip_bye" and twilio.sip_headers == ()
    assert "bye_headers_dropped" in twilio.warning_codes
    trunk = plan_handoff(config(kind="sip_trunk"), facts("sip_trunk"), HANGUP)
    assert dict(trunk.sip_headers)["X-Reason"] == "sbc"


def test_long_headers_are_truncated_keeping_the_handoff_id():
    many = tuple(HeaderConfig(f"X-H{i}", "v" * 90) for i in range(20))
    dest = DestinationConfig(
        id=9, name="L", method="sip_refer", route="sip:l@h.example.com", sip_headers=many
    )
    plan = plan_handoff(config(), facts(), dest)
    assert "truncated" in plan.warning_codes
    assert plan.sip_headers[-1] == ("X-Handoff-ID", "ho_test")
    assert len(sip_uri.headers_part(plan.sip_headers)) <= sip_uri.MAX_HEADERS_LENGTH
    assert sip_uri.split_sip_uri(plan.sip_uri)[1] == list(plan.sip_headers)


def test_unroutable_destination_falls_to_its_fallback_then_default():
    broken = DestinationConfig(id=9, name="Broken", method="sip_invite", route="204", fallback_id=3)
    cfg = config(destinations=(SUPPORT, broken, SALES))
    topic = (TopicConfig(id=1, name="T", phrases=("x",), destination_id=9),)
    decision = decide_gather(
        EnvironmentConfig(**{**cfg.__dict__, "topics": topic}), facts(speech="x")
    )
    assert decision.plan.destination == SALES


def test_failover_tries_fallback_then_default_each_once():
    cfg = config()
    first = decide_failover(cfg, facts(), BILLING, "billing", frozenset({2}))
    assert first.plan.destination == SALES and first.plan.reason == "billing"
    second = decide_failover(cfg, facts(), SALES, "billing", frozenset({2, 3}))
    assert second.plan.destination == SUPPORT
    last = decide_failover(cfg, facts(), SUPPORT, "billing", frozenset({1, 2, 3}))
    assert isinstance(last, Unrouted)


def test_route_override_and_extra_headers_for_functions():
    plan = plan_handoff(
        config(),
        facts(),
        SUPPORT,
        extra_headers={"X-Score": "$digits"},
        route_override="sip:vip@pbx.example.com",
    )
    assert plan.sip_uri.startswith("sip:vip@pbx.example.com;transport=tls;secure=true?")
    assert "X-Score" not in dict(plan.sip_headers)  # $digits is empty: header omitted
    with_digits = plan_handoff(
        config(), facts(digits="7"), SUPPORT, extra_headers={"X-Score": "$digits"}
    )
    assert dict(with_digits.sip_headers)["X-Score"] == "7"


def test_route_hidden_sends_the_reason_to_the_carrier_host():
    cfg = config(kind="sip_trunk", route_hidden=True, sip_host="carrier.example.com")
    plan = plan_handoff(cfg, facts("sip_trunk"), BILLING, reason="billing")
    assert plan.sip_uri.startswith("sip:billing@carrier.example.com?")
    assert "route_hidden" in plan.warning_codes
    without_host = plan_handoff(config(route_hidden=True), facts(), BILLING)
    assert without_host.sip_uri.startswith("sip:billing@pbx.example.com?")
