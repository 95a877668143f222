"""gunicorn settings: `gunicorn -c gunicorn.conf.py "app:create_app()"`."""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Twilio abandons a webhook after 15 s; a stuck worker is recycled well before that.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "10"))
graceful_timeout = 10
keepalive = 5
accesslog = "-"
errorlog = "-"
