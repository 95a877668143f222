"""SIP header rules and carrying headers safely inside a SIP URI (RFC 3261 §19.1.1).

Header values are percent-encoded so that no caller-supplied text can add a header,
a URI parameter, or break the XML the URI travels in.
"""

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote, unquote

# Twilio's limits for <Sip> and <Refer><Sip>: the URI itself and the headers part.
MAX_URI_LENGTH = 255
MAX_HEADERS_LENGTH = 1024

# Headers allowed without the X- prefix (DESIGN §2).
STANDARD_HEADERS = ("User-to-User", "Remote-Party-ID", "P-Preferred-Identity", "P-Called-Party-ID")
_TOKEN = re.compile(r"^[A-Za-z0-9\-.!%*_+`'~]+$")
_FORBIDDEN = ("\r", "\n", "\x00")
# RFC 3261 unreserved plus the hnv-unreserved characters that no SIP parser treats as
# delimiters. Everything else, including & = ; ? % and every non-ASCII byte, is escaped.
_SAFE_IN_HVALUE = "-_.!~*'()[]/:+"
_SAFE_IN_HNAME = "-_.!~*'+"


def header_name_error(name: str) -> str | None:
    """Return why ``name`` cannot be a custom SIP header, or None when it can."""
    if not name:
        return "A header name is required."
    if any(ch in name for ch in _FORBIDDEN):
        return "A header name must not contain line breaks or NUL characters."
    if not _TOKEN.match(name):
        return "A header name must be an RFC 3261 token (letters, digits and -.!%*_+`'~)."
    if name.lower().startswith("x-twilio"):
        return "Names starting with X-Twilio are reserved by Twilio."
    allowed = {h.lower() for h in STANDARD_HEADERS}
    if not name.lower().startswith("x-") and name.lower() not in allowed:
        return "Custom header names must start with X- (or be one of: " + (
            ", ".join(STANDARD_HEADERS) + ")."
        )
    return None


def header_value_error(value: str) -> str | None:
    """Return why ``value`` cannot be a header value, or None when it can."""
    if any(ch in value for ch in _FORBIDDEN):
        return "A header value must not contain line breaks or NUL characters."
    return None


def encode_header(name: str, value: str) -> str:
    """Return ``name=value`` escaped for the headers part of a SIP URI."""
    return f"{quote(name, safe=_SAFE_IN_HNAME)}={quote(value, safe=_SAFE_IN_HVALUE)}"


def headers_part(headers: Iterable[tuple[str, str]]) -> str:
    """Return the escaped ``a=1&b=2`` headers part, without the leading ``?``."""
    return "&".join(encode_header(name, value) for name, value in headers)


def build_sip_uri(
    base: str, headers: Sequence[tuple[str, str]] = (), params: Sequence[str] = ()
) -> str:
    """Return ``base`` with extra ``;params`` and the encoded ``?headers`` appended."""
    uri = base + "".join(f";{p}" for p in params if f";{p}" not in base)
    part = headers_part(headers)
    return f"{uri}?{part}" if part else uri


def split_sip_uri(uri: str) -> tuple[str, list[tuple[str, str]]]:
    """Split a URI built by :func:`build_sip_uri` into its base and decoded headers."""
    base, _, part = uri.partition("?")
    headers = []
    for item in part.split("&") if part else ():
        name, _, value = item.partition("=")
        headers.append((unquote(name), unquote(value)))
    return base, headers


def limit_errors(base: str, headers: Sequence[tuple[str, str]]) -> list[str]:
    """Return the Twilio length limits that ``base`` and ``headers`` exceed."""
    errors = []
    if len(base) > MAX_URI_LENGTH:
        errors.append(f"The SIP URI is {len(base)} characters; Twilio allows {MAX_URI_LENGTH}.")
    length = len(headers_part(headers))
    if length > MAX_HEADERS_LENGTH:
        errors.append(
            f"The SIP headers take {length} characters in the URI; "
            f"Twilio allows {MAX_HEADERS_LENGTH}."
        )
    return errors


def fit_headers(
    base: str, headers: Sequence[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return the leading headers that fit Twilio's limit, and the ones dropped."""
    kept: list[tuple[str, str]] = []
    # The length of headers_part(kept + [header]), each header encoded once: "&" between them.
    length = -1
    for index, header in enumerate(headers):
        length += len(encode_header(*header)) + 1
        if length > MAX_HEADERS_LENGTH:
            return kept, list(headers[index:])
        kept.append(header)
    return kept, []
