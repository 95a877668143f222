"""Resolve `$name`, `${name}` and `$$` in header values and utterances (DESIGN §2 Variables)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

BUILTINS = (
    "caller_id",
    "caller_name",
    "called_number",
    "call_sid",
    "account_sid",
    "conversation_id",
    "handoff_id",
    "handoff_reason",
    "env",
    "destination",
    "digits",
    "speech",
)
SIP_PREFIX = "sip_"
# `sip_X-Foo` names carry hyphens; other bare names stop at the first non-word character.
_PATTERN = re.compile(r"\$\$|\$\{([^}]*)\}|\$(sip_[A-Za-z0-9_\-.!%*+`'~]+|[A-Za-z_][A-Za-z0-9_]*)")
# Control characters may arrive in caller-supplied values; no header value may carry them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Resolution:
    """A resolved template and the variable names that had no value."""

    text: str
    missing: tuple[str, ...] = ()


def lookup(name: str, variables: Mapping[str, object], sip_headers: Mapping[str, str]):
    """Return the value of ``name``, or None when it is unknown."""
    if name in variables:
        return variables[name]
    if name.startswith(SIP_PREFIX):
        wanted = name[len(SIP_PREFIX) :].lower()
        for header, value in sip_headers.items():
            if header.lower() == wanted:
                return value
    return None


def resolve(
    template: str, variables: Mapping[str, object], sip_headers: Mapping[str, str] | None = None
) -> Resolution:
    """Substitute every variable in ``template``; unknown ones become ''."""
    headers = sip_headers or {}
    missing: list[str] = []

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
        value = lookup(name, variables, headers)
        if value is None:
            missing.append(name)
            return ""
        return _CONTROL.sub(" ", str(value))

    text = _PATTERN.sub(substitute, template or "")
    return Resolution(text=text, missing=tuple(dict.fromkeys(missing)))


def names_in(template: str) -> tuple[str, ...]:
    """Return the variable names used in ``template`` (for validation at save time)."""
    found = []
    for match in _PATTERN.finditer(template or ""):
        if match.group(0) != "$$":
            found.append((match.group(1) or match.group(2) or "").strip())
    return tuple(dict.fromkeys(found))
