"""Hypothesis fuzzing of webhook parameters: always valid TwiML that routes the caller, and
no caller-supplied text ever adds a SIP header or a URI parameter."""

import re
from urllib.parse import parse_qs, unquote, urlparse
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.voice_support import add_destination, add_topic, pstn_call, set_integration

ROUTE = "sip:desk@pbx.example.com"
HEADERS = (
    ("X-Caller", "$caller_id"),
    ("X-Name", "$caller_name"),
    ("X-Said", "$speech"),
    ("X-Pressed", "$digits"),
    ("X-Customer", "${sip_X-Customer}"),
)
ALLOWED_NAMES = {name for name, _ in HEADERS} | {"X-Handoff-ID"}
# RFC 3261 hvalue characters: unreserved, the hnv-unreserved marks, and %-escapes.
HVALUE = re.compile(r"^[A-Za-z0-9\-_.!~*'()\[\]/:+?$%]*$")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Anything Twilio could relay from a caller, in UTF-8: control characters, markup, SIP and
# URI delimiters, right-to-left text; sometimes very long.
TEXT = st.characters(exclude_categories=("Cs",))
short_text = st.text(TEXT, max_size=80)
sneaky = st.sampled_from(
    [
        "\r\nX-Evil: 1",
        "&X-Evil=1",
        "?X-Evil=1",
        ";transport=udp",
        "%0D%0AX-Evil:%201",
        "<![CDATA[",
        "\x00",
    ]
)
value = st.one_of(
    short_text,
    st.builds(lambda a, b: a + b, short_text, sneaky),
    st.builds(lambda c, n: c * n, TEXT, st.integers(200, 3_000)),
)


@pytest.fixture
def desk(app):
    """One default destination sending every variable a caller can influence as a header."""
    with app.app_context():
        set_integration(kind="twilio_sip", required_method=None)
        desk = add_destination(name="Desk", route=ROUTE, headers=HEADERS)
        add_topic(name="Billing", phrases=["billing"], destination_id=desk.id)
    return app


def caller_params(speech: str, digits: str, name: str, caller: str, customer: str) -> dict:
    """Return a gather request carrying the fuzzed values where Twilio would put them."""
    return pstn_call(
        SpeechResult=speech,
        Digits=digits,
        CallerName=name,
        From=caller,
        Caller=caller,
        **{"SipHeader_X-Customer": customer, "SipHeader_X-Evil\r\nX": customer},
    )


def assert_safe_dial(body: bytes) -> None:
    """The answer is TwiML dialling the destination, its URI carrying only configured headers."""
    root = ElementTree.fromstring(body)
    assert root.tag == "Response"
    sip = root.find("./Dial/Sip")
    assert sip is not None, body
    base, _, headers = sip.text.partition("?")
    assert base in (ROUTE, f"{ROUTE};transport=tls;secure=true")
    names = []
    for item in headers.split("&") if headers else ():
        name, _, raw = item.partition("=")
        assert HVALUE.match(raw), item
        assert not any(c in unquote(raw) for c in "\r\n\x00"), item
        names.append(name)
    assert set(names) <= ALLOWED_NAMES
    assert len(names) == len(set(names))
    action = parse_qs(urlparse(root.find("./Dial").get("action")).query)
    assert set(action) <= {"handoff", "env", "destination"}


@FUZZ
@given(speech=value, digits=value, name=value, caller=value, customer=value)
def test_fuzzed_gather_always_dials_without_injection(
    desk, twilio, speech, digits, name, caller, customer
):
    params = caller_params(speech, digits, name, caller, customer)
    # The last attempt: a match hands off to Desk, no match to the default (Desk as well).
    response = twilio.post("/voice/gather", params, query={"attempt": "2"})
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert_safe_dial(response.data)


@FUZZ
@given(name=value, caller=value, customer=value)
def test_fuzzed_new_call_always_gets_valid_twiml(desk, twilio, name, caller, customer):
    params = caller_params("", "", name, caller, customer)
    response = twilio.post("/voice/call", params)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == "Response"
    assert root.find("./Gather") is not None or root.find("./Dial") is not None
