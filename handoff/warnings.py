"""Warnings about configuration that will not behave as it reads (pure: config in, list out)."""

from handoff.config import DestinationConfig, EnvironmentConfig, TopicConfig
from handoff.routes import EXTENSION, NUMBER, InvalidRoute, parse_route
from handoff.schemas.common import SIP_BYE, SIP_INVITE, SIP_REFER

TWILIO_KINDS = ("twilio_pstn", "twilio_sip")


def warning(code: str, message: str) -> dict:
    """Return one warning in the API's ``{code, message}`` shape."""
    return {"code": code, "message": message}


def environment_warnings(config: EnvironmentConfig) -> list[dict]:
    """Return the warnings about the environment as a whole."""
    if config.default is None:
        return [
            warning(
                "no_default",
                "No default handoff: calls that match no topic cannot be handed off. "
                "Set a default.",
            )
        ]
    return []


def destination_warnings(config: EnvironmentConfig, destination: DestinationConfig) -> list[dict]:
    """Return the warnings for one destination, environment-wide ones included."""
    found = environment_warnings(config)
    found += _constraint_warnings(config, destination)
    found += _route_warnings(config, destination)
    if destination.method == SIP_REFER and _has_utterance(config, destination):
        found.append(
            warning(
                "utterance_may_not_play",
                "A topic speaks an utterance before this REFER handoff; with REFER it may "
                "not play before the transfer completes. Use sip_invite to be sure it plays.",
            )
        )
    return _unique(found)


def warnings_by_destination(config: EnvironmentConfig) -> dict[int, list[dict]]:
    """Return every destination's warnings keyed by its id."""
    return {d.id: destination_warnings(config, d) for d in config.destinations}


def topic_warnings(config: EnvironmentConfig, topic: TopicConfig) -> list[dict]:
    """Return the warnings for one topic: where it leads and whether callers can reach it."""
    found = []
    if topic.action == "handoff":
        target = config.destination(topic.destination_id) if topic.destination_id else None
        target = target or (config.default if topic.destination_id is None else None)
        if target is None:
            found.append(
                warning("no_default", "This topic hands off to the default, and there is none.")
            )
        elif target.method == SIP_REFER and topic.utterance:
            found.append(
                warning(
                    "utterance_may_not_play",
                    f"{target.name} uses REFER: the utterance may not play before the transfer.",
                )
            )
    if not (topic.phrases or topic.dtmf or topic.immediate):
        found.append(
            warning("unreachable", "No phrase, key or immediate flag: callers cannot reach it.")
        )
    return found


def _constraint_warnings(config: EnvironmentConfig, destination: DestinationConfig) -> list[dict]:
    integration, found = config.integration, []
    required = integration.required_method
    if required and destination.method != required:
        found.append(
            warning(
                "method_mismatch",
                f"The {integration.kind} integration requires {required}; this handoff uses "
                f"{destination.method}. Calls are still routed, with the method substituted.",
            )
        )
    if integration.route_hidden and destination.route:
        found.append(
            warning("route_hidden", "The integration handles routing: this route is ignored.")
        )
    if destination.sip_headers and integration.headers_hidden:
        found.append(
            warning("headers_ignored", "The integration does not support custom SIP headers.")
        )
    elif (
        destination.sip_headers
        and destination.method == SIP_BYE
        and (integration.kind in TWILIO_KINDS)
    ):
        found.append(
            warning("headers_ignored", "Twilio cannot add headers to a BYE: they are not sent.")
        )
    return found


def _route_warnings(config: EnvironmentConfig, destination: DestinationConfig) -> list[dict]:
    try:
        route = parse_route(destination.route) if destination.route else None
    except InvalidRoute:
        return [warning("invalid_route", "The route cannot be parsed; fix it before use.")]
    if route is None:
        return []
    found = []
    if route.kind == EXTENSION and not config.integration.sip_host:
        found.append(
            warning(
                "extension_without_sip_host",
                "An extension route needs the integration's sip_host to resolve against.",
            )
        )
    if route.kind == NUMBER and destination.sip_headers and destination.method == SIP_INVITE:
        found.append(
            warning("headers_ignored", "Custom SIP headers do not apply to a phone-number route.")
        )
    return found


def _has_utterance(config: EnvironmentConfig, destination: DestinationConfig) -> bool:
    for topic in config.topics:
        if topic.action != "handoff" or not topic.utterance:
            continue
        target = topic.destination_id
        if target == destination.id or (target is None and destination.is_default):
            return True
    return False


def _unique(found: list[dict]) -> list[dict]:
    seen: set[str] = set()
    return [w for w in found if not (w["code"] in seen or seen.add(w["code"]))]
