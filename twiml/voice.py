"""Render handoff plans and the entry flow as TwiML with the official twilio library (DESIGN §3)."""

import re
from urllib.parse import urlencode

from twilio.twiml.voice_response import VoiceResponse

SIP_REFER = "sip_refer"
SIP_INVITE = "sip_invite"
SIP_BYE = "sip_bye"
MAX_SAY_BYTES = 3000
MAX_HINTS = 100
MAX_HINT_LENGTH = 100
# Characters XML 1.0 cannot carry at all; a caller-derived value must not break the document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def say_options(language: str | None, voice: str | None) -> dict:
    """Return the <Say> attributes for the flow's language and voice."""
    options = {}
    if language:
        options["language"] = language
    if voice:
        options["voice"] = voice
    return options


# A /voice/gather query parameter: the call's conversation still has the id derived from its
# CallSid and no state, so the answer is decided without reading it. The URL is signed.
FRESH = "fresh"


def url(base_url: str, path: str, **query) -> str:
    """Return an absolute webhook URL with its query (the query is covered by the signature)."""
    clean = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{base_url.rstrip('/')}{path}" + (f"?{urlencode(clean)}" if clean else "")


def _say(response, text: str, options: dict) -> None:
    # Twilio caps <Say> text (Polly voices: 3,000 UTF-8 bytes); longer text fails the call.
    text = _NOT_XML.sub("", text or "").strip()
    text = text.encode()[:MAX_SAY_BYTES].decode(errors="ignore")
    if text:
        response.say(text, **options)


def handoff(plan, base_url: str, env: str = "", options: dict | None = None) -> VoiceResponse:
    """Return the TwiML that carries out ``plan``: the utterance first, then the transfer verb."""
    response = VoiceResponse()
    _say(response, plan.utterance, options or {})
    if plan.method == SIP_BYE:
        response.hangup()
    elif plan.method == SIP_REFER:
        action = url(base_url, "/voice/refer-status", **_status_query(plan, env))
        response.refer(action=action, method="POST").sip(plan.sip_uri)
    else:
        action = url(base_url, "/voice/dial-status", **_status_query(plan, env))
        dial = response.dial(
            action=action, method="POST", answer_on_bridge=True, timeout=plan.ring_timeout
        )
        if plan.target == "number":
            dial.number(plan.number, send_digits=plan.send_digits or None)
        else:
            dial.sip(plan.sip_uri)
    return response


def _status_query(plan, env: str) -> dict:
    destination = plan.destination.id if plan.destination is not None else None
    return {"handoff": plan.handoff_id, "env": env, "destination": destination}


def gather(
    prompt: str,
    base_url: str,
    *,
    attempt: int,
    turn: str = "",
    env: str = "",
    language: str = "en-US",
    timeout: int = 5,
    hints: str = "",
    dtmf=(),
    options: dict | None = None,
    fresh: bool = False,
) -> VoiceResponse:
    """Return the greeting or re-prompt inside a speech+DTMF <Gather> posting to /voice/gather.

    ``hints`` is what :func:`hints` made of the topics' phrases (once per configuration);
    ``fresh`` marks the action URL as needing no read of the conversation (see FRESH).
    """
    response = VoiceResponse()
    kwargs = {
        "input": "speech dtmf",
        "action": url(
            base_url,
            "/voice/gather",
            env=env,
            attempt=attempt,
            turn=turn,
            **{FRESH: "1" if fresh else None},
        ),
        "method": "POST",
        "language": language,
        "timeout": timeout,
        "speech_timeout": "auto",
        # Silence must reach /voice/gather too, so no_input is decided there.
        "action_on_empty_result": True,
    }
    if hints:
        kwargs["hints"] = hints
    digits = [d for d in dtmf if d]
    if digits:
        kwargs["num_digits"] = max(len(d) for d in digits)
    listen = response.gather(**kwargs)
    _say(listen, prompt, options or {})
    return response


def hints(phrases) -> str:
    """Return speech-recognition hints: the first unique phrases, cleaned, comma-separated."""
    unique: dict[str, None] = {}
    for phrase in phrases:
        phrase = _NOT_XML.sub("", phrase).replace(",", " ").strip()[:MAX_HINT_LENGTH]
        if phrase:
            unique[phrase] = None
            if len(unique) == MAX_HINTS:
                break
    return ", ".join(unique)


def apology(text: str, options: dict | None = None) -> VoiceResponse:
    """Return the apology, then hang up."""
    response = VoiceResponse()
    _say(response, text, options or {})
    response.hangup()
    return response


def hangup() -> VoiceResponse:
    """Return a bare <Hangup/>."""
    response = VoiceResponse()
    response.hangup()
    return response
