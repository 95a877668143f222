"""Run a topic's function within its time budget and turn the outcome into a decision."""

import logging
import os
import threading

from handoff.config import EnvironmentConfig, TopicConfig
from handoff.decision import (
    FUNCTION_ERROR,
    CallFacts,
    Decision,
    HandoffPlan,
    Transfer,
    decide_default,
    hand_off,
)
from handoff.functions.conv import Conv, SoftHandoff
from handoff.functions.loader import load_function
from handoff.functions.soft import record_soft_handoff
from handoff.metrics import write_metric
from models import Conversation

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 2.0


class FunctionTimeout(TimeoutError):
    """The function did not return within its time budget."""


class BadReturn(TypeError):
    """The function returned something that is not a handoff (or None)."""


def settings() -> tuple[str, float]:
    """Return (FUNCTIONS_DIR, FUNCTION_TIMEOUT) from the app config, else the environment."""
    from flask import current_app, has_app_context

    source = current_app.config if has_app_context() else os.environ
    functions_dir = source.get("FUNCTIONS_DIR") or "functions"
    return functions_dir, float(source.get("FUNCTION_TIMEOUT") or DEFAULT_TIMEOUT)


def call_with_budget(function, conv: Conv, params: dict, timeout: float):
    """Call ``function(conv, **params)`` in a worker thread; raise what it raised.

    :raises FunctionTimeout: when it takes longer than ``timeout`` seconds.
    """
    box: dict = {}

    def target():
        try:
            box["result"] = function(conv, **params)
        except BaseException as exc:  # reported to the call's thread, never lost
            box["error"] = exc

    # A daemon thread: a function stuck forever cannot keep the process alive.
    worker = threading.Thread(target=target, name=f"function-{conv.call_sid}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise FunctionTimeout(f"function took longer than {timeout:g}s")
    if "error" in box:
        raise box["error"]
    return box.get("result")


def outcome_of(conv: Conv, result):
    """Return the handoff the function chose: its return value, else its last verb."""
    if result is None:
        return conv.outcome
    if isinstance(result, HandoffPlan | SoftHandoff):
        return result
    raise BadReturn(f"function returned {type(result).__name__}, not a handoff or None")


def run_topic_function(
    session, conversation: Conversation, config: EnvironmentConfig, facts: CallFacts, topic
) -> Decision:
    """Run ``topic``'s function for this call; on any failure, the default handoff."""
    functions_dir, timeout = settings()
    conv = Conv(config, facts, conversation.id, conversation.state)
    try:
        function = load_function(functions_dir, topic.function or "")
        result = call_with_budget(function, conv, dict(topic.params or {}), timeout)
        outcome = outcome_of(conv, result)
    except Exception:
        log.exception("call %s: function %r failed", facts.call_sid, topic.function)
        return decide_default(config, facts, FUNCTION_ERROR)
    apply_effects(session, conversation, conv)
    return decision_for(session, conversation, config, facts, topic, outcome)


def apply_effects(session, conversation: Conversation, conv: Conv) -> None:
    """Persist what the function changed: the conversation state and its metrics."""
    conversation.state = conv.state.to_dict()
    for name, value, write_once in conv.metrics:
        write_metric(session, conversation.id, name, value, write_once=write_once)


def decision_for(session, conversation, config, facts, topic: TopicConfig, outcome) -> Decision:
    """Return the decision for the function's outcome; none → the topic's own handoff."""
    if isinstance(outcome, SoftHandoff):
        return record_soft_handoff(session, conversation, config, facts, outcome)
    if isinstance(outcome, HandoffPlan):
        if outcome.routable:
            return Transfer(plan=outcome, topic=topic)
        log.error(
            "call %s: function %r chose an unroutable handoff %s",
            facts.call_sid,
            topic.function,
            outcome.warning_codes,
        )
        return decide_default(config, facts, FUNCTION_ERROR)
    # A function's handoff overrides the topic's; without one the topic's applies.
    destination = config.destination(topic.destination_id) or config.default
    decision = hand_off(config, facts, destination, topic.reason, topic.utterance)
    return Transfer(plan=decision.plan, topic=topic) if isinstance(decision, Transfer) else decision
