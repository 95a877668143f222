"""Handoff routes: a SIP URI, an E.164 number (optionally with an extension), or an extension."""

import re
from dataclasses import dataclass

import phonenumbers

SIP = "sip"
NUMBER = "number"
EXTENSION = "extension"

_EXTENSION = re.compile(r"^[0-9*#]{1,16}$")
_USER = re.compile(r"^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$")
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]+\]$")
_PARAM = re.compile(r"^[A-Za-z0-9\-_.!~*'%]+(?:=[A-Za-z0-9\-_.!~*'%\[\]/:&+$]+)?$")


class InvalidRoute(ValueError):
    """The route is not a SIP URI, an E.164 number or an extension."""


@dataclass(frozen=True)
class Route:
    """A parsed route: what kind it is and the parts a transfer needs."""

    kind: str
    sip_uri: str | None = None
    number: str | None = None
    extension: str | None = None

    @property
    def is_sip(self) -> bool:
        """Return True when the transfer travels as SIP (a URI or a resolved extension)."""
        return self.kind == SIP


def parse_route(raw: str) -> Route:
    """Parse a configured route.

    :raises InvalidRoute: with a message fit to show next to the field.
    """
    route = (raw or "").strip()
    if not route:
        raise InvalidRoute("A route is required.")
    if any(ch in route for ch in "\r\n\x00"):
        raise InvalidRoute("The route must not contain line breaks or NUL characters.")
    if route.lower().startswith(("sip:", "sips:")):
        return Route(kind=SIP, sip_uri=_check_sip_uri(route))
    if route.startswith("+"):
        return _parse_number(route)
    if _EXTENSION.match(route):
        return Route(kind=EXTENSION, extension=route)
    raise InvalidRoute(
        "Use a SIP URI (sip:user@host), an E.164 number (+14155550100), "
        "a number with extension (+14155550100;ext=204) or an extension (204)."
    )


def resolve_extension(route: Route, sip_host: str | None) -> Route:
    """Turn a bare extension into a SIP route on the integration's ``sip_host``.

    :raises InvalidRoute: when the integration has no SIP host.
    """
    if route.kind != EXTENSION:
        return route
    if not sip_host:
        raise InvalidRoute("An extension route needs the integration's sip_host.")
    return Route(kind=SIP, sip_uri=f"sip:{route.extension}@{sip_host}", extension=route.extension)


def _parse_number(route: str) -> Route:
    number, _, extension = route.partition(";")
    if extension:
        name, _, digits = extension.partition("=")
        if name.lower() != "ext" or not _EXTENSION.match(digits):
            raise InvalidRoute("An extension is written ;ext= followed by digits, * or #.")
        extension = digits
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidRoute(f"Not a phone number: {exc}.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidRoute(f"{number} is not a valid E.164 phone number.")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if e164 != number:
        raise InvalidRoute(f"Write the number in E.164 form: {e164}.")
    return Route(kind=NUMBER, number=e164, extension=extension or None)


def _check_sip_uri(uri: str) -> str:
    scheme, _, rest = uri.partition(":")
    if "?" in rest:
        raise InvalidRoute("Put SIP headers in sip_headers, not in the route's URI.")
    if any(ch.isspace() for ch in rest) or any(ch in rest for ch in '<>"'):
        raise InvalidRoute("A SIP URI may not contain spaces, <, > or quotes.")
    user, at, hostport_params = rest.rpartition("@")
    if not at or not user or not _USER.match(user):
        raise InvalidRoute("A SIP URI needs a user part: sip:user@host.")
    hostport, *params = hostport_params.split(";")
    _check_hostport(hostport)
    for param in params:
        if not _PARAM.match(param):
            raise InvalidRoute(f"Invalid URI parameter: ;{param}")
    return f"{scheme.lower()}:{rest}"


def _check_hostport(hostport: str) -> None:
    host, port = hostport, None
    if hostport.startswith("["):
        host, _, tail = hostport.partition("]")
        host += "]"
        port = tail[1:] if tail.startswith(":") else (None if not tail else "x")
    elif ":" in hostport:
        host, _, port = hostport.rpartition(":")
    if not (_HOSTNAME.match(host) or _IPV4.match(host) or _IPV6.match(host)):
        raise InvalidRoute(f"Invalid host in SIP URI: {host or '(empty)'}")
    if port is not None and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise InvalidRoute("The port must be a number from 1 to 65535.")
