"""An environment's configuration as frozen values: what decisions are made from.

Loaded once per config version (`handoff.config_rows` reads them from the database) and
shared by the webhooks, the test-call simulator, the SIP worker, promote/rollback snapshots
and the last-known-good file. Pure values: the decision code imports this, not the database.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import TypeVar

T = TypeVar("T")


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

    def derived(self, name: str, build: Callable[["EnvironmentConfig"], T]) -> T:
        """Return ``build(self)``, computed once per snapshot (a compiled matcher, TwiML hints)."""
        # Kept beside the fields, not in them: equality, asdict and snapshots ignore it.
        # Two threads may both build it once; either result is the same value.
        known = self.__dict__.setdefault("_derived", {})
        if name not in known:
            known[name] = build(self)
        return known[name]

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
