"""The web layer: blueprints for voice webhooks, the REST API and the admin UI."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to the app."""
    from handoff.web import background, health, limits, metrics, ui, voice
    from handoff.web.api import init_api

    limits.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(background.bp)
    ui.init_app(app)
    init_api(app)
