"""Refuse oversized request bodies early, with an answer each kind of client understands."""

from flask import Flask, Response, abort, current_app, jsonify, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import RequestEntityTooLarge


def init_app(app: Flask) -> None:
    """Check Content-Length against MAX_CONTENT_LENGTH before any view reads the body."""
    app.before_request(refuse_oversized_body)
    app.register_error_handler(RequestEntityTooLarge, too_large)


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
