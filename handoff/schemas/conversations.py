"""Schemas of the Conversations, handoff-states and Handoff (context) APIs."""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from handoff.environments import ENVIRONMENTS
from handoff.state_reports import NOT_REPORTABLE, STATE_NAME

Timestamp = fields.String  # ISO 8601 in UTC, e.g. 2026-11-23T12:00:00Z


class ConversationListArgs(Schema):
    """Filters and paging of GET /v1/conversations."""

    environment = fields.String(validate=validate.OneOf(ENVIRONMENTS))
    started_after = fields.AwareDateTime(
        default_timezone=UTC, metadata={"example": "2026-11-23T00:00:00Z"}
    )
    started_before = fields.AwareDateTime(default_timezone=UTC)
    handoff = fields.Boolean(metadata={"description": "true: only calls handed off; false: none"})
    reason = fields.String(validate=validate.Length(max=64))
    destination = fields.String(validate=validate.Length(max=80))
    state = fields.String(validate=validate.Length(max=64))
    cursor = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class StateSchema(Schema):
    """One transition of a conversation's handoff state."""

    id = fields.Integer()
    state = fields.String(metadata={"example": "handoff_completed"})
    at = Timestamp()
    detail = fields.String()
    sip_code = fields.Integer(allow_none=True)
    source = fields.String(metadata={"example": "twilio"})
    handoff_id = fields.String(allow_none=True)


class StateListSchema(Schema):
    """A conversation's transitions, oldest first."""

    items = fields.List(fields.Nested(StateSchema))


class StateReportSchema(Schema):
    """A later state reported by an external system (builtin or custom)."""

    state = fields.String(
        required=True,
        validate=[
            validate.Regexp(STATE_NAME, error="Use a code like complaint_escalation."),
            validate.NoneOf(sorted(NOT_REPORTABLE), error="Only the service sets this state."),
        ],
    )
    handoff_id = fields.String(load_default=None, validate=validate.Length(max=40))
    detail = fields.String(load_default="", validate=validate.Length(max=1000))
    sip_code = fields.Integer(load_default=None, validate=validate.Range(100, 699))
    source = fields.String(load_default="api", validate=validate.Length(1, 32))


class HandoffSchema(Schema):
    """A handoff: where the call went, how, why, and (for the latest) its states."""

    id = fields.String()
    shared_id = fields.String(allow_none=True)
    destination = fields.String()
    reason = fields.String()
    utterance = fields.String()
    method = fields.String()
    requested_method = fields.String()
    route = fields.String()
    sip_headers = fields.List(fields.Dict())
    warnings = fields.List(fields.Dict())
    state = fields.String()
    created_at = Timestamp()
    states = fields.List(fields.Nested(StateSchema))


class ConversationSummarySchema(Schema):
    """A conversation in a listing."""

    id = fields.String()
    environment = fields.String()
    call_sid = fields.String(allow_none=True)
    channel = fields.String()
    caller = fields.String()
    caller_name = fields.String()
    called = fields.String()
    state = fields.String()
    started_at = Timestamp()
    ended_at = Timestamp(allow_none=True)
    handoff = fields.Nested(HandoffSchema, allow_none=True)


class ConversationListSchema(Schema):
    """A page of conversations, newest first."""

    items = fields.List(fields.Nested(ConversationSummarySchema))
    next_cursor = fields.String(allow_none=True)


class ConversationSchema(ConversationSummarySchema):
    """One conversation with transcript, metrics, states and handoffs."""

    account_sid = fields.String(allow_none=True)
    sip_headers = fields.Dict()
    variables = fields.Dict()
    transcript = fields.List(fields.Dict())
    metrics = fields.List(fields.Dict())
    states = fields.List(fields.Nested(StateSchema))
    handoffs = fields.List(fields.Nested(HandoffSchema))


class HandoffStateArgs(Schema):
    """Which handoff to look up: the X-Handoff-ID value and/or the shared id."""

    id = fields.String(validate=validate.Length(1, 40))
    shared_id = fields.String(validate=validate.Length(1, 255))

    @validates_schema
    def needs_one(self, data, **kwargs):
        """Require at least one of id and shared_id."""
        if not data.get("id") and not data.get("shared_id"):
            raise ValidationError("Give id (the X-Handoff-ID value) or shared_id.", "id")


class HandoffContextSchema(Schema):
    """The context stored at the moment of handoff."""

    id = fields.String()
    shared_id = fields.String(allow_none=True)
    data = fields.Dict()
