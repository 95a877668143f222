"""Time one webhook in-process: µs to answer a request, and to record it behind the answer.

No gunicorn and no wrk: the WSGI app is called directly, one request after another, so the
figures are what Handoff itself costs, comparable with the two reference apps'. They are
wall-clock times: with SQLite all of it is this process's CPU; with PostgreSQL they include
the server's work and the round trips. Run from
the repository root: `make bench-inprocess` or `.venv/bin/python -m bench.inprocess --help`.
"""

import argparse
import importlib
import os
import runpy
import statistics
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder

from bench.options import ENDPOINTS, add_database
from bench.servers import CEILING, FLOOR, LOOKUP, ROOT, STATIC
from bench.signed import AUTH_TOKEN, PUBLIC_BASE_URL
from bench.webhook import database_for, endpoint_requests
from handoff.journal import Journal
from handoff.recorder import Recorder
from models import db

APPS = {
    "handoff": "app:create_app()",
    "static": STATIC.app_spec,
    "floor": FLOOR.app_spec,
    "lookup": LOOKUP.app_spec,
    "ceiling": CEILING.app_spec,
}


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__)
    add_database(p)
    p.add_argument("--app", default="handoff", choices=sorted(APPS))
    p.add_argument("--endpoint", default="call", choices=sorted(ENDPOINTS))
    p.add_argument("--requests", type=int, default=1000, help="per round")
    p.add_argument("--rounds", type=int, default=5, help="the median round is printed")
    p.add_argument("--write-behind", action="store_true", help="RECORDS_WRITE_BEHIND=1")
    return p.parse_args(argv)


def create(app_spec: str):
    """Return the app a gunicorn app spec names, created and warmed up as gunicorn would."""
    module, _, factory = app_spec.partition(":")
    app = getattr(importlib.import_module(module), factory.removesuffix("()"))()
    # gunicorn.conf.py's post_worker_init: configurations loaded, start-up heap frozen.
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    hooks["post_worker_init"](SimpleNamespace(wsgi=app)).join()
    return app


def environs(endpoint: str, size: int, count: int) -> list[dict]:
    """Return ``count`` signed requests to ``endpoint`` as WSGI environments."""
    built = []
    for request in endpoint_requests(endpoint, size, count):
        headers = {
            "X-Twilio-Signature": request["signature"],
            "I-Twilio-Idempotency-Token": request["token"],
        }
        builder = EnvironBuilder(
            path=request["path"],
            method="POST",
            data=request["body"],
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
        built.append(builder.get_environ())
    return built


def held_recorder(app, folder: str) -> threading.Event:
    """Install a recorder that writes nothing until the returned event is set."""
    with app.app_context():
        engine = db.engine
    release = threading.Event()

    def session():
        release.wait()
        return Session(engine)

    app.extensions["handoff_recorder"] = Recorder(session, journal=Journal(folder))
    return release


def answer(app, batch: list[dict]) -> float:
    """Call the app with each environment; return the seconds it took."""

    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise RuntimeError(f"the app answered {status}")

    started = time.perf_counter()
    for environ in batch:
        b"".join(app(environ, start_response))
    return time.perf_counter() - started


def main(argv=None) -> None:
    """Seed, create the app, answer rounds of requests and print the median costs."""
    args = parse_args(argv)
    # The ceiling answers as write-behind does and throws its records away: none to time.
    ceiling = args.app == "ceiling"
    with tempfile.TemporaryDirectory(prefix="handoff-inprocess-") as tmp:
        url = database_for(args.db, args.size, args, Path(tmp))
        os.environ.update(
            DATABASE_URL=url,
            SECRET_KEY="bench-secret",
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            PUBLIC_BASE_URL=PUBLIC_BASE_URL,
            RECORDS_WRITE_BEHIND="1" if args.write_behind or ceiling else "0",
            RECORDS_JOURNAL_DIR=str(Path(tmp) / "records"),
        )
        app = create(APPS[args.app])
        answered, recorded = [], []
        for round_number in range(args.rounds + 1):
            timed = args.write_behind and not ceiling
            release = held_recorder(app, str(Path(tmp) / "records")) if timed else None
            batch = environs(args.endpoint, args.size, args.requests)
            seconds = answer(app, batch)
            if release is not None:
                recorder = app.extensions["handoff_recorder"]
                started = time.perf_counter()
                release.set()
                if not recorder.drain(timeout=600):
                    raise RuntimeError("the recorder did not write the round's records")
                recorded.append((time.perf_counter() - started) / len(batch) * 1e6)
                recorder.stop()
            if round_number:  # the first round warms up
                answered.append(seconds / len(batch) * 1e6)
    label = f"{args.app} {ENDPOINTS[args.endpoint]} on {args.db}"
    line = f"{label}: answer {statistics.median(answered):.0f} µs/request"
    if recorded:
        line += f", record behind {statistics.median(recorded[1:]):.0f} µs/request"
    print(f"{line} (median of {args.rounds} rounds of {args.requests})")


if __name__ == "__main__":
    main()
