"""gunicorn settings: `gunicorn -c gunicorn.conf.py "app:create_app()"`."""

import gc
import multiprocessing
import os
import threading

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
# Sync workers: a webhook is a few milliseconds of CPU and one short database transaction.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Twilio abandons a webhook after 15 s; a stuck worker is recycled well before that.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "10"))
graceful_timeout = 10
keepalive = 5
# Bound the queue of waiting connections: past it, new ones are refused at once and Twilio
# tries the number's fallback URL instead of waiting out its 15 s.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))
# Recycle workers now and then (staggered) so a slow leak never grows unbounded; each new
# worker reloads the configuration once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The heartbeat file on tmpfs: a slow disk must not make the arbiter kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"


def on_starting(server):
    """Start Prometheus multiprocess mode with an empty directory (stale files skew counts)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """Forget a dead worker's live gauges in Prometheus multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def worker_exit(server, worker):
    """Write the call records a worker still holds before it goes (RECORDS_WRITE_BEHIND=1)."""
    app = getattr(worker, "wsgi", None)
    recorder = getattr(app, "extensions", {}).get("handoff_recorder")
    if recorder:
        recorder.stop(timeout=graceful_timeout - 1)


def post_worker_init(worker) -> threading.Thread:
    """Warm the app up beside the worker's first requests; return the thread doing it."""
    app = getattr(worker, "wsgi", None)
    warm_up = getattr(app, "extensions", {}).get("handoff_warm_up")
    # Not in the way of booting: a database that does not answer must not hold the worker
    # past `timeout` (the arbiter would kill it), and calls route without it meanwhile.
    thread = threading.Thread(target=warmed, args=(warm_up,), name="handoff-warm-up", daemon=True)
    thread.start()
    return thread


def warmed(warm_up) -> None:
    """Run ``warm_up`` (if any), then exempt everything loaded from full collections."""
    if warm_up is not None:
        warm_up()
    # A full collection walks every tracked object: with the app, SQLAlchemy, twilio and the
    # configurations loaded that is tens of milliseconds, a stall for every queued request.
    gc.collect()
    gc.freeze()
