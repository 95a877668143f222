"""Pure TwiML rendering: decisions and handoff plans in, `VoiceResponse` out."""

from twiml.voice import (
    FRESH,
    apology,
    gather,
    handoff,
    hangup,
    hints,
    say_options,
)

__all__ = ["FRESH", "apology", "gather", "hangup", "handoff", "hints", "say_options"]
