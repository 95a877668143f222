"""Validation of a topic: what the caller asks for and where that leads."""

import re

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from handoff.schemas.common import (
    REASON_PATTERN,
    InputSchema,
    RowId,
    Text,
    UtcDateTime,
    WarningSchema,
)

# Topics are ordered by (position, id); automatic positions stop here too.
MAX_POSITION = 10_000

ACTIONS = ("handoff", "function")
DTMF_KEYS = "0123456789*#"
FUNCTION_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


class TopicSchema(InputSchema):
    """A topic: phrases or a key press leading to a handoff or a function."""

    id = fields.Integer(dump_only=True)
    name = Text(required=True, validate=validate.Length(1, 80))
    phrases = fields.List(
        Text(validate=validate.Length(1, 200)),
        load_default=list,
        validate=validate.Length(max=200),
        metadata={"example": ["billing", "my invoice"]},
    )
    dtmf = Text(
        load_default=None,
        allow_none=True,
        metadata={"description": "One key: 0-9, * or #", "example": "1"},
    )
    action = fields.String(load_default="handoff", validate=validate.OneOf(ACTIONS))
    destination_id = RowId(
        load_default=None, allow_none=True, metadata={"description": "null = the default"}
    )
    function = Text(load_default=None, allow_none=True)
    params = fields.Dict(keys=fields.String(), load_default=dict)
    reason = Text(
        load_default=None,
        allow_none=True,
        metadata={"description": "^[a-z][a-z0-9_]{0,63}$; default: the destination's name"},
    )
    utterance = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))
    immediate = fields.Boolean(load_default=False)
    position = fields.Integer(load_default=0, validate=validate.Range(0, MAX_POSITION))
    version = fields.Integer()
    warnings = fields.List(fields.Nested(WarningSchema), dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)

    @validates("dtmf")
    def _check_dtmf(self, value: str | None, **_kwargs) -> None:
        if value and (len(value) != 1 or value not in DTMF_KEYS):
            raise ValidationError("Use one key: 0-9, * or #.")

    @validates("reason")
    def _check_reason(self, value: str | None, **_kwargs) -> None:
        if value and not REASON_PATTERN.match(value):
            raise ValidationError(
                "Use lower-case letters, digits and _ (starting with a letter, ≤ 64)."
            )

    @validates_schema
    def _check_action(self, data: dict, **_kwargs) -> None:
        if data.get("action") != "function":
            return
        function = data.get("function") or ""
        if not function:
            raise ValidationError("A function topic needs the function's name.", "function")
        if not FUNCTION_PATTERN.match(function):
            raise ValidationError("Use a Python name such as transfer_call.", "function")


class TopicListSchema(InputSchema):
    """A page of topics."""

    items = fields.List(fields.Nested(TopicSchema))
    next_cursor = fields.String(allow_none=True)
