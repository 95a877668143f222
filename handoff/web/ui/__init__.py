"""The operators' web UI: server-rendered pages built on the same services as the API."""

from flask import Blueprint, Flask

from handoff.sign_in_limits import SignInLimits

bp = Blueprint(
    "ui",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/ui/static",
)


def init_app(app: Flask) -> None:
    """Register the UI pages, the CSRF error page and the limits on failed sign-ins."""
    from flask_wtf.csrf import CSRFError

    from handoff.web.ui import (  # noqa: F401  (modules attach their views to bp)
        auth,
        context,
        conversations,
        environments,
        errors,
        forms,
        handoffs,
        integration_settings,
        pages,
        test_call,
        topics,
    )

    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        field_errors=forms.field_errors,
        list_errors=forms.list_errors,
        methods=handoffs.METHOD_LABELS,
        method_options=list(handoffs.METHOD_LABELS.items()),
    )
    app.jinja_env.filters["pair"] = lambda value: (value, str(value).replace("_", " ").capitalize())
    app.register_error_handler(CSRFError, auth.csrf_failed)
    config = app.config
    app.extensions["handoff_sign_in_limits"] = SignInLimits(
        config["SIGN_IN_LIMIT_STORAGE"], config["SIGN_IN_LIMIT"], config["SIGN_IN_ACCOUNT_LIMIT"]
    )
