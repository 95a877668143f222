"""Validation of the integration settings and of the entry flow."""

from marshmallow import ValidationError, fields, validate, validates

from handoff.routes import InvalidRoute, parse_route
from handoff.schemas.common import METHODS, InputSchema, Text, UtcDateTime

TWILIO_PSTN = "twilio_pstn"
TWILIO_SIP = "twilio_sip"
SIP_TRUNK = "sip_trunk"
KINDS = (TWILIO_PSTN, TWILIO_SIP, SIP_TRUNK)
# DESIGN §2: what each kind imposes unless the user says otherwise.
KIND_DEFAULTS = {
    TWILIO_PSTN: {"required_method": "sip_invite", "route_hidden": False, "headers_hidden": False},
    TWILIO_SIP: {"required_method": None, "route_hidden": False, "headers_hidden": False},
    SIP_TRUNK: {"required_method": None, "route_hidden": False, "headers_hidden": False},
}


class IntegrationSchema(InputSchema):
    """The environment's telephony integration and its constraints."""

    kind = fields.String(validate=validate.OneOf(KINDS))
    required_method = fields.String(allow_none=True, validate=validate.OneOf(METHODS))
    route_hidden = fields.Boolean()
    headers_hidden = fields.Boolean()
    sip_host = Text(
        allow_none=True,
        metadata={"description": "host[:port] that bare extensions resolve against"},
    )
    add_handoff_id_header = fields.Boolean()
    version = fields.Integer()
    updated_at = UtcDateTime(dump_only=True)

    @validates("sip_host")
    def _check_sip_host(self, value: str | None, **_kwargs) -> None:
        if not value:
            return
        try:
            parse_route(f"sip:host-check@{value}")
        except InvalidRoute as exc:
            raise ValidationError("Use a host name or IP address, optionally :port.") from exc


class FlowSchema(InputSchema):
    """The entry flow: greeting, gather and apology."""

    greeting = Text(validate=validate.Length(1, 1000))
    reprompt = Text(validate=validate.Length(max=1000))
    apology = Text(validate=validate.Length(1, 1000))
    language = Text(validate=validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"))
    voice = Text(allow_none=True, validate=validate.Length(max=64))
    gather_timeout = fields.Integer(validate=validate.Range(1, 60))
    max_attempts = fields.Integer(validate=validate.Range(1, 10))
    version = fields.Integer()
    updated_at = UtcDateTime(dump_only=True)
