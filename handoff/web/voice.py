"""Twilio voice webhooks: /voice/call, /gather, /dial-status, /refer-status, /status, /fallback."""

import os
from functools import partial

from flask import Blueprint, Flask, Response, abort, current_app, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from handoff import voice
from handoff.config_cache import ConfigCache
from handoff.journal import Journal
from handoff.recorder import Recorder
from handoff.web.extensions import csrf
from handoff.web.twilio_signature import signature_valid, validation_disabled
from models import db

bp = Blueprint("voice", __name__, url_prefix="/voice")
csrf.exempt(bp)
TWIML = "text/xml"
CACHE = "handoff_config_cache"
RECORDER = "handoff_recorder"
# What gunicorn.conf.py calls in a new worker before its first request.
WARM_UP = "handoff_warm_up"


def config_cache() -> ConfigCache:
    """Return this app's configuration cache, creating it on first use."""
    cache = current_app.extensions.get(CACHE)
    if cache is None:
        folder = current_app.config.get("LAST_KNOWN_GOOD_DIR") or current_app.instance_path
        max_age = current_app.config.get("CONFIG_MAX_AGE", 0.0)
        cache = current_app.extensions.setdefault(CACHE, ConfigCache(os.fspath(folder), max_age))
    return cache


def recorder() -> Recorder | None:
    """Return this app's write-behind recorder (None when records are written in-request)."""
    if not current_app.config.get("RECORDS_WRITE_BEHIND", False):
        return None
    found = current_app.extensions.get(RECORDER)
    if found is None:
        folder = journal_folder()
        created = new_recorder(folder)
        found = current_app.extensions.setdefault(RECORDER, created)
        if found is created:
            # What stopped or killed processes answered but never recorded is written now.
            voice.adopt_orphans(found, folder, config_cache())
        else:
            created.stop()
    return found


def journal_folder() -> str:
    """Return the folder of this host's write-behind journals."""
    configured = current_app.config.get("RECORDS_JOURNAL_DIR")
    return configured or os.path.join(current_app.instance_path, "records")


def new_recorder(folder: str) -> Recorder:
    """Return a recorder on this app's database, journaling into ``folder``."""
    engine = db.engine
    linger = current_app.config["RECORDS_LINGER"]
    return Recorder(lambda: Session(engine), linger=linger, journal=Journal(folder))


def warm_up(app: Flask) -> None:
    """Start write-behind (taking over orphans) and load the configurations, before any call."""
    with app.app_context():
        recorder()
        try:
            names = voice.warm_up(db.session, config_cache())
            app.logger.info("configurations loaded before the first call: %s", ", ".join(names))
        except Exception:
            # The first call loads them instead, or routes from the last-known-good copy.
            app.logger.exception("could not load the configurations before the first call")
        finally:
            db.session.remove()


@bp.record_once
def offer_warm_up(state) -> None:
    """Let the server warm a new worker up (gunicorn.conf.py's post_worker_init)."""
    state.app.extensions[WARM_UP] = partial(warm_up, state.app)


@bp.before_request
def check_signature():
    """Refuse unsigned or forged requests with 403 and no TwiML."""
    if validation_disabled(current_app):
        return None
    config = current_app.config
    try:
        valid = signature_valid(request, config["TWILIO_AUTH_TOKEN"], config["PUBLIC_BASE_URL"])
    except Exception:
        # An unreadable request cannot be verified: refuse it, never route it.
        current_app.logger.exception("could not check a /voice request's signature")
        valid = False
    if not valid:
        current_app.logger.warning(
            "rejected /voice request with a bad signature (call %s)",
            request.form.get("CallSid") if request.mimetype.endswith("urlencoded") else "?",
        )
        abort(403)
    return None


def webhook() -> voice.Webhook:
    """Return the current request as plain values for the voice services."""
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
    return voice.Webhook(
        params=request.form.to_dict(),
        query=request.args.to_dict(),
        token=request.headers.get("I-Twilio-Idempotency-Token", ""),
        base_url=base,
    )


def twiml_response(body: str) -> Response:
    """Serve TwiML as text/xml."""
    return Response(body, mimetype=TWIML)


def answer(kind: str) -> Response:
    """Answer one webhook kind."""
    return twiml_response(voice.respond(kind, db.session, config_cache(), webhook(), recorder()))


bp.add_url_rule("/call", "call", lambda: answer("call"), methods=["POST"])
bp.add_url_rule("/gather", "gather", lambda: answer("gather"), methods=["POST"])
bp.add_url_rule("/dial-status", "dial_status", lambda: answer("dial-status"), methods=["POST"])
bp.add_url_rule("/refer-status", "refer_status", lambda: answer("refer-status"), methods=["POST"])
bp.add_url_rule("/status", "status", lambda: answer("status"), methods=["POST"])
bp.add_url_rule("/fallback", "fallback", lambda: answer("fallback"), methods=["POST"])


@bp.errorhandler(Exception)
def route_anyway(error):
    """Never answer Twilio with a 500 or HTML: route the caller from the last-known config."""
    if isinstance(error, HTTPException) and error.code == 403:
        return Response("Forbidden", status=403, mimetype="text/plain")
    current_app.logger.exception("voice webhook failed (call %s)", request.form.get("CallSid"))
    kind = (request.endpoint or "voice.fallback").split(".")[-1].replace("_", "-")
    kind = kind if kind in voice.KINDS else "fallback"
    return twiml_response(voice.degraded.answer(kind, config_cache(), webhook()))
