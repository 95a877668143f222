"""Read what a new call carries from the SBC's INVITE: From, To, Call-ID and X- headers."""

import re
from dataclasses import dataclass, field

# RFC 3261 §7.3.3 compact forms of the headers read here.
_COMPACT = {"f": "from", "t": "to", "i": "call-id"}
_NAME_ADDR = re.compile(
    r'^\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<plain>[^<]*?))\s*<(?P<uri>[^>]*)>'
)


@dataclass(frozen=True)
class InboundCall:
    """The facts of an inbound SIP call, as plain values."""

    call_id: str
    caller: str
    caller_name: str
    called: str
    sip_headers: dict[str, str] = field(default_factory=dict)


def header_lines(message: str) -> list[tuple[str, str]]:
    """Return the message's ``(name, value)`` header pairs, unfolding continuation lines."""
    head = message.replace("\r\n", "\n").split("\n\n", 1)[0]
    pairs: list[tuple[str, str]] = []
    for line in head.split("\n")[1:]:
        if line[:1] in (" ", "\t") and pairs:
            name, value = pairs[-1]
            pairs[-1] = (name, f"{value} {line.strip()}")
        elif ":" in line:
            name, _, value = line.partition(":")
            pairs.append((name.strip(), value.strip()))
    return pairs


def split_address(value: str) -> tuple[str, str]:
    """Return the display name and URI of a From/To value."""
    match = _NAME_ADDR.match(value)
    if match:
        name = match.group("quoted") if match.group("quoted") is not None else match.group("plain")
        return (name or "").replace('\\"', '"').strip(), match.group("uri")
    return "", value.split(";", 1)[0].strip()


def uri_user(uri: str) -> str:
    """Return the user part of a SIP URI (the number), or the whole URI when it has none."""
    scheme, _, rest = uri.partition(":")
    if scheme.lower() in ("sip", "sips", "tel") and "@" in rest:
        return rest.split("@", 1)[0].split(";", 1)[0]
    return rest.split(";", 1)[0] if scheme.lower() == "tel" else uri


def parse_invite(message: str) -> InboundCall:
    """Return the inbound call an INVITE describes; every X- header becomes ``sip_X-…``."""
    known: dict[str, str] = {}
    extra: dict[str, str] = {}
    for name, value in header_lines(message):
        key = _COMPACT.get(name.lower(), name.lower())
        if key in ("from", "to", "call-id"):
            known.setdefault(key, value)
        elif key.startswith("x-"):
            extra.setdefault(name, value)
    caller_name, caller_uri = split_address(known.get("from", ""))
    _, called_uri = split_address(known.get("to", ""))
    return InboundCall(
        call_id=known.get("call-id", ""),
        caller=uri_user(caller_uri),
        caller_name=caller_name,
        called=uri_user(called_uri),
        sip_headers=extra,
    )
