"""The test-call simulator: the webhooks' decisions and TwiML on made-up call facts."""

from xml.etree import ElementTree

import pytest

from handoff.config import (
    DestinationConfig,
    EnvironmentConfig,
    HeaderConfig,
    IntegrationConfig,
    TopicConfig,
)
from handoff.decision import Gather, RunFunction, Transfer, Unrouted
from handoff.errors import ValidationFailed
from handoff.simulator import load_test_call, simulate

BASE = "https://handoff.example.test"
DESK = DestinationConfig(
    id=1,
    name="Desk",
    method="sip_refer",
    route="sip:desk@pbx.example.com",
    sip_headers=(HeaderConfig("X-Account", "${sip_X-Account}"),),
    is_default=True,
)
BILLING_TOPIC = TopicConfig(id=1, name="Bills", phrases=("billing",), dtmf="1", destination_id=1)
FUNCTION_TOPIC = TopicConfig(id=2, name="Smart", dtmf="2", action="function", function="route_it")


def config(destinations=(DESK,), topics=(BILLING_TOPIC, FUNCTION_TOPIC), kind="sip_trunk"):
    return EnvironmentConfig(
        environment="sandbox",
        version=3,
        integration=IntegrationConfig(kind=kind),
        destinations=destinations,
        topics=topics,
    )


def run(cfg, **fields):
    return simulate(cfg, load_test_call(fields), BASE)


def test_a_digit_matches_its_topic_and_renders_a_refer_with_resolved_headers():
    result = run(config(), channel="sip_trunk", digits="1", sip_headers="X-Account: 42")
    assert isinstance(result.decision, Transfer) and result.topic.name == "Bills"
    assert ("X-Account", "42") in result.plan.sip_headers
    sip = ElementTree.fromstring(result.twiml).find("./Refer/Sip")
    assert sip.text.startswith("sip:desk@pbx.example.com?") and "X-Account=42" in sip.text


def test_a_refer_on_a_phone_call_is_carried_out_as_a_dial():
    result = run(config(), channel="pstn", speech="a billing question")
    assert result.plan.requested_method == "sip_refer" and result.plan.method == "sip_invite"
    assert ElementTree.fromstring(result.twiml).find("./Dial") is not None


def test_no_match_goes_to_the_default_with_no_match():
    result = run(config(), digits="9")
    assert result.topic is None and result.plan.reason == "no_match"


def test_no_default_is_unrouted_with_the_apology():
    result = run(config(destinations=(), topics=()), speech="hello")
    assert isinstance(result.decision, Unrouted)
    assert ElementTree.fromstring(result.twiml).find("./Hangup") is not None


def test_silence_shows_the_greeting():
    assert isinstance(run(config()).decision, Gather)


def test_a_function_topic_is_named_not_run():
    result = run(config(), digits="2")
    assert isinstance(result.decision, RunFunction) and result.twiml == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"environment": "prod"}, "environment"),
        ({"channel": "fax"}, "channel"),
        ({"digits": "1a"}, "digits"),
        ({"sip_headers": "nonsense"}, "sip_headers"),
        ({"sip_headers": "Bad Name: 1"}, "sip_headers"),
        ({"caller": "+1\n2"}, "caller"),
    ],
)
def test_bad_input_names_the_field(fields, field):
    with pytest.raises(ValidationFailed) as caught:
        load_test_call(fields)
    assert field in caught.value.errors
