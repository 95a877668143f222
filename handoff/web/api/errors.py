"""The API's one error shape, {code, message, errors}, for domain and HTTP errors."""

from flask import current_app, jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from handoff.errors import (
    Conflict,
    HandoffError,
    NotConfigured,
    NotFound,
    ReadOnly,
    StaleVersion,
    Unavailable,
    ValidationFailed,
)

STATUS = {ValidationFailed: 400, NotFound: 404, Conflict: 409, ReadOnly: 409, StaleVersion: 412}
STATUS.update({Unavailable: 502, NotConfigured: 503})
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "stale_version",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class ErrorSchema(Schema):
    """An error: a machine-readable code, a sentence, and each bad field's messages."""

    code = fields.String(metadata={"example": "validation_failed"})
    message = fields.String()
    errors = fields.Dict(metadata={"example": {"route": ["A route is required."]}})


def error_response(status: int, code: str, message: str, errors: dict | None = None):
    """Return the JSON error response."""
    body = {"code": code, "message": message, "errors": _string_keys(errors or {})}
    return jsonify(body), status


def _string_keys(value):
    # marshmallow keys list items by int; JSON keys are strings (and must sort together).
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


def handle_domain_error(exc: HandoffError):
    """Translate a domain exception to its HTTP status."""
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    return error_response(status, exc.code, exc.message, exc.errors)


def handle_http_error(exc: HTTPException):
    """Translate an HTTP error (auth, routing, request parsing) to the JSON shape."""
    status = exc.code or 500
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if status == 422 or messages:
        # webargs rejected the body or query: a 400 naming each field.
        return error_response(
            400, "validation_failed", "Some fields are invalid.", flatten(messages or {})
        )
    if status >= 500:
        original = getattr(exc, "original_exception", None) or exc
        current_app.logger.error("API error: %s", original, exc_info=original)
        return error_response(status, "internal_error", "Something went wrong on our side.")
    return error_response(status, HTTP_CODES.get(status, exc.name.lower()), exc.description)


def flatten(messages: dict) -> dict:
    """Drop webargs's location level ({"json": {"name": [...]}} → {"name": [...]})."""
    errors: dict = {}
    for location, value in messages.items():
        if isinstance(value, dict):
            errors.update(value)
        else:
            errors["body" if location == "json" else location] = value
    return errors
