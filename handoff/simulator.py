"""The test call: run the webhooks' own decision and TwiML code on made-up call facts.

Nothing is recorded and Twilio is never contacted; what is shown is what a real call with
the same facts would get from /voice/call or /voice/gather.
"""

import re
from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, validate, validates

from handoff.config import EnvironmentConfig, TopicConfig
from handoff.decision import (
    PSTN,
    SIP,
    SIP_TRUNK,
    CallFacts,
    Decision,
    RunFunction,
    Transfer,
    decide_call,
    decide_gather,
)
from handoff.environments import ENVIRONMENTS, SANDBOX
from handoff.errors import ValidationFailed
from handoff.voice.carry import render
from models import new_id

CHANNELS = (PSTN, SIP, SIP_TRUNK)
CHANNEL_OF_KIND = {"twilio_pstn": PSTN, "twilio_sip": SIP, "sip_trunk": SIP_TRUNK}
HEADER_NAME = re.compile(r"^[A-Za-z0-9!%*_+`'~.-]{1,128}$")


class HeaderLines(fields.Field):
    """Inbound SIP headers typed as ``Name: value`` lines (or given as a mapping)."""

    def _deserialize(self, value, attr, data, **kwargs) -> dict[str, str]:
        if isinstance(value, dict):
            value = "\n".join(f"{k}: {v}" for k, v in value.items())
        headers = {}
        for number, line in enumerate(str(value or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, colon, content = line.partition(":")
            if not colon or not HEADER_NAME.match(name.strip()):
                raise ValidationError(f"Line {number}: use Name: value, e.g. X-Account: 42.")
            headers[name.strip()] = content.strip()
        return headers


class TestCallSchema(Schema):
    """What an operator enters to simulate a call."""

    __test__ = False  # not a pytest class, whatever its name
    environment = fields.String(load_default=SANDBOX, validate=validate.OneOf(ENVIRONMENTS))
    channel = fields.String(load_default=PSTN, validate=validate.OneOf(CHANNELS))
    caller = fields.String(load_default="", validate=validate.Length(max=255))
    called = fields.String(load_default="", validate=validate.Length(max=255))
    sip_headers = HeaderLines(load_default=dict)
    speech = fields.String(load_default="", validate=validate.Length(max=500))
    digits = fields.String(load_default="", validate=validate.Regexp(r"^[0-9*#]{0,8}$"))

    @validates("caller", "called", "speech")
    def _one_line(self, value: str, **_kwargs) -> None:
        if any(ch in value for ch in "\r\n\x00"):
            raise ValidationError("Must not contain line breaks or NUL characters.")


@dataclass(frozen=True)
class SimulatedCall:
    """The outcome of a test call: the decision, the matched topic and the exact TwiML."""

    facts: CallFacts
    decision: Decision
    topic: TopicConfig | None
    twiml: str

    @property
    def plan(self):
        """Return the handoff plan when the call is handed off, else None."""
        return self.decision.plan if isinstance(self.decision, Transfer) else None


def load_test_call(payload: dict) -> dict:
    """Return the validated test-call input.

    :raises ValidationFailed: naming each bad field.
    """
    try:
        return TestCallSchema().load(payload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from exc


def simulate(config: EnvironmentConfig, data: dict, base_url: str) -> SimulatedCall:
    """Decide the call described by ``data`` the way the webhooks would, and render it."""
    facts = CallFacts(
        call_sid="CA" + new_id("test")[5:].ljust(32, "0"),
        caller=data.get("caller", ""),
        called=data.get("called", ""),
        channel=data.get("channel", PSTN),
        sip_headers=data.get("sip_headers") or {},
        conversation_id=new_id("cv"),
        handoff_id=new_id("ho"),
        speech=data.get("speech", ""),
        digits=data.get("digits", ""),
        # The last attempt: no match goes straight to the default instead of a re-prompt.
        attempt=config.flow.max_attempts,
    )
    asked = facts.speech or facts.digits
    decision = decide_gather(config, facts) if asked else decide_call(config, facts)
    topic = decision.topic if isinstance(decision, Transfer | RunFunction) else None
    xml = "" if isinstance(decision, RunFunction) else render(config, decision, base_url)
    return SimulatedCall(facts=facts, decision=decision, topic=topic, twiml=xml)
