"""Request limits: body size, integer ids in URLs; answers each kind of client understands."""

from flask import Flask, Response, abort, current_app, jsonify, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from handoff.schemas.common import MAX_ROW_ID


class IdConverter(IntegerConverter):
    """`<int:…>` URL parts that fit the database's integer ids (larger ones are a 404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Bound request bodies (MAX_CONTENT_LENGTH) and the integers routes accept."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_oversized_body)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(NotFound, not_found)


def refuse_oversized_body() -> None:
    """Abort with 413 when the declared body is larger than allowed."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        abort(413)


def too_large(error: RequestEntityTooLarge) -> Response:
    """Answer 413: TwiML for a voice webhook, JSON `{code, message, errors}` elsewhere."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.path.startswith("/voice/"):
        # An unreadable body cannot be verified; send Twilio to the fallback that still routes.
        response = VoiceResponse()
        response.redirect("/voice/fallback", method="POST")
        return Response(str(response), status=413, mimetype="text/xml")
    body = {
        "code": "payload_too_large",
        "message": f"The request body is larger than {limit} bytes.",
        "errors": {},
    }
    return jsonify(body), 413


def not_found(error: NotFound):
    """Answer an API URL that matches no route (e.g. an id too large) in the API's JSON shape."""
    if not request.path.startswith("/v1/"):
        return error
    body = {"code": "not_found", "message": "There is nothing at this URL.", "errors": {}}
    return jsonify(body), 404
