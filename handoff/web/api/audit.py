"""/v1/audit: who changed the configuration, what, and how it was before and after."""

from marshmallow import Schema, fields, validate

from handoff import audit
from handoff.environments import ENVIRONMENTS
from handoff.schemas.common import MAX_ROW_ID, UtcDateTime
from handoff.web.api.common import ApiBlueprint
from models import db

blp = ApiBlueprint(
    "audit",
    __name__,
    url_prefix="/v1/audit",
    description="The audit log of configuration changes, newest first.",
)


class AuditArgs(Schema):
    """Filter by environment; page with the previous page's ``next_cursor``."""

    environment = fields.String(load_default=None, validate=validate.OneOf(ENVIRONMENTS))
    # Audit ids are 32-bit integers: a larger cursor is a 400, not a database error.
    cursor = fields.Integer(load_default=0, validate=validate.Range(0, MAX_ROW_ID))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class AuditEntrySchema(Schema):
    """One change."""

    id = fields.Integer()
    at = UtcDateTime()
    actor = fields.String(metadata={"example": "api-key:crm"})
    action = fields.String(metadata={"example": "update"})
    entity = fields.String(metadata={"example": "destination"})
    entity_id = fields.String(allow_none=True)
    environment = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditListSchema(Schema):
    """A page of audit entries."""

    items = fields.List(fields.Nested(AuditEntrySchema))
    next_cursor = fields.String(allow_none=True)


@blp.route("", methods=["GET"])
@blp.arguments(AuditArgs, location="query")
@blp.response(200, AuditListSchema)
def list_audit(args):
    """List configuration changes, newest first."""
    rows = audit.list_entries(
        db.session,
        environment=args["environment"],
        before_id=args["cursor"],
        limit=args["limit"] + 1,
    )
    items = rows[: args["limit"]]
    more = len(rows) > args["limit"]
    return {"items": items, "next_cursor": str(items[-1].id) if more else None}
