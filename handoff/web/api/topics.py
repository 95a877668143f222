"""/v1/topics: what callers ask for and the handoff or function it leads to."""

from flask import request
from flask.views import MethodView

from handoff import topics as service
from handoff.schemas import TopicListSchema, TopicSchema
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
from models import db

blp = ApiBlueprint(
    "topics",
    __name__,
    url_prefix="/v1/topics",
    description="Topics: phrases or a key that lead to a handoff (or a function).",
)


def _one(row):
    """Return the topic with its warnings, and its version as ETag."""
    service.with_warnings(db.session, request.args.get("environment"), [row])
    return with_etag(row)


@blp.route("")
class Topics(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, TopicListSchema)
    def get(self, args):
        """List topics."""
        rows = service.list_topics(
            db.session,
            args["environment"],
            after_id=decode_cursor(args["cursor"]),
            limit=args["limit"] + 1,
        )
        listing = page(rows, args["limit"])
        service.with_warnings(db.session, args["environment"], listing["items"])
        return listing

    @blp.arguments(EnvironmentArgs, location="query")
    @blp.arguments(TopicSchema)
    @blp.response(201, TopicSchema, headers=ETAG)
    def post(self, args, data):
        """Create a topic; `reason` defaults to its destination's name, slugified."""
        row = service.create_topic(db.session, args["environment"], data, actor=actor())
        return _one(row)


@blp.route("/<int:topic_id>")
class TopicById(MethodView):
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.response(200, TopicSchema, headers=ETAG)
    def get(self, args, topic_id):
        """Return one topic."""
        return _one(service.get_topic(db.session, args["environment"], topic_id))

    @blp.doc(**IF_MATCH)
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.arguments(TopicSchema)
    @blp.response(200, TopicSchema, headers=ETAG)
    def put(self, args, data, topic_id):
        """Replace a topic (412 when `If-Match`/`version` is stale)."""
        return _one(self._update(args, data, topic_id, partial=False))

    @blp.doc(**IF_MATCH)
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.arguments(TopicSchema(partial=True))
    @blp.response(200, TopicSchema, headers=ETAG)
    def patch(self, args, data, topic_id):
        """Change some fields of a topic (412 when `If-Match`/`version` is stale)."""
        return _one(self._update(args, data, topic_id, partial=True))

    @blp.arguments(EnvironmentArgs, location="query")
    @blp.response(204)
    def delete(self, args, topic_id):
        """Delete a topic."""
        service.delete_topic(db.session, args["environment"], topic_id, actor=actor())

    @staticmethod
    def _update(args, data, topic_id, partial):
        return service.update_topic(
            db.session,
            args["environment"],
            topic_id,
            data,
            actor=actor(),
            expected_version=if_match(),
            partial=partial,
        )
