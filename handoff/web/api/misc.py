"""JSON answers for /v1 paths no resource serves."""

from flask import Blueprint

from handoff.web.api.errors import error_response

bp = Blueprint("api_fallback", __name__)


@bp.route("/v1/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(path: str):
    """Answer an unknown API path with the JSON 404."""
    return error_response(404, "not_found", f"No API resource at /v1/{path}.")
