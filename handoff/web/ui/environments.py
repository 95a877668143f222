"""Environments: promote sandbox to live with a diff of what changes, versions, rollback."""

from flask import flash, redirect, render_template, request, url_for

from handoff.config_diff import diff_configs
from handoff.config_rows import load_environment_config
from handoff.environments import LIVE, SANDBOX, get_environment
from handoff.errors import NotFound, ValidationFailed
from handoff.promotion import list_versions, promote, rollback
from handoff.web.ui import bp
from handoff.web.ui.context import actor
from handoff.web.ui.forms import optional_int
from models import db


def render_environments(*, errors=None, status=200):
    """Render both environments, the pending changes and live's versions."""
    sandbox, live = get_environment(db.session, SANDBOX), get_environment(db.session, LIVE)
    changes = diff_configs(
        load_environment_config(db.session, live), load_environment_config(db.session, sandbox)
    )
    page = render_template(
        "ui/environments.html",
        sandbox=sandbox,
        live=live,
        changes=changes,
        versions=list_versions(db.session, LIVE),
        errors=errors or {},
    )
    return page, status


@bp.get("/environments")
def environments():
    """Show sandbox and live, what a promote would change, and the versions."""
    return render_environments()


@bp.post("/environments/promote")
def environments_promote():
    """Copy sandbox to live as a new version."""
    note = request.form.get("note", "").strip()
    if len(note) > 500:
        return render_environments(
            errors={"note": ["Keep the note under 500 characters."]}, status=400
        )
    version = promote(db.session, actor=actor(), note=note)
    flash(f"Promoted sandbox to live as version {version.number}.")
    return redirect(url_for("ui.environments"))


@bp.post("/environments/rollback")
def environments_rollback():
    """Restore an earlier live version, recorded as a new version."""
    number = optional_int(request.form, "version")
    if not isinstance(number, int):
        return render_environments(errors={"version": ["Pick a version to restore."]}, status=400)
    try:
        version = rollback(db.session, actor=actor(), version=number)
    except (ValidationFailed, NotFound) as exc:
        db.session.rollback()
        errors = getattr(exc, "errors", None) or {"version": [exc.message]}
        return render_environments(errors=errors, status=400)
    flash(f"Rolled live back to version {number} (now version {version.number}).")
    return redirect(url_for("ui.environments"))
