"""Destination warnings as a decision table over a frozen configuration."""

import pytest

from handoff.config import (
    DestinationConfig,
    EnvironmentConfig,
    HeaderConfig,
    IntegrationConfig,
    TopicConfig,
)
from handoff.warnings import destination_warnings, topic_warnings

HEADER = (HeaderConfig("X-A", "1"),)
PSTN = IntegrationConfig(kind="twilio_pstn", required_method="sip_invite")
SIP = IntegrationConfig(kind="twilio_sip")
TRUNK = IntegrationConfig(kind="sip_trunk")


def dest(**fields) -> DestinationConfig:
    values = {"id": 1, "name": "D", "method": "sip_invite", "route": "sip:d@example.com"}
    values.update(fields)
    return DestinationConfig(**values)


# (integration, destination, topics, expected warning codes)
TABLE = [
    (PSTN, dest(is_default=True), (), set()),
    (PSTN, dest(), (), {"no_default"}),
    (PSTN, dest(is_default=True, method="sip_refer"), (), {"method_mismatch"}),
    (SIP, dest(is_default=True, method="sip_refer"), (), set()),
    (
        SIP,
        dest(is_default=True, method="sip_refer"),
        (TopicConfig(id=1, name="t", destination_id=1, utterance="Hold on"),),
        {"utterance_may_not_play"},
    ),
    (
        SIP,
        dest(is_default=True, method="sip_refer"),
        (TopicConfig(id=1, name="t", destination_id=None, utterance="Hold on"),),
        {"utterance_may_not_play"},
    ),
    (
        SIP,
        dest(is_default=True, method="sip_refer"),
        (TopicConfig(id=1, name="t", destination_id=2, utterance="Hold on"),),
        set(),
    ),
    (
        SIP,
        dest(is_default=True, method="sip_invite"),
        (TopicConfig(id=1, name="t", destination_id=1, utterance="Hold on"),),
        set(),
    ),
    (
        IntegrationConfig(kind="sip_trunk", route_hidden=True),
        dest(is_default=True),
        (),
        {"route_hidden"},
    ),
    (
        IntegrationConfig(kind="sip_trunk", headers_hidden=True),
        dest(is_default=True, sip_headers=HEADER),
        (),
        {"headers_ignored"},
    ),
    (
        SIP,
        dest(is_default=True, method="sip_bye", route="", sip_headers=HEADER),
        (),
        {"headers_ignored"},
    ),
    (TRUNK, dest(is_default=True, method="sip_bye", route="", sip_headers=HEADER), (), set()),
    (TRUNK, dest(is_default=True, route="204"), (), {"extension_without_sip_host"}),
    (
        IntegrationConfig(kind="sip_trunk", sip_host="pbx.example.com"),
        dest(is_default=True, route="204"),
        (),
        set(),
    ),
    (
        TRUNK,
        dest(is_default=True, route="+14155550100", sip_headers=HEADER),
        (),
        {"headers_ignored"},
    ),
]


@pytest.mark.parametrize(("integration", "destination", "topics", "expected"), TABLE)
def test_destination_warnings(integration, destination, topics, expected):
    config = EnvironmentConfig(
        environment="sandbox",
        version=1,
        integration=integration,
        destinations=(destination,),
        topics=topics,
    )
    found = destination_warnings(config, destination)
    assert {w["code"] for w in found} == expected
    assert all(w["message"] for w in found)


SUPPORT = dest(id=1, name="Support", is_default=True)
REFER = dest(id=2, name="Refer", method="sip_refer")


@pytest.mark.parametrize(
    ("destinations", "topic", "expected"),
    [
        ((SUPPORT,), TopicConfig(id=1, name="t", phrases=("help",)), set()),
        ((REFER,), TopicConfig(id=1, name="t", phrases=("help",)), {"no_default"}),
        ((SUPPORT,), TopicConfig(id=1, name="t"), {"unreachable"}),
        ((SUPPORT,), TopicConfig(id=1, name="t", dtmf="1"), set()),
        ((SUPPORT,), TopicConfig(id=1, name="t", immediate=True), set()),
        (
            (SUPPORT, REFER),
            TopicConfig(id=1, name="t", dtmf="1", destination_id=2, utterance="Hi"),
            {"utterance_may_not_play"},
        ),
        ((SUPPORT, REFER), TopicConfig(id=1, name="t", dtmf="1", destination_id=2), set()),
        (
            (REFER,),
            TopicConfig(id=1, name="t", dtmf="1", action="function", function="f"),
            set(),
        ),
    ],
)
def test_topic_warnings(destinations, topic, expected):
    config = EnvironmentConfig(
        environment="sandbox", version=1, integration=SIP, destinations=destinations
    )
    assert {w["code"] for w in topic_warnings(config, topic)} == expected
