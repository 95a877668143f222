"""Pages not yet built on their services: placeholders that keep the sidebar whole."""

from flask import redirect, render_template, url_for

from handoff.web.ui import bp


@bp.get("/")
def home():
    """Open the call handoffs page."""
    return redirect(url_for("ui.handoffs"))


def _placeholder(title: str):
    return render_template("ui/placeholder.html", title=title)


@bp.get("/handoffs")
def handoffs():
    """List the call handoffs."""
    return _placeholder("Call handoffs")


@bp.get("/topics")
def topics():
    """List the topics."""
    return _placeholder("Topics")


@bp.get("/integration")
def integration():
    """Show the integration settings."""
    return _placeholder("Integration")


@bp.get("/environments")
def environments():
    """Show the environments."""
    return _placeholder("Environments")


@bp.get("/test-call")
def test_call():
    """Simulate a call."""
    return _placeholder("Test call")


@bp.get("/conversations")
def conversations():
    """List conversations."""
    return _placeholder("Conversation review")
