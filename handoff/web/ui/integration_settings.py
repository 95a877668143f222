"""Build › Integration: the telephony integration, its constraints and the entry flow."""

from flask import flash, redirect, render_template, request, url_for

from handoff import integration as service
from handoff.environments import EDITABLE
from handoff.errors import StaleVersion, ValidationFailed
from handoff.schemas.integration import KINDS
from handoff.web.ui import bp
from handoff.web.ui.context import actor, current_env
from handoff.web.ui.forms import flow_payload, integration_payload, optional_int
from models import db

KIND_LABELS = {
    "twilio_pstn": "Twilio phone number (PSTN)",
    "twilio_sip": "Twilio SIP Domain",
    "sip_trunk": "SIP trunk (SIP worker)",
}


def render_settings(env: str, *, form_name=None, form=None, errors=None, status=200):
    """Render both forms; the one named ``form_name`` shows ``form`` and its ``errors``."""
    page = render_template(
        "ui/integration.html",
        integration=service.get_integration(db.session, env),
        flow=service.get_flow(db.session, env),
        kinds=[(kind, KIND_LABELS.get(kind, kind)) for kind in KINDS],
        form_name=form_name,
        form=form or {},
        errors=errors or {},
    )
    return page, status


@bp.get("/integration")
def integration():
    """Show the integration and flow settings."""
    return render_settings(current_env())


@bp.post("/integration")
def integration_update():
    """Save the integration; a new kind brings its default constraints."""
    current = service.get_integration(db.session, EDITABLE)
    payload = integration_payload(request.form, current.kind)
    version = optional_int(request.form, "version")
    try:
        service.update_integration(
            db.session, EDITABLE, payload, actor=actor(), expected_version=version
        )
    except (ValidationFailed, StaleVersion) as exc:
        db.session.rollback()
        form = {**payload, **request.form}
        return render_settings(
            EDITABLE, form_name="integration", form=form, errors=exc.errors, status=400
        )
    flash("Saved the integration settings.")
    return redirect(url_for("ui.integration"))


@bp.post("/integration/flow")
def flow_update():
    """Save the entry flow."""
    payload = flow_payload(request.form)
    version = optional_int(request.form, "version")
    try:
        service.update_flow(db.session, EDITABLE, payload, actor=actor(), expected_version=version)
    except (ValidationFailed, StaleVersion) as exc:
        db.session.rollback()
        return render_settings(
            EDITABLE, form_name="flow", form=payload, errors=exc.errors, status=400
        )
    flash("Saved the call flow.")
    return redirect(url_for("ui.integration"))
