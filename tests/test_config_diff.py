"""The promote diff: what replacing one configuration with another changes."""

from handoff.config import (
    DestinationConfig,
    EnvironmentConfig,
    HeaderConfig,
    IntegrationConfig,
    TopicConfig,
)
from handoff.config_diff import ADDED, CHANGED, REMOVED, diff_configs

BILLING = DestinationConfig(id=1, name="Billing", method="sip_refer", route="sip:b@x.example")
SUPPORT = DestinationConfig(id=2, name="Support", method="sip_invite", route="+14155550100")


def config(destinations=(), topics=(), **integration) -> EnvironmentConfig:
    return EnvironmentConfig(
        environment="x",
        version=1,
        destinations=tuple(destinations),
        topics=tuple(topics),
        integration=IntegrationConfig(**integration),
    )


def test_identical_configurations_have_no_changes():
    assert diff_configs(config([BILLING]), config([BILLING])) == []


def test_ids_do_not_count_but_names_and_fields_do():
    renumbered = DestinationConfig(
        id=9, name="Billing", method="sip_refer", route="sip:b@x.example"
    )
    assert diff_configs(config([BILLING]), config([renumbered])) == []


def test_added_removed_and_changed_destinations():
    edited = DestinationConfig(
        id=7,
        name="Billing",
        method="sip_invite",
        route="sip:b@x.example",
        sip_headers=(HeaderConfig("X-A", "1"),),
    )
    changes = diff_configs(config([BILLING]), config([edited, SUPPORT]))
    kinds = {(c.name, c.kind) for c in changes}
    assert kinds == {("Billing", CHANGED), ("Support", ADDED)}
    billing = next(c for c in changes if c.name == "Billing")
    assert ("method", "sip_refer", "sip_invite") in billing.fields
    assert ("sip_headers", [], ["X-A: 1"]) in billing.fields
    assert diff_configs(config([BILLING, SUPPORT]), config([BILLING]))[0].kind == REMOVED


def test_topic_destination_compared_by_name():
    old = config([BILLING, SUPPORT], [TopicConfig(id=1, name="Bills", destination_id=1)])
    new = config([BILLING, SUPPORT], [TopicConfig(id=5, name="Bills", destination_id=2)])
    (change,) = diff_configs(old, new)
    assert change.fields == (("destination", "Billing", "Support"),)


def test_integration_change_is_listed():
    (change,) = diff_configs(config(kind="twilio_pstn"), config(kind="sip_trunk"))
    assert change.section == "integration"
    assert change.fields == (("kind", "twilio_pstn", "sip_trunk"),)
