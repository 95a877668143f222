"""An environment's configuration as frozen values: what decisions are made from.

Loaded once per config version and shared by the webhooks, the test-call simulator,
the SIP worker, promote/rollback snapshots and the last-known-good file.
"""

from dataclasses import asdict, dataclass, field
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Destination, Environment, FlowSettings, Integration, Topic


@dataclass(frozen=True)
class HeaderConfig:
    """One configured SIP header; the value may hold $variables."""

    name: str
    value: str


@dataclass(frozen=True)
class DestinationConfig:
    """A handoff destination as configured."""

    id: int
    name: str
    method: str
    route: str = ""
    description: str = ""
    sip_headers: tuple[HeaderConfig, ...] = ()
    encryption: str = "tls_srtp"
    is_default: bool = False
    fallback_id: int | None = None
    ring_timeout: int = 30


@dataclass(frozen=True)
class TopicConfig:
    """A topic: phrases or a digit that lead to a handoff or a function."""

    id: int
    name: str
    phrases: tuple[str, ...] = ()
    dtmf: str | None = None
    action: str = "handoff"
    destination_id: int | None = None
    function: str | None = None
    params: dict = field(default_factory=dict)
    reason: str | None = None
    utterance: str | None = None
    immediate: bool = False
    position: int = 0


@dataclass(frozen=True)
class IntegrationConfig:
    """The telephony integration and its constraints."""

    kind: str = "twilio_pstn"
    required_method: str | None = None
    route_hidden: bool = False
    headers_hidden: bool = False
    sip_host: str | None = None
    add_handoff_id_header: bool = True


@dataclass(frozen=True)
class FlowConfig:
    """The entry flow: greeting, gather and apology."""

    greeting: str = "Thanks for calling. How can we help you today?"
    reprompt: str = "Sorry, I didn't catch that."
    apology: str = "Sorry, nobody can take your call right now. Please call again later."
    language: str = "en-US"
    voice: str | None = None
    gather_timeout: int = 5
    max_attempts: int = 2


@dataclass(frozen=True)
class EnvironmentConfig:
    """Everything needed to decide a call in one environment, at one config version."""

    environment: str
    version: int
    integration: IntegrationConfig = field(default_factory=IntegrationConfig)
    flow: FlowConfig = field(default_factory=FlowConfig)
    destinations: tuple[DestinationConfig, ...] = ()
    topics: tuple[TopicConfig, ...] = ()

    # Look-ups are indexed once per snapshot: a call's cost must not grow with destinations.
    @cached_property
    def default(self) -> DestinationConfig | None:
        """Return the default destination, if any."""
        return next((d for d in self.destinations if d.is_default), None)

    @cached_property
    def _by_id(self) -> dict[int, DestinationConfig]:
        return {d.id: d for d in self.destinations}

    @cached_property
    def _by_name(self) -> dict[str, DestinationConfig]:
        by_name: dict[str, DestinationConfig] = {}
        for d in self.destinations:
            by_name.setdefault(d.name.lower(), d)
        return by_name

    def destination(self, destination_id: int | None) -> DestinationConfig | None:
        """Return the destination with this id, if it exists."""
        return self._by_id.get(destination_id)

    def destination_named(self, name: str) -> DestinationConfig | None:
        """Return the destination with this name (case-insensitive), if it exists."""
        return self._by_name.get(name.strip().lower())

    def to_dict(self) -> dict:
        """Return a JSON-serialisable form (promote snapshots, last-known-good file)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "EnvironmentConfig":
        """Rebuild a configuration from :meth:`to_dict` output."""
        destinations = tuple(
            DestinationConfig(
                **{**d, "sip_headers": tuple(HeaderConfig(**h) for h in d.get("sip_headers", ()))}
            )
            for d in data.get("destinations", ())
        )
        topics = tuple(
            TopicConfig(**{**t, "phrases": tuple(t.get("phrases", ()))})
            for t in data.get("topics", ())
        )
        return cls(
            environment=data["environment"],
            version=data["version"],
            integration=IntegrationConfig(**data.get("integration", {})),
            flow=FlowConfig(**data.get("flow", {})),
            destinations=destinations,
            topics=topics,
        )


def destination_config(row: Destination) -> DestinationConfig:
    """Return the frozen form of a destination row."""
    return DestinationConfig(
        id=row.id,
        name=row.name,
        method=row.method,
        route=row.route or "",
        description=row.description or "",
        sip_headers=tuple(HeaderConfig(h.name, h.value) for h in row.sip_headers),
        encryption=row.encryption,
        is_default=row.is_default,
        fallback_id=row.fallback_id,
        ring_timeout=row.ring_timeout,
    )


def topic_config(row: Topic) -> TopicConfig:
    """Return the frozen form of a topic row."""
    return TopicConfig(
        id=row.id,
        name=row.name,
        phrases=tuple(row.phrases or ()),
        dtmf=row.dtmf,
        action=row.action,
        destination_id=row.destination_id,
        function=row.function,
        params=dict(row.params or {}),
        reason=row.reason,
        utterance=row.utterance,
        immediate=row.immediate,
        position=row.position,
    )


def integration_config(row: Integration | None) -> IntegrationConfig:
    """Return the frozen form of an integration row (defaults when missing)."""
    if row is None:
        return IntegrationConfig()
    return IntegrationConfig(
        kind=row.kind,
        required_method=row.required_method,
        route_hidden=row.route_hidden,
        headers_hidden=row.headers_hidden,
        sip_host=row.sip_host,
        add_handoff_id_header=row.add_handoff_id_header,
    )


def flow_config(row: FlowSettings | None) -> FlowConfig:
    """Return the frozen form of the flow settings row (defaults when missing)."""
    if row is None:
        return FlowConfig()
    return FlowConfig(
        greeting=row.greeting,
        reprompt=row.reprompt,
        apology=row.apology,
        language=row.language,
        voice=row.voice,
        gather_timeout=row.gather_timeout,
        max_attempts=row.max_attempts,
    )


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
