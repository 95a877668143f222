"""Reference (a): the cheapest possible Twilio webhook, a constant TwiML string.

Served by the same gunicorn settings as Handoff, it is the ceiling a Flask webhook
can reach on this machine: `gunicorn "bench.reference_static:create_app()"`.
"""

from flask import Flask, Response

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    "<Response><Dial><Sip>sip:desk@pbx.example.com</Sip></Dial></Response>"
)


def create_app() -> Flask:
    """Create the constant-TwiML app."""
    app = Flask(__name__)

    @app.post("/voice/call")
    @app.post("/voice/gather")
    def webhook():
        return Response(TWIML, mimetype="text/xml")

    return app
