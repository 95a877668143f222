"""GET /v1/handoff_states/stream: every transition as server-sent events (and its tokens)."""

from flask import Response, current_app, g, request, stream_with_context
from flask.views import MethodView
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import Unauthorized

from handoff import stream_tokens
from handoff.api_keys import authenticate_hash
from handoff.environments import ENVIRONMENTS
from handoff.schemas.common import MAX_ROW_ID
from handoff.state_stream import latest_id, stream
from handoff.web.api.common import ApiBlueprint, require_api_key
from models import db

STREAM = "handoff_states.Stream"


def api_key_or_stream_token() -> None:
    """Authenticate x-api-key or, on the stream alone, an ``access_token`` a key asked for."""
    token = request.args.get("access_token")
    # A key, when sent, decides alone; a token opens nothing but the stream.
    if token is None or "x-api-key" in request.headers or request.endpoint != STREAM:
        return require_api_key()
    config = current_app.config
    hashed = stream_tokens.key_hash(config["SECRET_KEY"], token, config["SSE_TOKEN_MAX_AGE"])
    caller = hashed and authenticate_hash(db.session, hashed, config["HANDOFF_API_KEY"])
    if not caller or "read" not in caller.scopes:
        raise Unauthorized("This access_token has expired, was altered, or its key was revoked.")
    g.api_caller = caller
    return None


blp = ApiBlueprint(
    "handoff_states",
    __name__,
    url_prefix="/v1/handoff_states",
    description="The live stream of handoff-state transitions (text/event-stream).",
    authenticate=api_key_or_stream_token,
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
    access_token = fields.String(
        metadata={"description": "A token from /stream_token, in place of x-api-key (browsers)"}
    )


class StreamTokenSchema(Schema):
    """A token that opens the stream in place of x-api-key."""

    token = fields.String(metadata={"description": "Send as ?access_token="})
    expires_in = fields.Integer(metadata={"description": "Seconds it stays valid"})


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
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **_cors()}
        return Response(stream_with_context(events), mimetype="text/event-stream", headers=headers)


def _cors() -> dict:
    """Return the CORS headers that let an allowed origin's page read the stream."""
    origin = request.headers.get("Origin", "")
    if origin and origin in current_app.config["SSE_ALLOWED_ORIGINS"]:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def _last_event_id() -> int | None:
    """Return the id a reconnecting EventSource sent, if any."""
    raw = request.headers.get("Last-Event-ID", "")
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ROW_ID else None


@blp.route("/stream_token")
class StreamToken(MethodView):
    @blp.response(200, StreamTokenSchema)
    def get(self):
        """Return a token for `?access_token=`: a browser's EventSource cannot send x-api-key."""
        config = current_app.config
        token = stream_tokens.mint(config["SECRET_KEY"], g.api_caller)
        body = {"token": token, "expires_in": int(config["SSE_TOKEN_MAX_AGE"])}
        return body, {"Cache-Control": "no-store"}
