"""What every API blueprint shares: authentication, scopes, errors, paging, versions."""

import base64
import binascii

from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from webargs import core
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized

from handoff.api_keys import authenticate
from handoff.environments import ENVIRONMENTS
from handoff.errors import HandoffError, ValidationFailed
from handoff.web.api import errors
from handoff.web.extensions import csrf
from models import db

READ_METHODS = ("GET", "HEAD", "OPTIONS")


class Parser(FlaskParser):
    """Request parsing that answers bad input with 400, not webargs's 422."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req):
        # A JSON body sent without its Content-Type (curl -d) is still read as JSON.
        body = req.get_data(cache=True)
        return core.parse_json(body) if body.strip() else core.missing


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint behind x-api-key auth (or ``authenticate``), the API's errors."""

    ARGUMENTS_PARSER = Parser()

    def __init__(self, name: str, import_name: str, authenticate=None, **kwargs):
        super().__init__(name, import_name, **kwargs)
        self.before_request(authenticate or require_api_key)
        self.before_request(refuse_nul_characters)
        self.register_error_handler(HandoffError, errors.handle_domain_error)
        self.register_error_handler(HTTPException, errors.handle_http_error)
        csrf.exempt(self)


def require_api_key() -> None:
    """Authenticate the x-api-key header; GET needs `read`, everything else `write`."""
    caller = authenticate(
        db.session, request.headers.get("x-api-key"), current_app.config["HANDOFF_API_KEY"]
    )
    if caller is None:
        raise Unauthorized("A valid x-api-key header is required.")
    needed = "read" if request.method in READ_METHODS else "write"
    if needed not in caller.scopes:
        raise Forbidden(f"This API key lacks the {needed!r} scope.")
    g.api_caller = caller


def refuse_nul_characters() -> None:
    """Refuse a NUL in the query, path or JSON body with 400: PostgreSQL cannot store one."""
    given = [*request.args.items(multi=True), *(request.view_args or {}).items()]
    bad = {(name,) for name, value in given if isinstance(value, str) and "\x00" in value}
    if request.method not in READ_METHODS:
        # JSON's "\u0000" is a NUL too; a body that is not JSON is the schema's to refuse.
        bad.update(nul_paths(request.get_json(silent=True, force=True)))
    if bad:
        raise ValidationFailed(nested_errors(bad, "Must not contain NUL characters."))


def nul_paths(body) -> set[tuple]:
    """Return the paths (keys and list indexes) of the strings in ``body`` holding a NUL."""
    found = set()
    # Walked with a list, not recursion: a deeply nested body must not exhaust the stack.
    waiting = [((), body)]
    while waiting:
        path, value = waiting.pop()
        if isinstance(value, str):
            if "\x00" in value:
                found.add(path)
            continue
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        for key, item in items:
            if isinstance(key, str) and "\x00" in key:
                found.add((*path, key))
            waiting.append(((*path, key), item))
    return found


def nested_errors(paths: set[tuple], message: str) -> dict:
    """Return ``message`` at each path, nested as marshmallow nests its errors."""
    errors: dict = {}
    for path in sorted(paths, key=len):
        node = errors
        for key in path[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                break  # a shorter path already holds the message
        else:
            node.setdefault(path[-1] if path else "_schema", [message])
    return errors


def actor() -> str:
    """Return who is making this request, for the audit log."""
    caller = g.get("api_caller")
    return caller.actor if caller else "unknown"


class EnvironmentArgs(Schema):
    """Which environment's configuration to read or change."""

    environment = fields.String(load_default="sandbox", validate=validate.OneOf(ENVIRONMENTS))


class PageArgs(EnvironmentArgs):
    """Cursor pagination: pass the previous page's ``next_cursor``."""

    cursor = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


def decode_cursor(cursor: str | None) -> int:
    """Return the id a cursor continues after (0 = from the start)."""
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed({"cursor": ["Not a cursor from this API."]}) from exc


def page(rows: list, limit: int, **extra) -> dict:
    """Return ``{items, next_cursor}`` from ``limit + 1`` rows fetched in id order."""
    items = rows[:limit]
    cursor = None
    if len(rows) > limit:
        cursor = base64.urlsafe_b64encode(str(items[-1].id).encode()).decode().rstrip("=")
    return {"items": items, "next_cursor": cursor, **extra}


# OpenAPI description of the optimistic-locking header (views add it with blp.doc).
IF_MATCH = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": False,
            "schema": {"type": "string"},
            "description": 'The version the change is based on ("3", 3 or W/"3"); 412 if stale',
        }
    ]
}


# OpenAPI description of the header a versioned resource answers with (views pass it).
ETAG = {
    "ETag": {
        "description": 'The version, to send back as If-Match ("3")',
        "schema": {"type": "string"},
    }
}


def with_etag(row):
    """Return ``row`` with its version as the ETag header, as a view's answer."""
    return row, {"ETag": f'"{row.version}"'}


def if_match() -> int | None:
    """Return the version in an If-Match header ("3", 3 or W/"3"), if any."""
    raw = request.headers.get("If-Match")
    if not raw or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationFailed(
            {"If-Match": ["Send the version number, e.g. If-Match: 3."]}
        ) from exc
