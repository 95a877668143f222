"""Property: no caller-supplied text can add a header, a URI parameter, or break the TwiML."""

from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

import twiml
from handoff import sip_uri
from handoff.config import DestinationConfig, EnvironmentConfig, HeaderConfig, IntegrationConfig
from handoff.decision import CallFacts, plan_handoff
from handoff.variables import resolve

TEMPLATES = (
    ("X-Speech", "said: $speech"),
    ("X-Inbound", "${sip_X-In}"),
    ("X-State", "$note/$$"),
    ("X-Caller", "$caller_id"),
    ("X-Name", "${caller_name}"),
)
DESTINATION = DestinationConfig(
    id=1,
    name="Desk",
    method="sip_refer",
    route="sip:desk@pbx.example.com;user=phone",
    sip_headers=tuple(HeaderConfig(n, v) for n, v in TEMPLATES),
)
CONFIG = EnvironmentConfig(
    environment="live",
    version=1,
    integration=IntegrationConfig(kind="twilio_sip"),
    destinations=(DESTINATION,),
)
values = st.text(max_size=300)


@settings(max_examples=300, deadline=None)
@given(speech=values, inbound=values, note=values, caller=values, name=values, utterance=values)
def test_uri_parses_back_to_exactly_the_intended_headers(
    speech, inbound, note, caller, name, utterance
):
    facts = CallFacts(
        call_sid="CA1",
        channel="sip",
        caller=caller,
        caller_name=name,
        speech=speech,
        sip_headers={"X-In": inbound},
        state={"note": note},
        handoff_id="ho_1",
    )
    plan = plan_handoff(CONFIG, facts, DESTINATION, reason="r", utterance=utterance)
    variables = facts.variables("live", "r", "Desk")
    intended = [
        (name, resolve(template, variables, facts.sip_headers).text) for name, template in TEMPLATES
    ]
    intended = [(n, v) for n, v in intended if v] + [("X-Handoff-ID", "ho_1")]
    kept = list(plan.sip_headers)
    # Over-long values may drop trailing headers (with a warning), never alter or add any.
    assert kept == [h for h in intended if h in kept]
    assert ("X-Handoff-ID", "ho_1") in kept
    if kept != intended:
        assert "truncated" in plan.warning_codes
    base, parsed = sip_uri.split_sip_uri(plan.sip_uri)
    assert base == "sip:desk@pbx.example.com;user=phone"
    assert parsed == kept
    assert len(sip_uri.headers_part(kept)) <= sip_uri.MAX_HEADERS_LENGTH
    for _, value in kept:
        assert not any(ch in value for ch in "\r\n\x00")

    root = ElementTree.fromstring(twiml.handoff(plan, "https://h.example", env="live").to_xml())
    assert root.find("./Refer/Sip").text == plan.sip_uri


plain = st.text(alphabet=st.characters(exclude_characters="$", exclude_categories=("Cc", "Cs")))


@settings(max_examples=200, deadline=None)
@given(prefix=plain, value=values)
def test_values_lose_control_characters_but_nothing_else(prefix, value):
    resolved = resolve(prefix + "${v}", {"v": value})
    assert resolved.text.startswith(prefix) and resolved.missing == ()
    tail = resolved.text[len(prefix) :]
    assert len(tail) == len(value)
    assert not any(ch in tail for ch in "\r\n\x00")
