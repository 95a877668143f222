"""Sign-in (failures throttled), sign-out, the login gate on every UI page, the CSRF page."""

import math

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from handoff.users import UserInvalid, authenticate, ensure_first_admin
from handoff.web.ui import bp
from models import User, db

PUBLIC_ENDPOINTS = {"ui.login", "ui.static"}


@bp.before_request
def require_login():
    """Load the signed-in user; send anyone else to the sign-in page."""
    user_id = session.get("user_id")
    g.user = db.session.get(User, user_id) if user_id else None
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
    return None


def safe_next(target: str | None) -> str:
    """Return ``target`` when it is a path on this site, else the home page."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("ui.handoffs")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on POST."""
    if request.method == "GET":
        return render_template("ui/login.html", email="", error=None)
    return sign_in(request.form.get("email", ""), request.form.get("password", ""))


def sign_in(email: str, password: str):
    """Sign in and go on, or answer the page again: wrong credentials, or too many of them."""
    limits = current_app.extensions["handoff_sign_in_limits"]
    wait = limits.wait(request.remote_addr, email)
    if wait:
        return too_many_failures(email, wait)
    first_admin()
    user = authenticate(db.session, email, password)
    db.session.commit()
    if user is None:
        limits.failed(request.remote_addr, email)
        error = "Email or password is incorrect."
        return render_template("ui/login.html", email=email, error=error), 401
    limits.succeeded(email)
    # A fresh session on sign-in: nothing set before it (fixation) carries over.
    session.clear()
    session["user_id"] = user.id
    return redirect(safe_next(request.args.get("next")))


def too_many_failures(email: str, wait: int):
    """Answer 429 with the sign-in page saying when to try again (and Retry-After)."""
    error = (
        f"Too many failed sign-ins from here or for this account. Try again in {in_words(wait)}."
    )
    page = render_template("ui/login.html", email=email, error=error)
    return page, 429, {"Retry-After": str(wait)}


def in_words(seconds: int) -> str:
    """Return a wait as people say it: "1 second", "45 seconds", "15 minutes"."""
    if seconds < 90:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def first_admin() -> None:
    """Create the ADMIN_EMAIL user on a deploy without users; a bad setting is logged, not fatal."""
    config = current_app.config
    try:
        ensure_first_admin(db.session, config.get("ADMIN_EMAIL"), config.get("ADMIN_PASSWORD"))
    except UserInvalid as exc:
        db.session.rollback()
        current_app.logger.error("ADMIN_EMAIL/ADMIN_PASSWORD not usable: %s", exc)


@bp.post("/logout")
def logout():
    """Sign out and return to the sign-in page."""
    session.clear()
    return redirect(url_for("ui.login"))


def csrf_failed(error: CSRFError):
    """Answer a request without a valid CSRF token with 403 (JSON for API-style callers)."""
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        body = {"code": "csrf_failed", "message": error.description}
        return body, 403
    return render_template("ui/error.html", title="Forbidden", message=error.description), 403
