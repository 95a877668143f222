"""The home page: the call handoffs."""

from flask import redirect, url_for

from handoff.web.ui import bp


@bp.get("/")
def home():
    """Open the call handoffs page."""
    return redirect(url_for("ui.handoffs"))
