"""JSON answers for /v1 paths and methods no resource serves, and the API's index."""

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from handoff.web.api.errors import error_response
from handoff.web.extensions import csrf

bp = Blueprint("api_fallback", __name__)
csrf.exempt(bp)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@bp.get("/v1")
@bp.get("/v1/")
def index():
    """Point at the OpenAPI document and its browsable page."""
    return jsonify(openapi="/v1/openapi.json", docs="/v1/docs")


@bp.route("/v1/<path:path>", methods=list(METHODS))
def not_served(path: str):
    """Answer 405 when the path exists with other methods, else 404."""
    allowed = [m for m in METHODS if m != request.method and _served(m)]
    if allowed:
        response, status = error_response(
            405, "method_not_allowed", f"/v1/{path} accepts {', '.join(allowed)}."
        )
        response.headers["Allow"] = ", ".join(allowed)
        return response, status
    return error_response(404, "not_found", f"No API resource at /v1/{path}.")


def _served(method: str) -> bool:
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(method=method)
    except HTTPException:
        return False
    return endpoint != "api_fallback.not_served"
