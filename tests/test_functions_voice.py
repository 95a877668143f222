"""A topic with action `function`, driven through the signed voice webhooks."""

from pathlib import Path

from sqlalchemy import select

from models import Handoff, Metric, db
from tests.voice_support import add_destination, add_topic, pstn_call, xml

VIP = """
def route(conv, team):
    conv.state.customer = "C-" + conv.caller_number[-4:]
    conv.write_metric("vip", True)
    return conv.call_handoff(team, reason="vip", sip_headers={"X-Customer-ID": conv.state.customer})
"""


def functions_dir(app) -> Path:
    folder = Path(app.config["FUNCTIONS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_function_routes_the_call(app, twilio):
    (functions_dir(app) / "vip.py").write_text(VIP)
    with app.app_context():
        add_destination(name="Support")
        add_destination(name="VIP desk", route="sip:vip@pbx.example.com")
        add_topic(
            name="VIP",
            action="function",
            function="vip.route",
            params={"team": "VIP desk"},
            immediate=True,
        )
    root = xml(twilio.post("/voice/call", pstn_call(CallSid="CAvip")))
    sip = root.find("./Dial/Sip").text
    assert sip.startswith("sip:vip@pbx.example.com") and "X-Customer-ID=C-0123" in sip
    with app.app_context():
        handoff = db.session.scalar(select(Handoff))
        assert (handoff.destination_name, handoff.reason) == ("VIP desk", "vip")
        metrics = db.session.scalars(
            select(Metric).where(Metric.conversation_id == handoff.conversation_id)
        )
        names = [(m.name, m.value) for m in metrics]
    assert ("vip", True) in names and ("HANDOFF_TO", "VIP desk") in names


def test_failing_function_takes_the_default_with_function_error(app, twilio):
    (functions_dir(app) / "broken.py").write_text("def broken(conv):\n    1 / 0\n")
    with app.app_context():
        add_destination(name="Support")
        add_topic(name="Broken", action="function", function="broken", immediate=True)
    root = xml(twilio.post("/voice/call", pstn_call(CallSid="CAbroken")))
    assert root.find("./Dial/Sip").text.startswith("sip:support@pbx.example.com")
    with app.app_context():
        handoff = db.session.scalar(select(Handoff))
        assert (handoff.destination_name, handoff.reason) == ("Support", "function_error")
