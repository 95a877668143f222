"""Schemas of the subscriptions, deliveries and live-call handoff APIs."""

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from handoff import sip_uri
from handoff.deliveries import DELIVERED, FAILED, PENDING
from handoff.environments import ENVIRONMENTS
from handoff.functions.conv import ENCRYPTIONS, METHODS, REASON

Timestamp = fields.String


class SubscriptionSchema(Schema):
    """A webhook subscriber; ``secret`` appears only in the answer to its creation."""

    id = fields.Integer(dump_only=True)
    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=2048),
    )
    environment = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(ENVIRONMENTS),
        metadata={"description": "Only this environment's transitions; null = all"},
    )
    active = fields.Boolean(load_default=True)
    created_at = Timestamp(dump_only=True)
    secret = fields.String(
        dump_only=True, metadata={"description": "HMAC-SHA256 key; shown once, at creation"}
    )


class SubscriptionListSchema(Schema):
    """Every subscription."""

    items = fields.List(fields.Nested(SubscriptionSchema))
    next_cursor = fields.String(allow_none=True)


class DeliveryArgs(Schema):
    """Filter a subscription's deliveries."""

    status = fields.String(validate=validate.OneOf((PENDING, DELIVERED, FAILED)))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class DeliverySchema(Schema):
    """One transition sent (or being retried) to one subscriber."""

    id = fields.Integer()
    handoff_state_id = fields.Integer()
    conversation_id = fields.String()
    status = fields.String(metadata={"example": "pending"})
    attempts = fields.Integer()
    next_attempt_at = Timestamp(allow_none=True)
    last_error = fields.String(metadata={"example": "HTTP 500"})
    delivered_at = Timestamp(allow_none=True)
    created_at = Timestamp()
    payload = fields.Dict()


class DeliveryListSchema(Schema):
    """A subscription's deliveries, newest first."""

    items = fields.List(fields.Nested(DeliverySchema))
    next_cursor = fields.String(allow_none=True)


class RetriedSchema(Schema):
    """How many failed deliveries were queued again."""

    retried = fields.Integer(metadata={"example": 3})


class HeaderSchema(Schema):
    """One SIP header to send with the handoff."""

    name = fields.String(required=True)
    value = fields.String(required=True, validate=validate.Length(max=1024))

    @validates("name")
    def valid_name(self, value, **kwargs):
        """Apply the SIP header-name rules."""
        error = sip_uri.header_name_error(value)
        if error:
            raise ValidationError(error)

    @validates("value")
    def valid_value(self, value, **kwargs):
        """Refuse line breaks and NUL."""
        error = sip_uri.header_value_error(value)
        if error:
            raise ValidationError(error)


class LiveHandoffSchema(Schema):
    """Hand off a live call: a configured destination, or a route and a method."""

    destination = fields.String(validate=validate.Length(1, 80))
    route = fields.String(validate=validate.Length(1, 255))
    method = fields.String(validate=validate.OneOf(METHODS))
    encryption = fields.String(load_default="tls_srtp", validate=validate.OneOf(ENCRYPTIONS))
    reason = fields.String(load_default=None, validate=validate.Regexp(REASON))
    utterance = fields.String(load_default=None, validate=validate.Length(max=500))
    sip_headers = fields.List(fields.Nested(HeaderSchema), load_default=list)
    environment = fields.String(
        load_default="live",
        validate=validate.OneOf(ENVIRONMENTS),
        metadata={"description": "Used only for a call the webhooks never saw"},
    )

    @validates_schema
    def destination_or_route(self, data, **kwargs):
        """Require exactly one of destination and route (with its method)."""
        if data.get("destination") and data.get("route"):
            raise ValidationError("Give destination or route, not both.", "route")
        if not data.get("destination") and not data.get("route"):
            raise ValidationError("Give a destination, or a route and a method.", "destination")
        if data.get("route") and not data.get("method"):
            raise ValidationError("A route needs a method.", "method")


class LiveHandoffResultSchema(Schema):
    """The handoff recorded and the live call redirected."""

    handoff_id = fields.String()
    conversation_id = fields.String()
    call_sid = fields.String()
    call_status = fields.String(metadata={"example": "in-progress"})
    destination = fields.String()
    method = fields.String()
    reason = fields.String()
    twiml = fields.String()
