"""Route parsing: SIP URIs, E.164 numbers, extensions."""

import pytest

from handoff.routes import EXTENSION, NUMBER, SIP, InvalidRoute, parse_route, resolve_extension


@pytest.mark.parametrize(
    ("raw", "kind", "field", "value"),
    [
        ("sip:agent@example.com", SIP, "sip_uri", "sip:agent@example.com"),
        ("sips:billing@pbx.example.com:5061", SIP, "sip_uri", "sips:billing@pbx.example.com:5061"),
        ("sip:1001@10.0.0.5;transport=tcp", SIP, "sip_uri", "sip:1001@10.0.0.5;transport=tcp"),
        ("SIP:queue@[2001:db8::1]:5060", SIP, "sip_uri", "sip:queue@[2001:db8::1]:5060"),
        ("+14155550100", NUMBER, "number", "+14155550100"),
        ("+442071838750", NUMBER, "number", "+442071838750"),
        ("204", EXTENSION, "extension", "204"),
    ],
)
def test_valid_routes(raw, kind, field, value):
    route = parse_route(raw)
    assert route.kind == kind
    assert getattr(route, field) == value


def test_number_with_extension_keeps_both():
    route = parse_route("+14155550100;ext=204")
    assert (route.kind, route.number, route.extension) == (NUMBER, "+14155550100", "204")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "required"),
        ("sip:example.com", "user part"),
        ("sip:a@exa mple.com", "spaces"),
        ("sip:a@example.com?X-A=1", "sip_headers"),
        ("sip:a@example.com:99999", "port"),
        ("sip:a@-bad-.com", "host"),
        ("sip:a@example.com\r\nVia: x", "line breaks"),
        ("+1415555010", "valid E.164"),
        ("+1 415 555 0100", "E.164 form"),
        ("+14155550100;extension=2", ";ext="),
        ("tel:+14155550100", "SIP URI"),
        ("agent", "SIP URI"),
    ],
)
def test_invalid_routes_say_why(raw, message):
    with pytest.raises(InvalidRoute, match=message):
        parse_route(raw)


def test_extension_resolves_against_sip_host():
    route = resolve_extension(parse_route("204"), "pbx.example.com")
    assert (route.kind, route.sip_uri) == (SIP, "sip:204@pbx.example.com")


def test_extension_without_sip_host_is_an_error():
    with pytest.raises(InvalidRoute, match="sip_host"):
        resolve_extension(parse_route("204"), None)
