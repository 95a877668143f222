"""The web layer: blueprints for voice webhooks, the REST API and the admin UI."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to the app."""
    from handoff.web import health
    from handoff.web.api import init_api

    app.register_blueprint(health.bp)
    init_api(app)
