"""Environments, promoted versions and phone-number assignments."""

from marshmallow import Schema, ValidationError, fields, validate, validates

from handoff.environments import ENVIRONMENTS
from handoff.schemas.common import InputSchema, Text, UtcDateTime


class EnvironmentSchema(Schema):
    """An environment and where its configuration stands."""

    name = fields.String()
    config_version = fields.Integer(metadata={"description": "Bumped on every change"})
    live_version = fields.Integer(
        allow_none=True, metadata={"description": "The promoted version in force (live)"}
    )
    editable = fields.Boolean(metadata={"description": "False: changes only by promote"})
    destinations = fields.Integer()
    topics = fields.Integer()


class PromoteSchema(InputSchema):
    """A promotion of sandbox to live."""

    note = Text(load_default="", validate=validate.Length(max=500))


class RollbackSchema(InputSchema):
    """A rollback of live to an earlier promoted version."""

    version = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "The version to restore; default: the one before current"},
    )
    note = Text(load_default="", validate=validate.Length(max=500))


class ConfigVersionSchema(Schema):
    """A numbered snapshot of the live configuration."""

    number = fields.Integer()
    kind = fields.String(metadata={"description": "promote or rollback"})
    restored_from = fields.Integer(allow_none=True)
    actor = fields.String()
    note = fields.String()
    created_at = UtcDateTime()
    current = fields.Boolean(metadata={"description": "True for the version in force"})


class ConfigVersionDetailSchema(ConfigVersionSchema):
    """A version with the configuration it holds."""

    snapshot = fields.Dict(metadata={"description": "The configuration of this version"})


class ConfigVersionListSchema(Schema):
    """A page of versions, newest first."""

    items = fields.List(fields.Nested(ConfigVersionSchema))
    next_cursor = fields.String(allow_none=True)


class PhoneNumberSchema(InputSchema):
    """A Twilio number and the environment its calls use (unknown numbers → live)."""

    number = Text(required=True, metadata={"example": "+14155550100"})
    environment = fields.String(required=True, validate=validate.OneOf(ENVIRONMENTS))
    created_at = UtcDateTime(dump_only=True)

    @validates("number")
    def _check_number(self, value: str, **_kwargs) -> None:
        if not value or len(value) > 32:
            raise ValidationError("Give the number in E.164 form, e.g. +14155550100.")


class PhoneNumberListSchema(Schema):
    """Every assigned number."""

    items = fields.List(fields.Nested(PhoneNumberSchema))
    next_cursor = fields.String(allow_none=True)
