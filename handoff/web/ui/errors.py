"""Domain errors that reach a UI view: one page, with the status the API would give."""

from flask import render_template

from handoff.errors import (
    Conflict,
    HandoffError,
    NotFound,
    ReadOnly,
    StaleVersion,
    ValidationFailed,
)
from handoff.web.ui import bp
from models import db

STATUS = {NotFound: 404, ReadOnly: 403, Conflict: 409, StaleVersion: 409, ValidationFailed: 400}


@bp.errorhandler(HandoffError)
def domain_error(error: HandoffError):
    """Roll back and explain what went wrong."""
    db.session.rollback()
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    return render_template("ui/error.html", title="Not done", message=error.message), status
