"""/v1/handoffs: handoff destinations (DESIGN §4)."""

from flask import request
from flask.views import MethodView
from marshmallow import fields

from handoff import destinations as service
from handoff.config_rows import load_environment_config
from handoff.schemas import DestinationListSchema, DestinationSchema
from handoff.warnings import environment_warnings
from handoff.web.api.common import (
    ETAG,
    IF_MATCH,
    ApiBlueprint,
    EnvironmentArgs,
    PageArgs,
    actor,
    decode_cursor,
    if_match,
    page,
    with_etag,
)
from handoff.writes import environment
from models import db

blp = ApiBlueprint(
    "handoffs",
    __name__,
    url_prefix="/v1/handoffs",
    description="Handoff destinations: where a call goes, with which SIP method and headers.",
)


class DeleteArgs(EnvironmentArgs):
    """Deleting needs the destination's exact name."""

    confirm = fields.String(required=True, metadata={"description": "The exact name"})


def _one(row):
    """Return the row with its warnings, and its version as ETag."""
    service.with_warnings(db.session, request.args.get("environment"), [row])
    return with_etag(row)


@blp.route("")
class Destinations(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, DestinationListSchema)
    def get(self, args):
        """List destinations; `warnings` holds environment-wide warnings such as no_default."""
        env = args["environment"]
        rows = service.list_destinations(
            db.session, env, after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1
        )
        config = load_environment_config(db.session, environment(db.session, env))
        listing = page(rows, args["limit"], warnings=environment_warnings(config))
        service.with_warnings(db.session, env, listing["items"])
        return listing

    @blp.arguments(EnvironmentArgs, location="query")
    @blp.arguments(DestinationSchema)
    @blp.response(201, DestinationSchema, headers=ETAG)
    def post(self, args, data):
        """Create a destination; the first in an environment becomes the default."""
        row = service.create_destination(db.session, args["environment"], data, actor=actor())
        return _one(row)


@blp.route("/<int:destination_id>")
class DestinationById(MethodView):
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.response(200, DestinationSchema, headers=ETAG)
    def get(self, args, destination_id):
        """Return one destination with its warnings."""
        return _one(service.get_destination(db.session, args["environment"], destination_id))

    @blp.doc(**IF_MATCH)
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.arguments(DestinationSchema)
    @blp.response(200, DestinationSchema, headers=ETAG)
    def put(self, args, data, destination_id):
        """Replace a destination; send `If-Match: <version>` or `version` (412 when stale)."""
        return _one(self._update(args, data, destination_id, partial=False))

    @blp.doc(**IF_MATCH)
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.arguments(DestinationSchema(partial=True))
    @blp.response(200, DestinationSchema, headers=ETAG)
    def patch(self, args, data, destination_id):
        """Change some fields of a destination (412 when `If-Match`/`version` is stale)."""
        return _one(self._update(args, data, destination_id, partial=True))

    @blp.arguments(DeleteArgs, location="query")
    @blp.response(204)
    def delete(self, args, destination_id):
        """Delete a destination; `?confirm=` must be its exact name."""
        service.delete_destination(
            db.session, args["environment"], destination_id, confirm=args["confirm"], actor=actor()
        )

    @staticmethod
    def _update(args, data, destination_id, partial):
        return service.update_destination(
            db.session,
            args["environment"],
            destination_id,
            data,
            actor=actor(),
            expected_version=if_match(),
            partial=partial,
        )


@blp.route("/<int:destination_id>/duplicate", methods=["POST"])
@blp.arguments(EnvironmentArgs, location="query")
@blp.response(201, DestinationSchema, headers=ETAG)
def duplicate(args, destination_id):
    """Copy a destination as "<name> (copy)"; the copy is never the default."""
    row = service.duplicate_destination(
        db.session, args["environment"], destination_id, actor=actor()
    )
    return _one(row)


@blp.route("/<int:destination_id>/default", methods=["POST"])
@blp.arguments(EnvironmentArgs, location="query")
@blp.response(200, DestinationSchema, headers=ETAG)
def set_default(args, destination_id):
    """Make this destination the environment's default (atomically, exactly one)."""
    row = service.set_default_destination(
        db.session, args["environment"], destination_id, actor=actor()
    )
    return _one(row)
