"""The Handoff application factory: `gunicorn "app:create_app()"`."""

import logging
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from handoff import settings


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Handoff web application."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    if test_config is None:
        app.config.from_mapping(settings.load(app.instance_path))
    else:
        defaults = settings.from_environment({"APP_ENV": "development"}, app.instance_path)
        app.config.from_mapping(defaults)
        app.config.from_mapping(test_config)
    register_logging(app)
    register_proxy(app)
    register_extensions(app)
    register_listeners(app)
    register_blueprints(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    """Log at INFO to stderr so gunicorn and hosts collect it."""
    if not app.debug:
        app.logger.setLevel(logging.INFO)


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* only from the configured number of proxy hops."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def register_extensions(app: Flask) -> None:
    """Initialise sessions, database, migrations and CSRF protection."""
    from handoff.web.extensions import csrf, migrate
    from handoff.web.sessions import UiSessions
    from models import db

    app.session_interface = UiSessions()
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)


def register_listeners(app: Flask) -> None:
    """Hang subscribers, metrics and counters off every handoff-state transition."""
    from handoff.listeners import register_listeners as attach

    attach()


def register_blueprints(app: Flask) -> None:
    """Attach the web layer."""
    from handoff.web import register_blueprints as attach

    attach(app)


def register_commands(app: Flask) -> None:
    """Attach the `flask` CLI commands."""
    from handoff.commands import register_commands as attach

    attach(app)
