"""Turn a destination into a concrete handoff plan: method, target, headers, warnings."""

import re
from dataclasses import dataclass, replace

from handoff import sip_uri
from handoff.config import DestinationConfig, EnvironmentConfig
from handoff.decision.facts import CallFacts
from handoff.decision.methods import SIP_BYE, SIP_INVITE, SIP_REFER, choose_method, resolve_target
from handoff.routes import InvalidRoute
from handoff.variables import resolve

HANDOFF_ID_HEADER = "X-Handoff-ID"
TLS_PARAMS = ("transport=tls", "secure=true")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class HandoffPlan:
    """Everything needed to carry out one handoff, decided from config and call facts."""

    destination: DestinationConfig | None
    requested_method: str
    method: str
    target: str = ""
    route: str = ""
    sip_uri: str = ""
    number: str = ""
    send_digits: str = ""
    sip_headers: tuple[tuple[str, str], ...] = ()
    encryption: str | None = None
    ring_timeout: int = 30
    reason: str = ""
    utterance: str = ""
    warnings: tuple[tuple[str, str], ...] = ()
    substituted: bool = False
    handoff_id: str = ""

    @property
    def routable(self) -> bool:
        """Return whether the plan can be executed (BYE needs no target)."""
        return self.method == SIP_BYE or bool(self.target)

    @property
    def warning_codes(self) -> tuple[str, ...]:
        """Return the codes of the plan's warnings."""
        return tuple(code for code, _ in self.warnings)


def slugify_reason(name: str) -> str:
    """Return a reason code (``^[a-z][a-z0-9_]{0,63}$``) made from a destination name."""
    slug = _SLUG.sub("_", (name or "").lower()).strip("_")
    if not slug:
        return "handoff"
    if not slug[0].isalpha():
        slug = f"to_{slug}"
    return slug[:64].rstrip("_")


def plan_handoff(
    config: EnvironmentConfig,
    facts: CallFacts,
    destination: DestinationConfig | None,
    reason: str | None = None,
    utterance: str | None = None,
    extra_headers=None,
    route_override: str | None = None,
    method_override: str | None = None,
) -> HandoffPlan:
    """Return the plan for handing ``facts``' call to ``destination``."""
    name = destination.name if destination else ""
    reason = reason or slugify_reason(name)
    variables = facts.variables(config.environment, reason, name)
    warnings: list[tuple[str, str]] = []
    said = resolve(utterance or "", variables, facts.sip_headers)
    warnings += _missing(said.missing)
    requested = method_override or (destination.method if destination else SIP_REFER)
    plan = HandoffPlan(
        destination=destination,
        requested_method=requested,
        method=requested,
        route=route_override if route_override is not None else _route_of(destination),
        ring_timeout=destination.ring_timeout if destination else 30,
        reason=reason,
        utterance=said.text,
        handoff_id=facts.handoff_id,
    )
    plan, more = choose_method(config, facts, plan)
    warnings += more
    if plan.method == SIP_REFER and plan.utterance:
        warnings.append(("utterance_may_not_play", "With REFER the utterance may be cut short."))
    plan, more = _with_target(config, plan, destination)
    warnings += more
    headers, more = _headers(config, facts, destination, extra_headers, variables)
    warnings += more
    plan, more = _attach_headers(config, plan, headers)
    warnings += more
    return replace(plan, warnings=tuple(warnings))


def _route_of(destination: DestinationConfig | None) -> str:
    return (destination.route or "") if destination else ""


def _with_target(config, plan: HandoffPlan, destination) -> tuple[HandoffPlan, list]:
    if plan.method == SIP_BYE:
        return plan, []
    try:
        return resolve_target(config, plan, destination)
    except InvalidRoute as exc:
        return replace(plan, target=""), [("route_invalid", str(exc))]


def _missing(names) -> list[tuple[str, str]]:
    return [("variable_missing", f"${name} has no value; it was left empty.") for name in names]


def _headers(config, facts, destination, extra_headers, variables):
    """Return the resolved (name, value) headers and warnings, X-Handoff-ID first."""
    configured = [(h.name, h.value) for h in (destination.sip_headers if destination else ())]
    merged: dict[str, tuple[str, str]] = {n.lower(): (n, v) for n, v in configured}
    for name, value in dict(extra_headers or {}).items():
        merged[name.lower()] = (name, str(value))
    headers, warnings = [], []
    for name, template in merged.values():
        value = resolve(template, variables, facts.sip_headers)
        warnings += _missing(value.missing)
        if value.text:
            headers.append((name, value.text))
    wants_id = config.integration.add_handoff_id_header and facts.handoff_id
    if wants_id and HANDOFF_ID_HEADER.lower() not in merged:
        headers.insert(0, (HANDOFF_ID_HEADER, facts.handoff_id))
    return headers, warnings


def _attach_headers(config, plan: HandoffPlan, headers) -> tuple[HandoffPlan, list]:
    """Put the headers where the method and integration allow, within Twilio's limits."""
    custom = [h for h in headers if h[0] != HANDOFF_ID_HEADER]
    if config.integration.headers_hidden:
        note = [("headers_hidden", "The integration does not carry custom SIP headers.")]
        return replace(plan, sip_uri=_uri(plan, [])), note if custom else []
    if plan.method == SIP_BYE and config.integration.kind.startswith("twilio"):
        note = [("bye_headers_dropped", "Twilio cannot add headers to a BYE.")]
        return plan, note if custom else []
    if plan.target == "number":
        note = [("headers_not_applied", "Headers do not travel to a phone number.")]
        return plan, note if custom else []
    warnings = []
    if plan.target == "sip":
        base = _uri(plan, [])
        if len(base) > sip_uri.MAX_URI_LENGTH:
            warnings.append(("uri_too_long", f"The SIP URI exceeds {sip_uri.MAX_URI_LENGTH}."))
        headers, dropped = sip_uri.fit_headers(base, headers)
        if dropped:
            names = ", ".join(n for n, _ in dropped)
            warnings.append(("truncated", f"Headers over Twilio's limit were dropped: {names}."))
    # X-Handoff-ID travels last, as in DESIGN §3, but is the last one dropped.
    ordered = [h for h in headers if h[0] != HANDOFF_ID_HEADER]
    ordered += [h for h in headers if h[0] == HANDOFF_ID_HEADER]
    # _uri reads the target, method and encryption only: one replace for both fields.
    return replace(plan, sip_headers=tuple(ordered), sip_uri=_uri(plan, ordered)), warnings


def _uri(plan: HandoffPlan, headers) -> str:
    if plan.target != "sip" or not plan.sip_uri:
        return plan.sip_uri
    base = sip_uri.split_sip_uri(plan.sip_uri)[0]
    params = TLS_PARAMS if plan.method == SIP_INVITE and plan.encryption == "tls_srtp" else ()
    return sip_uri.build_sip_uri(base, headers, params)
