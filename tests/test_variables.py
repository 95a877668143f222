"""$variables in header values and utterances."""

import pytest

from handoff.decision import CallFacts
from handoff.variables import names_in, resolve

VARS = {"caller_id": "+1415", "env": "live", "n": 3, "empty": ""}


@pytest.mark.parametrize(
    ("template", "text", "missing"),
    [
        ("$caller_id", "+1415", ()),
        ("${caller_id}-x", "+1415-x", ()),
        ("$caller_id-x", "+1415-x", ()),
        ("cost: $$5", "cost: $5", ()),
        ("$$caller_id", "$caller_id", ()),
        ("$n items", "3 items", ()),
        ("$nope|${also_not}", "|", ("nope", "also_not")),
        ("$sip_X-Customer-Id", "C-1", ()),
        ("${sip_x-customer-id}", "C-1", ()),
        ("$sip_X-Absent", "", ("sip_X-Absent",)),
        ("$empty", "", ()),
        ("plain $ sign", "plain $ sign", ()),
    ],
)
def test_resolve(template, text, missing):
    result = resolve(template, VARS, {"X-Customer-Id": "C-1"})
    assert (result.text, result.missing) == (text, missing)


def test_builtins_win_over_state_and_none_state_is_empty():
    facts = CallFacts(caller="+1", state={"caller_id": "spoofed", "tier": None, "vip": True})
    variables = facts.variables("sandbox", "billing", "Desk")
    assert variables["caller_id"] == "+1" and variables["tier"] == "" and variables["vip"] is True
    assert (variables["env"], variables["handoff_reason"], variables["destination"]) == (
        "sandbox",
        "billing",
        "Desk",
    )


def test_names_in():
    assert names_in("$a ${b} $$c $sip_X-D") == ("a", "b", "sip_X-D")
