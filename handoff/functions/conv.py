"""The ``conv`` object a user function receives: the call, its state, and handoff verbs."""

import json
import re
from dataclasses import dataclass, replace
from types import MappingProxyType

from handoff import sip_uri
from handoff.config import DestinationConfig, EnvironmentConfig
from handoff.decision import SIP_BYE, SIP_INVITE, SIP_REFER, CallFacts, HandoffPlan, plan_handoff
from handoff.metrics import METRIC_NAME
from models import new_id

REASON = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
METHODS = (SIP_REFER, SIP_INVITE, SIP_BYE)
ENCRYPTIONS = ("tls_srtp", "udp_rtp")


class MissingHandoff(LookupError):
    """``call_handoff`` named a destination that is not configured."""


@dataclass(frozen=True)
class SoftHandoff:
    """Record and notify a handoff without transferring the call."""

    handoff_id: str
    reason: str
    utterance: str


class State:
    """Per-conversation key/values; a missing attribute reads as None."""

    def __init__(self, values: dict):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str):
        return None if name.startswith("__") else self._values.get(name)

    def __setattr__(self, name: str, value) -> None:
        json.dumps(value)  # only JSON values survive being stored
        self._values[name] = value

    def __delattr__(self, name: str) -> None:
        self._values.pop(name, None)

    __getitem__ = __getattr__
    __setitem__ = __setattr__

    def to_dict(self) -> dict:
        """Return a copy of the values."""
        return dict(self._values)


class Conv:
    """One conversation as a function sees it; verbs record intents applied afterwards."""

    def __init__(self, config: EnvironmentConfig, facts: CallFacts, conversation_id: str, state):
        self._config, self._facts = config, facts
        self.id = conversation_id
        self.env = config.environment
        self.call_sid = facts.call_sid
        self.caller_number = facts.caller
        self.callee_number = facts.called
        self.sip_headers = MappingProxyType(dict(facts.sip_headers))
        self.state = State(state or {})
        self.handoffs = config.destinations
        self.metrics: list[tuple[str, object, bool]] = []
        self.outcome: HandoffPlan | SoftHandoff | None = None

    def call_handoff(self, destination, reason=None, utterance=None, sip_headers=None, route=None):
        """Hand off to a configured destination (name or id), overriding headers or route.

        :raises MissingHandoff: when no such destination is configured.
        """
        target = self._destination(destination)
        plan = self._plan(target, reason, utterance, sip_headers, route)
        return self._choose(plan)

    def transfer_call(
        self,
        route,
        method=SIP_REFER,
        sip_headers=None,
        encryption="tls_srtp",
        reason=None,
        utterance=None,
    ):
        """Hand off to any route with any method, with no configured destination."""
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}")
        if encryption not in ENCRYPTIONS:
            raise ValueError(f"encryption must be one of {', '.join(ENCRYPTIONS)}")
        route = str(route or "")
        target = DestinationConfig(
            id=0, name=route[:80], method=method, route=route, encryption=encryption
        )
        return self._choose(self._plan(target, reason or "transfer_call", utterance, sip_headers))

    def soft_handoff(self, reason, utterance=None):
        """Record and notify a handoff without transferring (e.g. a ticketing desk)."""
        soft = SoftHandoff(new_id("ho"), _reason(reason), _utterance(utterance))
        self.outcome = soft
        return soft

    def write_metric(self, name, value, write_once=False):
        """Write a metric for this conversation (``write_once``: keep only the first)."""
        if not isinstance(name, str) or not METRIC_NAME.match(name):
            raise ValueError(f"bad metric name {name!r}")
        json.dumps(value)
        self.metrics.append((name, value, bool(write_once)))

    def _destination(self, destination) -> DestinationConfig:
        if isinstance(destination, DestinationConfig):
            destination = destination.id
        if isinstance(destination, int):
            found = self._config.destination(destination)
        else:
            found = self._config.destination_named(str(destination or ""))
        if found is None:
            raise MissingHandoff(f"no handoff destination {destination!r} in {self.env}")
        return found

    def _plan(self, target, reason, utterance, sip_headers, route=None) -> HandoffPlan:
        facts = replace(self._facts, state={**self._facts.state, **self.state.to_dict()})
        return plan_handoff(
            self._config,
            facts,
            target,
            _reason(reason) if reason is not None else None,
            _utterance(utterance) if utterance is not None else None,
            extra_headers=_headers(sip_headers),
            route_override=str(route) if route is not None else None,
        )

    def _choose(self, plan: HandoffPlan) -> HandoffPlan:
        self.outcome = plan
        return plan


def _reason(reason) -> str:
    if not isinstance(reason, str) or not REASON.match(reason):
        raise ValueError(f"reason must match {REASON.pattern}, got {reason!r}")
    return reason


def _utterance(utterance) -> str:
    text = "" if utterance is None else str(utterance)
    if len(text) > 500:
        raise ValueError("utterance must be at most 500 characters")
    return text


def _headers(sip_headers) -> dict[str, str]:
    """Return headers given as a mapping or (name, value) pairs, each checked."""
    if not sip_headers:
        return {}
    items = sip_headers.items() if hasattr(sip_headers, "items") else sip_headers
    pairs = [(h["name"], h["value"]) if isinstance(h, dict) else tuple(h) for h in items]
    for name, value in pairs:
        error = sip_uri.header_name_error(str(name)) or sip_uri.header_value_error(str(value))
        if error:
            raise ValueError(f"SIP header {name!r}: {error}")
    return {str(name): str(value) for name, value in pairs}
