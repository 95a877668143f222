"""Start this process's delivery worker with its first request (web processes only)."""

from flask import Blueprint, current_app

from handoff.delivery_worker import start_in_process

bp = Blueprint("background", __name__)


@bp.before_app_request
def ensure_delivery_worker() -> None:
    """Start the subscriber delivery thread once per process, off every request path."""
    app = current_app._get_current_object()
    if "handoff_delivery_worker" not in app.extensions and not app.testing:
        start_in_process(app)
