"""Turn submitted UI forms into the API's payload shapes, and errors back into fields.

The forms carry no rules of their own: validation is the services' (the API's schemas).
"""

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

from handoff.conversations import ConversationFilter
from handoff.environments import ENVIRONMENTS

HEADER_FIELD = re.compile(r"^sip_headers-(\d+)-(name|value)$")


def text(form: Mapping, name: str) -> str:
    """Return a submitted text field ('' when absent)."""
    return form.get(name, "") or ""


def optional_int(form: Mapping, name: str) -> int | str | None:
    """Return a whole number, None when blank, or the raw text for the schema to refuse."""
    raw = text(form, name).strip()
    if not raw:
        return None
    return int(raw) if raw.lstrip("-").isdigit() else raw


def header_rows(form: Mapping) -> list[dict]:
    """Return the SIP header rows in order, leaving out rows with neither name nor value."""
    rows: dict[int, dict] = {}
    for key in form:
        match = HEADER_FIELD.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = form.get(key, "")
    ordered = (rows[i] for i in sorted(rows))
    return [
        {"name": r.get("name", ""), "value": r.get("value", "")}
        for r in ordered
        if r.get("name", "").strip() or r.get("value", "").strip()
    ]


def destination_payload(form: Mapping, locked_method: str | None = None) -> dict:
    """Return the destination payload (the API's JSON shape) of the handoff form.

    ``locked_method`` is the integration's required method: the form cannot choose another.
    """
    payload = {
        "name": text(form, "name"),
        "description": text(form, "description"),
        "method": locked_method or text(form, "method") or "sip_refer",
        "route": text(form, "route"),
        "sip_headers": header_rows(form),
        "encryption": text(form, "encryption") or "tls_srtp",
        "fallback_id": optional_int(form, "fallback_id"),
        "ring_timeout": optional_int(form, "ring_timeout") or 30,
    }
    if payload["method"] == "sip_bye":
        payload["route"] = ""
    return payload


def lines(raw: str) -> list[str]:
    """Return the non-blank lines of a textarea."""
    return [line.strip() for line in (raw or "").splitlines() if line.strip()]


def field_errors(errors: Mapping | None, *path) -> list[str]:
    """Return the messages at ``path`` in a (nested) error mapping; [] when none."""
    node = errors or {}
    for key in path:
        if not isinstance(node, Mapping):
            return []
        node = node.get(key, node.get(str(key)))
        if node is None:
            return []
    return _flatten(node)


def list_errors(errors: Mapping | None, name: str) -> list[str]:
    """Return the messages about a list field as a whole (not about one of its items)."""
    node = (errors or {}).get(name)
    if isinstance(node, Mapping):
        return [m for key, msgs in node.items() if not str(key).isdigit() for m in _flatten(msgs)]
    return _flatten(node) if node is not None else []


def _flatten(node) -> list[str]:
    if isinstance(node, Mapping):
        return [m for value in node.values() for m in _flatten(value)]
    if isinstance(node, list | tuple):
        return [m for item in node for m in _flatten(item)]
    return [str(node)]


def conversation_filter(args: Mapping):
    """Return the conversation filter of the review page's query, and errors by field."""
    errors: dict[str, list[str]] = {}
    days = {}
    for name in ("from", "to"):
        raw = text(args, name).strip()
        try:
            days[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[name] = ["Use a date such as 2026-11-23."]
    environment = text(args, "environment") or None
    if environment and environment not in ENVIRONMENTS:
        errors["environment"] = [f"Use one of {', '.join(ENVIRONMENTS)}."]
    handoff = {"yes": True, "no": False, "": None}.get(text(args, "handoff"), "bad")
    if handoff == "bad":
        errors["handoff"] = ["Use yes or no."]
    if errors:
        return None, errors
    start = datetime.combine(days["from"], time(), UTC) if days["from"] else None
    end = datetime.combine(days["to"] + timedelta(days=1), time(), UTC) if days["to"] else None
    flt = ConversationFilter(
        environment=environment,
        started_after=start,
        started_before=end,
        handoff=handoff,
        reason=text(args, "reason").strip() or None,
        destination=text(args, "destination").strip() or None,
        state=text(args, "state").strip() or None,
    )
    return flt, {}


def topic_payload(form: Mapping) -> dict:
    """Return the topic payload (the API's JSON shape) of the topic form."""
    action = text(form, "action") or "handoff"
    return {
        "name": text(form, "name"),
        "phrases": lines(text(form, "phrases")),
        "dtmf": text(form, "dtmf").strip() or None,
        "action": action,
        "destination_id": optional_int(form, "destination_id"),
        "function": (text(form, "function").strip() or None) if action == "function" else None,
        "reason": text(form, "reason").strip() or None,
        "utterance": text(form, "utterance").strip() or None,
        "immediate": form.get("immediate") == "on",
    }


def integration_payload(form: Mapping, current_kind: str) -> dict:
    """Return the integration payload; a new kind leaves the constraints to its defaults."""
    payload = {
        "kind": text(form, "kind"),
        "sip_host": text(form, "sip_host").strip() or None,
        "add_handoff_id_header": form.get("add_handoff_id_header") == "on",
    }
    if payload["kind"] == current_kind:
        payload.update(
            required_method=text(form, "required_method") or None,
            route_hidden=form.get("route_hidden") == "on",
            headers_hidden=form.get("headers_hidden") == "on",
        )
    return payload


def flow_payload(form: Mapping) -> dict:
    """Return the entry-flow payload of the flow form."""
    payload = {name: text(form, name) for name in ("greeting", "reprompt", "apology", "language")}
    payload["voice"] = text(form, "voice").strip() or None
    for name in ("gather_timeout", "max_attempts"):
        payload[name] = optional_int(form, name)
    return payload
