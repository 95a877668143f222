"""Build › Call handoffs: destination cards, the add/edit modal and the actions menu."""

from flask import flash, redirect, render_template, request, url_for

from handoff import destinations as service
from handoff.config_rows import load_environment_config
from handoff.environments import EDITABLE
from handoff.errors import StaleVersion, ValidationFailed
from handoff.integration import get_integration
from handoff.warnings import environment_warnings
from handoff.web.ui import bp
from handoff.web.ui.context import actor, current_env
from handoff.web.ui.forms import destination_payload, optional_int
from handoff.writes import environment
from models import db

METHOD_LABELS = {"sip_refer": "REFER", "sip_invite": "INVITE", "sip_bye": "BYE"}


def render_handoffs(env: str, *, dialog=None, form=None, errors=None, status=200):
    """Render the cards; ``dialog`` names the modal to reopen with ``form`` and ``errors``."""
    rows = service.with_warnings(db.session, env, service.list_destinations(db.session, env))
    config = load_environment_config(db.session, environment(db.session, env))
    page = render_template(
        "ui/handoffs.html",
        destinations=[(row, service.destination_data(row)) for row in rows],
        integration=get_integration(db.session, env),
        banners=environment_warnings(config),
        methods=METHOD_LABELS,
        dialog=dialog,
        form=form,
        errors=errors or {},
    )
    return page, status


def rejected(exc: ValidationFailed | StaleVersion, dialog: str, form: dict | None = None):
    """Re-render the page with the dialog open, its input kept and the errors beside fields."""
    db.session.rollback()
    return render_handoffs(EDITABLE, dialog=dialog, form=form, errors=exc.errors, status=400)


def required_method() -> str | None:
    """Return the method the sandbox integration locks every handoff to, if any."""
    return get_integration(db.session, EDITABLE).required_method


@bp.get("/handoffs")
def handoffs():
    """Show one card per destination."""
    return render_handoffs(current_env())


@bp.post("/handoffs")
def handoff_create():
    """Add a destination from the modal."""
    payload = destination_payload(request.form, required_method())
    try:
        row = service.create_destination(db.session, EDITABLE, payload, actor=actor())
    except ValidationFailed as exc:
        return rejected(exc, "handoff-new", payload)
    suffix = " It is the default." if row.is_default else ""
    flash(f"Added handoff “{row.name}”.{suffix}")
    return redirect(url_for("ui.handoffs"))


@bp.post("/handoffs/<int:destination_id>")
def handoff_update(destination_id: int):
    """Save the edit modal."""
    payload = destination_payload(request.form, required_method())
    version = optional_int(request.form, "version")
    try:
        row = service.update_destination(
            db.session, EDITABLE, destination_id, payload, actor=actor(), expected_version=version
        )
    except (ValidationFailed, StaleVersion) as exc:
        return rejected(exc, f"handoff-edit-{destination_id}", payload)
    flash(f"Saved handoff “{row.name}”.")
    return redirect(url_for("ui.handoffs"))


@bp.post("/handoffs/<int:destination_id>/duplicate")
def handoff_duplicate(destination_id: int):
    """Copy a destination as “<name> (copy)”."""
    row = service.duplicate_destination(db.session, EDITABLE, destination_id, actor=actor())
    flash(f"Added “{row.name}”.")
    return redirect(url_for("ui.handoffs"))


@bp.post("/handoffs/<int:destination_id>/delete")
def handoff_delete(destination_id: int):
    """Delete a destination once its exact name was typed."""
    confirm = request.form.get("confirm", "")
    try:
        service.delete_destination(
            db.session, EDITABLE, destination_id, confirm=confirm, actor=actor()
        )
    except ValidationFailed as exc:
        return rejected(exc, f"handoff-delete-{destination_id}")
    flash(f"Deleted handoff “{confirm}”.")
    return redirect(url_for("ui.handoffs"))


@bp.post("/handoffs/<int:destination_id>/default")
def handoff_default(destination_id: int):
    """Make a destination the environment's default."""
    row = service.set_default_destination(db.session, EDITABLE, destination_id, actor=actor())
    flash(f"“{row.name}” is now the default handoff.")
    return redirect(url_for("ui.handoffs"))
