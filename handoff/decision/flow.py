"""Decide each step of a call: gather again, hand off, run a function, or apologise."""

from dataclasses import dataclass

from handoff.config import DestinationConfig, EnvironmentConfig, TopicConfig
from handoff.decision.facts import CallFacts
from handoff.decision.matching import match_topic
from handoff.decision.plan import HandoffPlan, plan_handoff

NO_MATCH = "no_match"
NO_INPUT = "no_input"
FUNCTION_ERROR = "function_error"
NO_DEFAULT = "no_default"


@dataclass(frozen=True)
class Gather:
    """Ask the caller (again): greeting or re-prompt, then listen."""

    prompt: str
    attempt: int


@dataclass(frozen=True)
class Transfer:
    """Carry out a handoff plan."""

    plan: HandoffPlan
    topic: TopicConfig | None = None


@dataclass(frozen=True)
class RunFunction:
    """Run the topic's user function; its result decides the handoff."""

    topic: TopicConfig


@dataclass(frozen=True)
class Unrouted:
    """Nobody can take the call: apologise and hang up."""

    reason: str
    apology: str


Decision = Gather | Transfer | RunFunction | Unrouted


def decide_call(config: EnvironmentConfig, facts: CallFacts) -> Decision:
    """Decide the first step of a new call: an immediate topic, or the greeting."""
    immediate = next((t for t in _by_position(config.topics) if t.immediate), None)
    if immediate is not None:
        return decide_topic(config, facts, immediate)
    return Gather(prompt=config.flow.greeting, attempt=1)


def decide_gather(config: EnvironmentConfig, facts: CallFacts) -> Decision:
    """Decide what follows the caller's speech or digits on attempt ``facts.attempt``."""
    topic = match_topic(config, facts.speech, facts.digits)
    if topic is not None:
        return decide_topic(config, facts, topic)
    if facts.attempt < config.flow.max_attempts:
        return Gather(prompt=config.flow.reprompt, attempt=facts.attempt + 1)
    reason = NO_MATCH if (facts.speech or facts.digits) else NO_INPUT
    return decide_default(config, facts, reason)


def decide_topic(config: EnvironmentConfig, facts: CallFacts, topic: TopicConfig) -> Decision:
    """Decide the handoff (or function) a matched topic leads to."""
    if topic.action == "function":
        return RunFunction(topic=topic)
    destination = config.destination(topic.destination_id) or config.default
    decision = hand_off(config, facts, destination, topic.reason, topic.utterance)
    if isinstance(decision, Transfer):
        return Transfer(plan=decision.plan, topic=topic)
    return decision


def decide_default(
    config: EnvironmentConfig, facts: CallFacts, reason: str, utterance: str | None = None
) -> Decision:
    """Hand off to the default destination with ``reason``, or apologise when there is none."""
    return hand_off(config, facts, config.default, reason, utterance)


def hand_off(
    config: EnvironmentConfig,
    facts: CallFacts,
    destination: DestinationConfig | None,
    reason: str | None,
    utterance: str | None,
    tried: frozenset[int] = frozenset(),
) -> Decision:
    """Plan a handoff to ``destination``, else its fallback, else the default."""
    for candidate in _chain(config, destination, tried):
        plan = plan_handoff(config, facts, candidate, reason, utterance)
        if plan.routable:
            return Transfer(plan=plan)
    return Unrouted(reason=reason or NO_DEFAULT, apology=config.flow.apology)


def decide_failover(
    config: EnvironmentConfig,
    facts: CallFacts,
    failed: DestinationConfig | None,
    reason: str,
    tried: frozenset[int],
) -> Decision:
    """Decide the next handoff after ``failed`` did not connect: its fallback, then the default."""
    candidates = []
    if failed is not None and failed.fallback_id is not None:
        candidates.append(config.destination(failed.fallback_id))
    candidates.append(config.default)
    for candidate in candidates:
        if candidate is None or candidate.id in tried:
            continue
        plan = plan_handoff(config, facts, candidate, reason, None)
        if plan.routable:
            return Transfer(plan=plan)
        tried = tried | {candidate.id}
    return Unrouted(reason=reason, apology=config.flow.apology)


def _chain(config, destination, tried):
    """Yield ``destination``, its fallback and the default, each once, skipping ``tried``."""
    seen = set(tried)
    fallback = config.destination(destination.fallback_id) if destination else None
    for candidate in (destination, fallback, config.default):
        if candidate is not None and candidate.id not in seen:
            seen.add(candidate.id)
            yield candidate


def _by_position(topics):
    return sorted(topics, key=lambda t: (t.position, t.id))
