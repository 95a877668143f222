"""What is known about a call when a decision is made: plain values, no Flask, no DB."""

from collections.abc import Mapping
from dataclasses import dataclass, field

PSTN = "pstn"
SIP = "sip"
SIP_TRUNK = "sip_trunk"
CHANNELS = (PSTN, SIP, SIP_TRUNK)
# Channels whose leg is SIP end to end, so REFER can be sent on it.
SIP_LEGS = (SIP, SIP_TRUNK)


@dataclass(frozen=True)
class CallFacts:
    """The call a decision is about: who, where from, what was said or pressed."""

    call_sid: str = ""
    account_sid: str = ""
    caller: str = ""
    called: str = ""
    caller_name: str = ""
    channel: str = PSTN
    # Inbound X- headers by name (e.g. {"X-Customer": "42"}), readable as $sip_X-Customer.
    sip_headers: Mapping[str, str] = field(default_factory=dict)
    conversation_id: str = ""
    # Pre-generated so $handoff_id and X-Handoff-ID resolve before the row exists.
    handoff_id: str = ""
    state: Mapping[str, object] = field(default_factory=dict)
    speech: str = ""
    digits: str = ""
    attempt: int = 1

    @property
    def is_sip_leg(self) -> bool:
        """Return whether the caller's leg is SIP (REFER possible)."""
        return self.channel in SIP_LEGS

    def variables(self, environment: str, reason: str, destination: str) -> dict[str, object]:
        """Return the $variables of this call; built-ins win over conversation state."""
        builtins = {
            "caller_id": self.caller,
            "caller_name": self.caller_name,
            "called_number": self.called,
            "call_sid": self.call_sid,
            "account_sid": self.account_sid,
            "conversation_id": self.conversation_id,
            "handoff_id": self.handoff_id,
            "handoff_reason": reason,
            "env": environment,
            "destination": destination,
            "digits": self.digits,
            "speech": self.speech,
        }
        state = {k: ("" if v is None else v) for k, v in self.state.items()}
        return {**state, **builtins}
