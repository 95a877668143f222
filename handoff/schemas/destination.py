"""Validation of a handoff destination (DESIGN §2), free of Flask and the database."""

from marshmallow import (
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from handoff import sip_uri
from handoff.routes import InvalidRoute, parse_route
from handoff.schemas.common import (
    ENCRYPTIONS,
    METHODS,
    SIP_BYE,
    InputSchema,
    RowId,
    Text,
    UtcDateTime,
    WarningSchema,
    no_control_characters,
)


def _no_control(value: str) -> None:
    if not no_control_characters(value):
        raise ValidationError("Must not contain line breaks or NUL characters.")


class SipHeaderSchema(InputSchema):
    """One custom SIP header; the value may use $variables."""

    name = fields.String(required=True, metadata={"example": "X-Customer-Tier"})
    value = fields.String(
        required=True, validate=validate.Length(max=1024), metadata={"example": "$tier"}
    )

    @validates("name")
    def _check_name(self, value: str, **_kwargs) -> None:
        problem = sip_uri.header_name_error(value)
        if problem:
            raise ValidationError(problem)

    @validates("value")
    def _check_value(self, value: str, **_kwargs) -> None:
        problem = sip_uri.header_value_error(value)
        if problem:
            raise ValidationError(problem)


class DestinationSchema(InputSchema):
    """A handoff destination: where a call goes, how, and with which headers."""

    id = fields.Integer(dump_only=True)
    name = Text(required=True, validate=[validate.Length(1, 80), _no_control])
    description = Text(load_default="", validate=[validate.Length(max=500), _no_control])
    method = fields.String(load_default="sip_refer", validate=validate.OneOf(METHODS))
    route = Text(
        load_default="",
        allow_none=True,
        metadata={"description": "SIP URI, E.164 number, +E.164;ext=204 or an extension"},
    )
    sip_headers = fields.List(fields.Nested(SipHeaderSchema), load_default=list)
    encryption = fields.String(load_default="tls_srtp", validate=validate.OneOf(ENCRYPTIONS))
    is_default = fields.Boolean(dump_only=True)
    fallback_id = RowId(load_default=None, allow_none=True)
    ring_timeout = fields.Integer(load_default=30, validate=validate.Range(5, 600))
    version = fields.Integer(
        metadata={"description": "The version this write is based on (412 when stale)"}
    )
    warnings = fields.List(fields.Nested(WarningSchema), dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)

    @post_load
    def _empty_route(self, data: dict, **_kwargs) -> dict:
        if "route" in data and data["route"] is None:
            data["route"] = ""
        return data

    @validates("sip_headers")
    def _check_unique_headers(self, value: list, **_kwargs) -> None:
        names = [str(h["name"]).lower() for h in value if isinstance(h, dict) and h.get("name")]
        if len(names) != len(set(names)):
            raise ValidationError("Each header name may appear once.")

    @validates_schema(skip_on_field_errors=False)
    def _check_route(self, data: dict, **_kwargs) -> None:
        method, route = data.get("method"), data.get("route") or ""
        if method not in METHODS:
            return
        if method == SIP_BYE:
            if route:
                raise ValidationError("A sip_bye handoff has no route: leave it empty.", "route")
            return
        try:
            parse_route(route)
        except InvalidRoute as exc:
            raise ValidationError(str(exc), "route") from exc


class DestinationListSchema(InputSchema):
    """A page of destinations."""

    items = fields.List(fields.Nested(DestinationSchema))
    next_cursor = fields.String(allow_none=True)
    warnings = fields.List(fields.Nested(WarningSchema))
