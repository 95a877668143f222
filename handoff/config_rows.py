"""An environment's configuration between database rows and frozen values, both ways."""

from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.config import (
    DestinationConfig,
    EnvironmentConfig,
    FlowConfig,
    HeaderConfig,
    IntegrationConfig,
    TopicConfig,
)
from models import (
    Destination,
    DestinationHeader,
    Environment,
    FlowSettings,
    Integration,
    Topic,
)

# Columns a row and its frozen form share as they are, both ways; links and lists are mapped
# by hand because a copy gives destinations new ids.
DESTINATION_FIELDS = ("name", "method", "encryption", "is_default", "ring_timeout")
TOPIC_FIELDS = (
    "name",
    "dtmf",
    "action",
    "function",
    "reason",
    "utterance",
    "immediate",
    "position",
)


def destination_config(row: Destination) -> DestinationConfig:
    """Return the frozen form of a destination row."""
    return DestinationConfig(
        id=row.id,
        route=row.route or "",
        description=row.description or "",
        sip_headers=tuple(HeaderConfig(h.name, h.value) for h in row.sip_headers),
        fallback_id=row.fallback_id,
        **_copied(row, DESTINATION_FIELDS),
    )


def destination_row(config: DestinationConfig, environment_id: int) -> Destination:
    """Return a new row for a frozen destination; its fallback is the caller's to link."""
    return Destination(
        environment_id=environment_id,
        name_key=config.name.lower(),
        route=config.route,
        description=config.description,
        sip_headers=[
            DestinationHeader(position=i, name=h.name, value=h.value)
            for i, h in enumerate(config.sip_headers)
        ],
        **_copied(config, DESTINATION_FIELDS),
    )


def topic_config(row: Topic) -> TopicConfig:
    """Return the frozen form of a topic row."""
    return TopicConfig(
        id=row.id,
        phrases=tuple(row.phrases or ()),
        params=dict(row.params or {}),
        destination_id=row.destination_id,
        **_copied(row, TOPIC_FIELDS),
    )


def topic_row(config: TopicConfig, environment_id: int, destination_id: int | None) -> Topic:
    """Return a new row for a frozen topic, leading to the (new) ``destination_id``."""
    return Topic(
        environment_id=environment_id,
        name_key=config.name.lower(),
        phrases=list(config.phrases),
        params=dict(config.params),
        destination_id=destination_id,
        **_copied(config, TOPIC_FIELDS),
    )


def integration_config(row: Integration | None) -> IntegrationConfig:
    """Return the frozen form of an integration row (defaults when missing)."""
    return _frozen_settings(IntegrationConfig, row)


def flow_config(row: FlowSettings | None) -> FlowConfig:
    """Return the frozen form of the flow settings row (defaults when missing)."""
    return _frozen_settings(FlowConfig, row)


def write_settings(row: Integration | FlowSettings, settings: IntegrationConfig | FlowConfig):
    """Copy frozen integration or flow settings onto their row."""
    for name in _names(type(settings)):
        setattr(row, name, getattr(settings, name))


def _frozen_settings(settings_class, row):
    if row is None:
        return settings_class()
    return settings_class(**_copied(row, _names(settings_class)))


def _names(settings_class) -> tuple[str, ...]:
    # The settings dataclasses name exactly their row's columns: one list for both ways.
    return tuple(f.name for f in fields(settings_class))


def _copied(source, names) -> dict:
    return {name: getattr(source, name) for name in names}


def load_environment_config(session: Session, environment: Environment) -> EnvironmentConfig:
    """Read one environment's whole configuration from the database."""
    env_id = environment.id
    destinations = session.scalars(
        select(Destination).where(Destination.environment_id == env_id).order_by(Destination.id)
    ).all()
    topics = session.scalars(
        select(Topic).where(Topic.environment_id == env_id).order_by(Topic.position, Topic.id)
    ).all()
    integration = session.scalar(select(Integration).where(Integration.environment_id == env_id))
    flow = session.scalar(select(FlowSettings).where(FlowSettings.environment_id == env_id))
    return EnvironmentConfig(
        environment=environment.name,
        version=environment.config_version,
        integration=integration_config(integration),
        flow=flow_config(flow),
        destinations=tuple(destination_config(d) for d in destinations),
        topics=tuple(topic_config(t) for t in topics),
    )
