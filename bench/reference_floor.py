"""Reference (f): the least any webhook that follows DESIGN §3 must do, and nothing more.

Read Twilio's form, check its signature with the twilio library's RequestValidator (one
HMAC, reading the form as Handoff does), and build the answer with the library's TwiML classes; no
database, no decision, no record. Served by the same gunicorn settings as Handoff:
`gunicorn "bench.reference_floor:create_app()"`.
"""

import os

from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator, compare
from twilio.twiml.voice_response import Dial, VoiceResponse

from handoff.web.twilio_signature import FormValues


def create_app() -> Flask:
    """Create the floor app from TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL."""
    app = Flask(__name__)
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    base_url = os.environ["PUBLIC_BASE_URL"].rstrip("/")

    @app.post("/voice/call")
    @app.post("/voice/gather")
    def webhook():
        url = base_url + request.full_path.rstrip("?")
        signature = validator.compute_signature(url, FormValues(request.form))
        if not compare(signature, request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        return dial("sip:desk@pbx.example.com")

    return app


def dial(route: str) -> Response:
    """Answer `<Dial><Sip>route</Sip></Dial>`, built with the twilio library's TwiML classes."""
    response = VoiceResponse()
    target = Dial()
    target.sip(route)
    response.append(target)
    return Response(str(response), mimetype="text/xml")
