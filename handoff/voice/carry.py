"""Carry out a decision: record it on the conversation and render its TwiML."""

import logging
import secrets
from collections import OrderedDict

import twiml
from handoff import calls
from handoff.config import EnvironmentConfig
from handoff.decision import (
    FUNCTION_ERROR,
    CallFacts,
    Decision,
    Gather,
    RunFunction,
    Transfer,
    Unrouted,
    decide_default,
)
from handoff.decision.matching import matcher_for

log = logging.getLogger(__name__)
GREETINGS_KEPT = 256
# Stands for the turn in a memoised <Gather>: random, so no configured text can hold it, and
# the action URL comes before the spoken text, so the first occurrence is the URL's.
_TURN_MARK = secrets.token_hex(8)


def render(
    config: EnvironmentConfig, decision: Decision, base_url: str, turn: str = "", fresh=False
) -> str:
    """Return the TwiML of a decision (no records; also used when the database is down).

    ``fresh``: the conversation will still be as /voice/call opened it (see ``twiml.FRESH``).
    """
    if isinstance(decision, Gather):
        # Each gather gets its own step, so a repeated attempt number is not a retry.
        turn = turn or secrets.token_hex(6)
        return greeting_twiml(config, decision, base_url, fresh).replace(_TURN_MARK, turn, 1)
    options = twiml.say_options(config.flow.language, config.flow.voice)
    if isinstance(decision, Transfer):
        response = twiml.handoff(decision.plan, base_url, env=config.environment, options=options)
    elif isinstance(decision, Unrouted):
        response = twiml.apology(decision.apology, options=options)
    else:
        raise TypeError(f"cannot render {decision!r}")
    return response.to_xml()


def greeting_twiml(config: EnvironmentConfig, decision: Gather, base_url: str, fresh=False) -> str:
    """Return a <Gather>'s TwiML with a mark for its turn, rendered once per config and prompt.

    Every caller hears the same greeting; only the turn in its action URL differs.
    """
    rendered = config.derived("greetings", lambda _: OrderedDict())
    key = (decision.prompt, decision.attempt, base_url, fresh)
    body = rendered.get(key)
    if body is None:
        flow = config.flow
        body = twiml.gather(
            decision.prompt,
            base_url,
            attempt=decision.attempt,
            turn=_TURN_MARK,
            env=config.environment,
            language=flow.language,
            timeout=flow.gather_timeout,
            hints=hints_for(config),
            dtmf=tuple(matcher_for(config).digits),
            options=twiml.say_options(flow.language, flow.voice),
            fresh=fresh,
        ).to_xml()
        rendered[key] = body
        while len(rendered) > GREETINGS_KEPT:
            # Prompts may quote the caller: keep the memory bounded, oldest out.
            rendered.popitem(last=False)
    return body


def hints_for(config: EnvironmentConfig) -> str:
    """Return the speech hints of every topic's phrases, listed once per config snapshot."""
    # Reading a thousand topics' phrases is not per-call work.
    return config.derived("hints", gather_hints)


def gather_hints(config: EnvironmentConfig) -> str:
    """Return the speech hints of every topic's phrases (only the first ones are read)."""
    return twiml.hints(p for t in config.topics for p in t.phrases)


def carry_out(session, conversation, config, facts, decision, step, base_url, previous_id=None):
    """Record ``decision`` for this step of the call and return its TwiML."""
    decision = record_decision(session, conversation, config, facts, decision, step, previous_id)
    return render(config, decision, base_url)


def record_decision(session, conversation, config, facts, decision, step, previous_id=None):
    """Record ``decision`` (running a topic's function first) and return what was recorded.

    Shared by the Twilio webhooks and the SIP worker, which executes it in SIP instead.
    """
    if isinstance(decision, RunFunction):
        decision = run_function(session, conversation, config, facts, decision.topic)
    if isinstance(decision, Gather):
        conversation.attempts = decision.attempt
        calls.add_turn(session, conversation, calls.SERVICE, "say", decision.prompt)
    elif isinstance(decision, Transfer):
        calls.add_turn(session, conversation, calls.SERVICE, "say", decision.plan.utterance)
        calls.record_handoff(
            session, conversation, config, facts, decision.plan, step, previous_id=previous_id
        )
    elif isinstance(decision, Unrouted):
        calls.add_turn(session, conversation, calls.SERVICE, "say", decision.apology)
        calls.record_unrouted(session, conversation, decision.reason)
    return decision


def run_function(session, conversation, config: EnvironmentConfig, facts: CallFacts, topic):
    """Run the topic's user function (functions runtime, issue 4); default handoff on failure.

    The runtime provides ``handoff.functions.run_topic_function(session, conversation,
    config, facts, topic) -> Decision`` (a Transfer, Gather or Unrouted, never RunFunction).
    """
    try:
        from handoff.functions import run_topic_function
    except ImportError:
        log.error("call %s: no functions runtime for topic %s", facts.call_sid, topic.name)
        return decide_default(config, facts, FUNCTION_ERROR)
    try:
        decision = run_topic_function(session, conversation, config, facts, topic)
    except Exception:
        log.exception("call %s: function %s failed", facts.call_sid, topic.function)
        return decide_default(config, facts, FUNCTION_ERROR)
    if decision is None or isinstance(decision, RunFunction):
        return decide_default(config, facts, FUNCTION_ERROR)
    return decision
