"""The SIP worker's pure parts: INVITE parsing, plan → SIP steps, settings, shared records."""

import re

import pytest

from handoff.config import DestinationConfig, EnvironmentConfig, HeaderConfig, IntegrationConfig
from handoff.decision import SIP_TRUNK, CallFacts, Transfer, Unrouted, plan_handoff
from handoff.settings import ConfigurationError
from sipworker.inbound import parse_invite
from sipworker.plans import execute_step
from sipworker.settings import from_environment

INVITE = (
    "INVITE sip:handoff@10.0.0.5:5070 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1\r\n"
    'f: "Doe, Jane" <sip:+14155550100@sbc.example;user=phone>;tag=1\r\n'
    "To: <sip:+14155550199@10.0.0.5>\r\n"
    "Call-ID: abc@sbc\r\n"
    "X-Customer-Id: 42\r\n"
    "X-Long: part one\r\n"
    " part two\r\n"
    "Content-Length: 0\r\n\r\n"
)


def test_parse_invite_reads_callers_and_every_x_header():
    call = parse_invite(INVITE)
    assert (call.call_id, call.caller, call.called) == ("abc@sbc", "+14155550100", "+14155550199")
    assert call.caller_name == "Doe, Jane"
    assert call.sip_headers == {"X-Customer-Id": "42", "X-Long": "part one part two"}


def config(method: str, encryption: str = "tls_srtp") -> EnvironmentConfig:
    destination = DestinationConfig(
        id=1,
        name="Billing",
        method=method,
        route="" if method == "sip_bye" else "sip:billing@pbx.example.com",
        sip_headers=(HeaderConfig("X-Customer", "$sip_X-Customer-Id"),),
        encryption=encryption,
        is_default=True,
    )
    integration = IntegrationConfig(kind="sip_trunk")
    return EnvironmentConfig("live", 1, integration=integration, destinations=(destination,))


def plan(method: str, encryption: str = "tls_srtp"):
    facts = CallFacts(channel=SIP_TRUNK, sip_headers={"X-Customer-Id": "4&2"}, handoff_id="ho_1")
    cfg = config(method, encryption)
    return plan_handoff(cfg, facts, cfg.default)


def test_refer_puts_encoded_headers_in_refer_to_and_plain_ones_on_the_request():
    step = execute_step(plan("sip_refer"), None)
    assert step.refer_to == "sip:billing@pbx.example.com?X-Customer=4%262&X-Handoff-ID=ho_1"
    assert step.headers == (("X-Customer", "4&2"), ("X-Handoff-ID", "ho_1"))


@pytest.mark.parametrize(
    ("encryption", "target", "secure"),
    [
        ("tls_srtp", "sip:billing@pbx.example.com;transport=tls", True),
        ("udp_rtp", "sip:billing@pbx.example.com", False),
    ],
)
def test_invite_dials_the_uri_without_headers_or_twilio_parameters(encryption, target, secure):
    step = execute_step(plan("sip_invite", encryption), "hello.wav")
    assert (step.target, step.secure, step.utterance_wav) == (target, secure, "hello.wav")
    assert step.headers[0] == ("X-Customer", "4&2")


def test_a_phone_number_route_is_unusable_on_a_trunk():
    facts = CallFacts(channel=SIP_TRUNK, handoff_id="ho_1")
    cfg = config("sip_invite")
    number = DestinationConfig(id=2, name="PSTN", method="sip_invite", route="+14155550100")
    step = execute_step(plan_handoff(cfg, facts, number), None)
    assert "SIP URI" in step.unusable


def test_settings_give_pool_members_consecutive_ports():
    settings = from_environment({"SIP_LISTEN": "0.0.0.0:5070", "SIP_TLS_LISTEN": "0.0.0.0:5170"})
    member = settings.for_worker(2)
    assert (member.port, member.tls_port, member.workers) == (5072, 5172, 1)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SIP_LISTEN": "127.0.0.1:sip"}, "SIP_LISTEN"),
        ({"SIP_TLS_CERT": "c.pem"}, "SIP_TLS_KEY"),
        ({"SIP_WORKERS": "0"}, "SIP_WORKERS must be at least 1"),
        ({"SIP_MAX_LEGS": "two"}, "SIP_MAX_LEGS must be a number, got 'two'"),
        ({"SIP_REFER_TIMEOUT": "0.5"}, "SIP_REFER_TIMEOUT must be at least 1"),
        ({"SIP_LOG_LEVEL": "-1"}, "SIP_LOG_LEVEL must not be negative"),
    ],
)
def test_bad_settings_stop_the_worker_naming_the_setting(environ, message):
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        from_environment(environ)


def test_record_decision_returns_what_it_recorded(app):
    from handoff.voice.carry import record_decision
    from models import Conversation, db

    with app.app_context():
        conversation = Conversation(environment="live", channel=SIP_TRUNK)
        db.session.add(conversation)
        db.session.flush()
        cfg = config("sip_bye")
        unrouted = Unrouted(reason="no_default", apology="Sorry.")
        assert (
            record_decision(db.session, conversation, cfg, CallFacts(), unrouted, "call")
            is unrouted
        )
        assert conversation.status == "unrouted"
        facts = CallFacts(channel=SIP_TRUNK, conversation_id=conversation.id, handoff_id="ho_x")
        transfer = Transfer(plan=plan_handoff(cfg, facts, cfg.default))
        assert record_decision(db.session, conversation, cfg, facts, transfer, "s") is transfer
        assert [h.id for h in conversation.handoffs] == ["ho_x"]
