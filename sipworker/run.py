"""Start one worker process: a lean app (database only), speech, backend and the SIP loop."""

import logging
import os
from pathlib import Path

from flask import Flask

from handoff import settings as app_settings
from handoff.listeners import register_listeners
from models import db
from sipworker.backend import Backend
from sipworker.settings import WorkerSettings
from sipworker.tts import Speech
from sipworker.worker import Worker

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]


def worker_app() -> Flask:
    """Return an app with the web service's settings and database, without its web layer.

    The worker needs only configuration and records; skipping the blueprints makes a
    worker start in well under a second.
    """
    app = Flask("handoff", instance_path=str(ROOT / "instance"))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(app_settings.load(app.instance_path))
    db.init_app(app)
    # Subscribers, metrics and counters see SIP handoffs exactly like Twilio ones.
    register_listeners()
    return app


def run_worker(settings: WorkerSettings) -> int:
    """Serve SIP calls until SIGTERM; return the exit status."""
    app = worker_app()
    folder = settings.tts_dir
    if not os.path.isabs(folder):
        folder = str(ROOT / folder)
    backend = Backend(app, settings.environment, Speech(folder))
    worker = Worker(settings, backend)
    worker.run()
    log.info("SIP worker on port %s stopped", settings.port)
    return 0
