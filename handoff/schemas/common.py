"""Fields and constants shared by the configuration schemas."""

import re
import unicodedata
from datetime import UTC

from marshmallow import EXCLUDE, Schema, fields, validate

SIP_REFER = "sip_refer"
SIP_INVITE = "sip_invite"
SIP_BYE = "sip_bye"
METHODS = (SIP_REFER, SIP_INVITE, SIP_BYE)
ENCRYPTIONS = ("tls_srtp", "udp_rtp")
REASON_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
FORBIDDEN_CHARACTERS = ("\r", "\n", "\x00")
# Ids are INTEGER columns (32-bit on PostgreSQL): a larger one reaches the database as an
# out-of-range parameter, so every id the API or a URL takes is bounded by this.
MAX_ROW_ID = 2**31 - 1


class Text(fields.String):
    """A string with surrounding whitespace removed on load."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return text.strip()


class RowId(fields.Integer):
    """The id of another row: a whole number within the databases' INTEGER range."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(1, MAX_ROW_ID), **kwargs)


class UtcDateTime(fields.DateTime):
    """A timestamp written in ISO 8601 with its UTC offset (SQLite returns naive UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class InputSchema(Schema):
    """Base of input schemas: ignore read-only fields a client echoes back (GET → PUT)."""

    class Meta:
        unknown = EXCLUDE


class WarningSchema(Schema):
    """A warning about a configuration that will not behave as it reads."""

    code = fields.String(metadata={"example": "method_mismatch"})
    message = fields.String()


def no_control_characters(value: str) -> bool:
    """Return True when ``value`` has no CR, LF or NUL."""
    return not any(ch in value for ch in FORBIDDEN_CHARACTERS)


def slugify_reason(name: str) -> str:
    """Return a reason code (``^[a-z][a-z0-9_]{0,63}$``) made from a destination name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"handoff_{slug}".rstrip("_")
    return slug[:64].rstrip("_")
