"""`flask twilio invoke`: signed Twilio-shaped requests through the app or to a server."""

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server
from xml.etree import ElementTree

from sqlalchemy import select

from models import Conversation, db
from tests.voice_support import add_destination, add_topic, set_integration


def test_invoke_a_path_prints_the_twiml(app, runner):
    with app.app_context():
        add_destination(name="Support", route="sip:support@pbx.example.com")
    result = runner.invoke(args=["twilio", "invoke", "/voice/call", "-d", "From=+14155550123"])
    assert result.exit_code == 0, result.output
    root = ElementTree.fromstring(result.stdout)
    assert root.find("./Gather") is not None
    with app.app_context():
        assert db.session.scalar(select(Conversation.caller)) == "+14155550123"


def test_invoke_sip_with_env_and_headers(app, runner):
    with app.app_context():
        set_integration(env="sandbox", kind="twilio_sip", required_method=None)
        add_destination(
            env="sandbox", method="sip_refer", headers=[("X-Customer", "$sip_X-Customer-Id")]
        )
        add_topic(env="sandbox", phrases=["x"], immediate=True)
    result = runner.invoke(
        args=[
            "twilio",
            "invoke",
            "/voice/call",
            "--sip",
            "--env",
            "sandbox",
            "-d",
            "SipHeader_X-Customer-Id=C-7",
        ]
    )
    assert result.exit_code == 0, result.output
    sip = ElementTree.fromstring(result.stdout).find("./Refer/Sip").text
    assert "X-Customer=C-7&X-Handoff-ID=ho_" in sip
    with app.app_context():
        conversation = db.session.scalar(select(Conversation))
        assert (conversation.environment, conversation.channel) == ("sandbox", "sip")


def test_invoke_a_running_server_signs_against_its_url(app, runner):
    app.config["PUBLIC_BASE_URL"] = ""

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/voice/call"
        ok = runner.invoke(args=["twilio", "invoke", url])
        forged = runner.invoke(args=["twilio", "invoke", url, "--auth-token", "wrong"])
    finally:
        server.shutdown()
    assert ok.exit_code == 0, ok.output
    assert ElementTree.fromstring(ok.stdout).tag == "Response"
    assert forged.exit_code == 1 and "HTTP 403" in forged.output


def test_invoke_rejects_bad_pairs(runner):
    result = runner.invoke(args=["twilio", "invoke", "/voice/call", "-d", "nonsense"])
    assert result.exit_code != 0 and "Key=Value" in result.output
