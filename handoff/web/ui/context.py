"""What every UI page knows: the environment shown, whether it is editable, the actor."""

from flask import g, request

from handoff.environments import EDITABLE, ENVIRONMENTS
from handoff.web.ui import bp


def current_env() -> str:
    """Return the environment this page shows (``?env=``; sandbox unless told otherwise)."""
    name = request.values.get("env", EDITABLE)
    return name if name in ENVIRONMENTS else EDITABLE


def actor() -> str:
    """Return who is making a change, for the audit log."""
    return f"ui:{g.user.email}"


@bp.context_processor
def page_context() -> dict:
    """Give every template the environment shown and whether it may be edited."""
    env = current_env()
    return {"env": env, "editable": env == EDITABLE, "environments": ENVIRONMENTS}
