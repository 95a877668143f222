"""Which SIP method a handoff really uses and where it goes, under the integration's rules."""

from dataclasses import replace

from handoff.routes import NUMBER, parse_route, resolve_extension

SIP_REFER = "sip_refer"
SIP_INVITE = "sip_invite"
SIP_BYE = "sip_bye"
TRANSFERS = (SIP_REFER, SIP_INVITE)


def choose_method(config, facts, plan):
    """Return ``plan`` with the executed method, and the warnings about any substitution."""
    warnings = []
    method = plan.requested_method
    required = config.integration.required_method
    if required and required != method:
        warnings.append(
            ("method_mismatch", f"The integration requires {required}; {method} is configured.")
        )
        if required in TRANSFERS and method in TRANSFERS:
            method = required
    if method == SIP_REFER and not facts.is_sip_leg:
        # Twilio's <Refer> works only on SIP legs: bridge instead of dropping the caller.
        method = SIP_INVITE
        warnings.append(("refer_substituted", "REFER on a non-SIP leg is executed as a Dial."))
    substituted = method != plan.requested_method
    return replace(plan, method=method, substituted=substituted), warnings


def resolve_target(config, plan, destination):
    """Return ``plan`` with its SIP URI or number filled in.

    :raises InvalidRoute: when the route cannot be used.
    """
    integration = config.integration
    raw, warnings = plan.route, []
    if integration.route_hidden and integration.sip_host:
        # The carrier routes the call: it receives the reason as the user part.
        raw = f"sip:{plan.reason}@{integration.sip_host}"
        if plan.route:
            warnings.append(("route_hidden", "The integration handles routing: route ignored."))
    route = resolve_extension(parse_route(raw), integration.sip_host)
    if route.kind == NUMBER:
        if plan.method == SIP_REFER:
            warnings.append(("refer_substituted", "REFER to a phone number is executed as a Dial."))
            plan = replace(plan, method=SIP_INVITE, substituted=True)
        digits = f"ww{route.extension}" if route.extension else ""
        plan = replace(plan, route=raw, target="number", number=route.number, send_digits=digits)
        return plan, warnings
    encryption = destination.encryption if destination and plan.method == SIP_INVITE else None
    if plan.method == SIP_INVITE and encryption is None:
        encryption = "tls_srtp"
    plan = replace(plan, route=raw, target="sip", sip_uri=route.sip_uri, encryption=encryption)
    return plan, warnings
