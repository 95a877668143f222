"""Pure handoff decisions: configuration and call facts in, frozen plans out.

Shared by the Twilio webhooks, the test-call simulator and the SIP worker.
"""

from handoff.decision.facts import PSTN, SIP, SIP_TRUNK, CallFacts
from handoff.decision.flow import (
    FUNCTION_ERROR,
    NO_INPUT,
    NO_MATCH,
    Decision,
    Gather,
    RunFunction,
    Transfer,
    Unrouted,
    decide_call,
    decide_default,
    decide_failover,
    decide_gather,
    decide_topic,
    hand_off,
)
from handoff.decision.matching import match_topic, normalise
from handoff.decision.methods import SIP_BYE, SIP_INVITE, SIP_REFER
from handoff.decision.plan import HANDOFF_ID_HEADER, HandoffPlan, plan_handoff, slugify_reason

__all__ = [
    "FUNCTION_ERROR",
    "HANDOFF_ID_HEADER",
    "NO_INPUT",
    "NO_MATCH",
    "PSTN",
    "SIP",
    "SIP_BYE",
    "SIP_INVITE",
    "SIP_REFER",
    "SIP_TRUNK",
    "CallFacts",
    "Decision",
    "Gather",
    "HandoffPlan",
    "RunFunction",
    "Transfer",
    "Unrouted",
    "decide_call",
    "decide_default",
    "decide_failover",
    "decide_gather",
    "decide_topic",
    "hand_off",
    "match_topic",
    "normalise",
    "plan_handoff",
    "slugify_reason",
]
