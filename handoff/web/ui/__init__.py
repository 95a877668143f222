"""The operators' web UI: server-rendered pages built on the same services as the API."""

from flask import Blueprint, Flask

bp = Blueprint(
    "ui",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/ui/static",
)


def init_app(app: Flask) -> None:
    """Register the UI pages, the session cookie policy and the CSRF error page."""
    from flask_wtf.csrf import CSRFError

    from handoff.web.ui import auth, context, pages  # noqa: F401  (modules attach their views to bp)

    app.register_blueprint(bp)
    app.register_error_handler(CSRFError, auth.csrf_failed)
