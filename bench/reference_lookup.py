"""Reference (b): what a user would hand-write without Handoff.

Check Twilio's signature, look up the number's default destination in the same
database with one indexed query, answer `<Dial>`. Served by the same gunicorn
settings as Handoff: `gunicorn "bench.reference_lookup:create_app()"`.
"""

import os

from flask import Flask, abort, request
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from bench.reference_floor import dial
from handoff.settings import database_url

QUERY = text(
    "SELECT d.route FROM phone_numbers p"
    " JOIN destinations d ON d.environment_id = p.environment_id AND d.is_default"
    " WHERE p.number = :called"
)


def create_app() -> Flask:
    """Create the hand-written look-up app from DATABASE_URL, TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL."""
    app = Flask(__name__)
    engine = create_engine(database_url(os.environ["DATABASE_URL"], ""))
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    base_url = os.environ["PUBLIC_BASE_URL"].rstrip("/")

    @app.post("/voice/call")
    @app.post("/voice/gather")
    def webhook():
        url = base_url + request.full_path.rstrip("?")
        if not validator.validate(url, request.form, request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        with engine.connect() as conn:
            route = conn.execute(QUERY, {"called": request.form.get("To", "")}).scalar()
        return dial(route or "sip:desk@pbx.example.com")

    return app
