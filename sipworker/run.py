"""Start one worker process: the app (database), speech, backend and the SIP loop."""

import logging
import os

from app import create_app
from sipworker.backend import Backend
from sipworker.settings import WorkerSettings
from sipworker.tts import Speech
from sipworker.worker import Worker

log = logging.getLogger(__name__)


def run_worker(settings: WorkerSettings) -> int:
    """Serve SIP calls until SIGTERM; return the exit status."""
    app = create_app()
    folder = settings.tts_dir
    if not os.path.isabs(folder):
        folder = os.path.join(os.path.dirname(app.instance_path), folder)
    backend = Backend(app, settings.environment, Speech(folder))
    worker = Worker(settings, backend)
    worker.run()
    log.info("SIP worker on port %s stopped", settings.port)
    return 0
