"""SIP header rules and header encoding inside SIP URIs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff import sip_uri


@pytest.mark.parametrize(
    "name", ["X-Customer-ID", "x-a", "User-to-User", "P-Called-Party-ID", "Remote-Party-ID"]
)
def test_allowed_header_names(name):
    assert sip_uri.header_name_error(name) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "required"),
        ("Customer", "X-"),
        ("X-Twilio-Foo", "reserved"),
        ("x-twilio", "reserved"),
        ("X-Bad Name", "token"),
        ("X-A:b", "token"),
        ("X-A\r\nVia", "line breaks"),
    ],
)
def test_rejected_header_names(name, message):
    assert message in sip_uri.header_name_error(name)


def test_header_value_rejects_crlf_and_nul():
    assert sip_uri.header_value_error("ok value") is None
    for bad in ("a\rb", "a\nb", "a\x00b"):
        assert "line breaks" in sip_uri.header_value_error(bad)


def test_build_adds_params_and_escaped_headers():
    uri = sip_uri.build_sip_uri(
        "sip:agent@example.com",
        [("X-Reason", "billing & refunds"), ("X-Handoff-ID", "ho_1")],
        ["transport=tls", "secure=true"],
    )
    assert uri == (
        "sip:agent@example.com;transport=tls;secure=true"
        "?X-Reason=billing%20%26%20refunds&X-Handoff-ID=ho_1"
    )


def test_build_does_not_repeat_params_already_in_base():
    uri = sip_uri.build_sip_uri("sip:a@h;transport=tls", [], ["transport=tls"])
    assert uri == "sip:a@h;transport=tls"


def test_limits_report_both_excesses():
    errors = sip_uri.limit_errors("sip:" + "a" * 260 + "@h", [("X-A", "v" * 1100)])
    assert len(errors) == 2


def test_fit_headers_keeps_leading_headers_only():
    headers = [("X-A", "1"), ("X-B", "v" * 1100), ("X-C", "3")]
    kept, dropped = sip_uri.fit_headers("sip:a@h", headers)
    assert kept == [("X-A", "1")]
    assert dropped == headers[1:]


header_names = st.sampled_from(["X-A", "X-Customer-ID", "User-to-User", "X-Very.Odd_Name+1"])


@pytest.mark.parametrize("extra, kept_both", [(0, True), (1, False)])
def test_fit_headers_counts_the_separator_at_the_limit(extra, kept_both):
    first = ("X-A", "a" * 100)  # "X-A=" + 100 characters
    # 104 + "&" + "X-B=" + 915 is exactly Twilio's limit.
    second = ("X-B", "b" * (sip_uri.MAX_HEADERS_LENGTH - 104 - 1 - 4 + extra))
    kept, _ = sip_uri.fit_headers("sip:a@h", [first, second])
    assert kept == ([first, second] if kept_both else [first])


@given(st.lists(st.tuples(header_names, st.text(max_size=400)), max_size=8))
def test_fit_headers_keeps_the_longest_leading_run_within_the_limit(headers):
    kept, dropped = sip_uri.fit_headers("sip:a@h", headers)
    assert kept + dropped == headers
    assert len(sip_uri.headers_part(kept)) <= sip_uri.MAX_HEADERS_LENGTH
    if dropped:
        one_more = sip_uri.headers_part([*kept, dropped[0]])
        assert len(one_more) > sip_uri.MAX_HEADERS_LENGTH


@given(st.lists(st.tuples(header_names, st.text()), max_size=6))
def test_any_values_parse_back_to_exactly_the_same_headers(headers):
    uri = sip_uri.build_sip_uri("sip:agent@example.com", headers, ["transport=tls"])
    base, parsed = sip_uri.split_sip_uri(uri)
    assert base == "sip:agent@example.com;transport=tls"
    assert parsed == headers
    tail = uri.partition("?")[2]
    # No delimiter from a value survives unescaped: one '=' per header, one '&' between.
    assert tail.count("=") == len(headers)
    assert tail.count("&") == max(len(headers) - 1, 0)
    assert not set(tail) & set(';?<>"\r\n ')
