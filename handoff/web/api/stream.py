"""GET /v1/handoff_states/stream: every transition as server-sent events."""

from flask import Response, current_app, request, stream_with_context
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from handoff.environments import ENVIRONMENTS
from handoff.schemas.common import MAX_ROW_ID
from handoff.state_stream import latest_id, stream
from handoff.web.api.common import ApiBlueprint
from models import db

blp = ApiBlueprint(
    "handoff_states",
    __name__,
    url_prefix="/v1/handoff_states",
    description="The live stream of handoff-state transitions (text/event-stream).",
)


class StreamArgs(Schema):
    """Where to start and what to follow."""

    after = fields.Integer(
        # Ids are 32-bit integers: a larger one is a 400, not a database error mid-stream.
        validate=validate.Range(min=0, max=MAX_ROW_ID),
        metadata={"description": "Send transitions after this id (default: only new ones)"},
    )
    environment = fields.String(validate=validate.OneOf(ENVIRONMENTS))
    conversation_id = fields.String(validate=validate.Length(max=40))
    seconds = fields.Float(
        validate=validate.Range(min=0.1, max=3600),
        metadata={"description": "End the stream after this long (capped by SSE_MAX_SECONDS)"},
    )


@blp.route("/stream")
class Stream(MethodView):
    @blp.arguments(StreamArgs, location="query")
    @blp.response(200, content_type="text/event-stream")
    def get(self, args):
        """Stream transitions as `event: handoff_state`; reconnect with Last-Event-ID."""
        config = current_app.config
        after = args.get("after", _last_event_id())
        if after is None:
            after = latest_id(db.session)
        seconds = min(args.get("seconds") or 1e9, float(config.get("SSE_MAX_SECONDS", 8)))
        poll = float(config.get("SSE_POLL", 0.5))
        gap_wait = float(config.get("SSE_GAP_WAIT", 5.0))
        events = stream(db.session, after, args, seconds, poll, gap_wait)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return Response(stream_with_context(events), mimetype="text/event-stream", headers=headers)


def _last_event_id() -> int | None:
    """Return the id a reconnecting EventSource sent, if any."""
    raw = request.headers.get("Last-Event-ID", "")
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ROW_ID else None
