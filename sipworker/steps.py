"""What the decision side tells the SIP side to do next: plain frozen values."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Gather:
    """Play ``prompt`` and collect DTMF digits."""

    prompt: str
    prompt_wav: str | None
    timeout: float
    max_digits: int
    attempt: int


@dataclass(frozen=True)
class Execute:
    """Carry out one handoff natively in SIP."""

    handoff_id: str
    method: str
    # The Refer-To value: the destination URI with the headers percent-encoded into it.
    refer_to: str = ""
    # The INVITE's Request-URI (no headers part).
    target: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    secure: bool = False
    ring_timeout: float = 30.0
    utterance: str = ""
    utterance_wav: str | None = None
    # Why the plan cannot be carried out here (recorded as a failure, then fallback).
    unusable: str = ""


@dataclass(frozen=True)
class Hangup:
    """Nobody can take the call: say the apology and hang up."""

    apology: str
    apology_wav: str | None
    headers: tuple[tuple[str, str], ...] = ()


Step = Gather | Execute | Hangup
