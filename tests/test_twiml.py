"""The DESIGN §3 mapping: every method, route kind and integration kind, parsed as XML."""

from xml.etree import ElementTree

import pytest

import twiml
from handoff.config import (
    DestinationConfig,
    EnvironmentConfig,
    HeaderConfig,
    IntegrationConfig,
    TopicConfig,
)
from handoff.decision import CallFacts, plan_handoff

BASE = "https://handoff.example.test"
HEADERS = (HeaderConfig("X-A", "1"),)
INTEGRATIONS = {
    "twilio_pstn": IntegrationConfig(kind="twilio_pstn", required_method="sip_invite"),
    "twilio_sip": IntegrationConfig(kind="twilio_sip"),
    "sip_trunk": IntegrationConfig(kind="sip_trunk", sip_host="pbx.example.com"),
}
CHANNELS = {"twilio_pstn": "pstn", "twilio_sip": "sip", "sip_trunk": "sip_trunk"}


def render(kind, method, route="sip:dest@pbx.example.com", encryption="tls_srtp", utterance=""):
    destination = DestinationConfig(
        id=5, name="Desk", method=method, route=route, encryption=encryption, sip_headers=HEADERS
    )
    config = EnvironmentConfig(
        environment="live", version=1, integration=INTEGRATIONS[kind], destinations=(destination,)
    )
    facts = CallFacts(call_sid="CA1", channel=CHANNELS[kind], handoff_id="ho_1")
    plan = plan_handoff(config, facts, destination, utterance=utterance)
    body = twiml.handoff(plan, BASE, env="live").to_xml()
    return plan, ElementTree.fromstring(body)


@pytest.mark.parametrize("kind", ["twilio_sip", "sip_trunk"])
def test_refer_on_a_sip_leg(kind):
    plan, root = render(kind, "sip_refer", utterance="Transferring you now.")
    assert [child.tag for child in root] == ["Say", "Refer"]
    assert root.find("./Say").text == "Transferring you now."
    refer = root.find("./Refer")
    assert refer.get("action") == (f"{BASE}/voice/refer-status?handoff=ho_1&env=live&destination=5")
    assert refer.find("./Sip").text == "sip:dest@pbx.example.com?X-A=1&X-Handoff-ID=ho_1"
    assert not plan.substituted


def test_refer_on_a_pstn_leg_is_a_dial():
    plan, root = render("twilio_pstn", "sip_refer")
    dial = root.find("./Dial")
    assert dial is not None and root.find("./Refer") is None
    assert dial.find("./Sip").text.startswith("sip:dest@pbx.example.com;transport=tls;secure=true?")
    assert plan.substituted and plan.requested_method == "sip_refer"


@pytest.mark.parametrize("kind", list(INTEGRATIONS))
@pytest.mark.parametrize(
    ("encryption", "params"), [("tls_srtp", ";transport=tls;secure=true"), ("udp_rtp", "")]
)
def test_invite_to_a_sip_uri(kind, encryption, params):
    _, root = render(kind, "sip_invite", encryption=encryption, utterance="Hold on.")
    assert [child.tag for child in root] == ["Say", "Dial"]
    dial = root.find("./Dial")
    assert dial.get("action") == f"{BASE}/voice/dial-status?handoff=ho_1&env=live&destination=5"
    assert (dial.get("answerOnBridge"), dial.get("timeout")) == ("true", "30")
    assert dial.find("./Sip").text == f"sip:dest@pbx.example.com{params}?X-A=1&X-Handoff-ID=ho_1"


@pytest.mark.parametrize("kind", list(INTEGRATIONS))
@pytest.mark.parametrize(
    ("route", "digits"), [("+14155550100", None), ("+14155550100;ext=204", "ww204")]
)
def test_invite_to_a_phone_number(kind, route, digits):
    _, root = render(kind, "sip_invite", route=route)
    number = root.find("./Dial/Number")
    assert number.text == "+14155550100"
    assert number.get("sendDigits") == digits
    assert root.find("./Dial/Sip") is None


@pytest.mark.parametrize("kind", ["twilio_sip", "sip_trunk"])
def test_bye_hangs_up(kind):
    plan, root = render(kind, "sip_bye", route="", utterance="Goodbye.")
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert (plan.sip_headers == ()) == kind.startswith("twilio")


def test_bye_on_pstn_still_hangs_up_with_a_mismatch_warning():
    plan, root = render("twilio_pstn", "sip_bye", route="")
    assert [child.tag for child in root] == ["Hangup"]
    assert "method_mismatch" in plan.warning_codes


def test_extension_route_resolves_on_the_trunk_host():
    _, root = render("sip_trunk", "sip_invite", route="204", encryption="udp_rtp")
    assert root.find("./Dial/Sip").text == "sip:204@pbx.example.com?X-A=1&X-Handoff-ID=ho_1"


def test_gather_has_speech_and_dtmf_with_hints_and_digits():
    topics = (
        TopicConfig(id=1, name="Billing", phrases=("billing", "invoice, please"), dtmf="1"),
        TopicConfig(id=2, name="Other", phrases=("billing",)),
    )
    body = twiml.gather(
        "Hello <caller> & co",
        BASE,
        attempt=2,
        env="sandbox",
        language="de-DE",
        timeout=7,
        hints=twiml.hints(p for t in topics for p in t.phrases),
        dtmf=[t.dtmf for t in topics if t.dtmf],
        options=twiml.say_options("de-DE", "Polly.Marlene"),
    ).to_xml()
    gather = ElementTree.fromstring(body).find("./Gather")
    assert gather.get("input") == "speech dtmf"
    assert gather.get("action") == f"{BASE}/voice/gather?env=sandbox&attempt=2"
    assert (gather.get("language"), gather.get("timeout"), gather.get("numDigits")) == (
        "de-DE",
        "7",
        "1",
    )
    assert gather.get("hints") == "billing, invoice  please"
    assert gather.get("actionOnEmptyResult") == "true"
    say = gather.find("./Say")
    assert say.text == "Hello <caller> & co" and say.get("voice") == "Polly.Marlene"


def test_apology_says_then_hangs_up_and_control_characters_cannot_break_xml():
    root = ElementTree.fromstring(twiml.apology("Sorry\x00\x08 we are closed").to_xml())
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert root.find("./Say").text == "Sorry we are closed"


def test_say_is_kept_within_twilio_limit():
    root = ElementTree.fromstring(twiml.apology("é" * 10_000).to_xml())
    assert len(root.find("./Say").text.encode()) == twiml.voice.MAX_SAY_BYTES
