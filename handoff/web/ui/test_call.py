"""Test call: simulate a call with the webhooks' own decision and TwiML code."""

from flask import current_app, render_template, request

from handoff.config_rows import load_environment_config
from handoff.environments import get_environment
from handoff.errors import ValidationFailed
from handoff.integration import get_integration
from handoff.simulator import CHANNEL_OF_KIND, load_test_call, simulate
from handoff.web.ui import bp
from handoff.web.ui.context import current_env
from models import db

FIELDS = ("environment", "channel", "caller", "called", "sip_headers", "speech", "digits")


@bp.get("/test-call")
def test_call():
    """Show the test-call form."""
    env = current_env()
    channel = CHANNEL_OF_KIND.get(get_integration(db.session, env).kind, "pstn")
    form = {"environment": env, "channel": channel, "caller": "+14155550123"}
    return render_template("ui/test_call.html", form=form, errors={}, result=None)


@bp.post("/test-call")
def test_call_run():
    """Decide the described call and show the decision and its TwiML."""
    form = {name: request.form.get(name, "") for name in FIELDS}
    try:
        data = load_test_call(form)
    except ValidationFailed as exc:
        return render_template("ui/test_call.html", form=form, errors=exc.errors, result=None), 400
    config = load_environment_config(db.session, get_environment(db.session, data["environment"]))
    base_url = current_app.config.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")
    result = simulate(config, data, base_url)
    return render_template("ui/test_call.html", form=form, errors={}, result=result)
