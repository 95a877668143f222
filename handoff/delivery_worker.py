"""Run subscriber deliveries in the background, away from every request path."""

import logging
import threading

from handoff.deliveries import DeliveryPolicy, run_once
from models import db

log = logging.getLogger(__name__)


class DeliveryWorker(threading.Thread):
    """A daemon thread that sends due deliveries every ``poll`` seconds until stopped."""

    def __init__(self, app, poll: float | None = None):
        super().__init__(name="handoff-deliveries", daemon=True)
        self.app = app
        self.poll = float(poll if poll is not None else app.config.get("DELIVERY_POLL", 1.0))
        self.policy = DeliveryPolicy.from_config(app.config)
        self.stopped = threading.Event()

    def run(self) -> None:
        """Deliver, sleep, repeat; an error is logged and never ends the loop."""
        while not self.stopped.is_set():
            self.tick()
            self.stopped.wait(self.poll)

    def tick(self) -> int:
        """Send what is due now in a fresh app context; return how many were tried."""
        with self.app.app_context():
            try:
                return run_once(db.session, self.policy)
            except Exception:
                log.exception("delivery round failed")
                db.session.rollback()
                return 0
            finally:
                db.session.remove()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the loop to end and wait for it."""
        self.stopped.set()
        self.join(timeout)


_lock = threading.Lock()


def start_in_process(app) -> DeliveryWorker | None:
    """Start this process's worker once (web processes call it on their first request)."""
    with _lock:
        if "handoff_delivery_worker" in app.extensions:
            return app.extensions["handoff_delivery_worker"] or None
        worker = None
        if app.config.get("DELIVERY_WORKER", "thread") == "thread":
            worker = DeliveryWorker(app)
            worker.start()
        # False marks "decided": a disabled worker is not reconsidered on every request.
        app.extensions["handoff_delivery_worker"] = worker or False
        return worker
