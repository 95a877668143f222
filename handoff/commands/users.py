"""`flask users …`: create web UI users from the command line."""

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from handoff.users import UserInvalid, create_user, find_user, has_users
from models import db

users = AppGroup("users", help="Manage web UI users.")

DEMO_EMAIL = "admin@example.com"


@users.command("create")
@click.argument("email")
@click.password_option(help="The password (prompted for, hidden, when omitted).")
def create(email: str, password: str) -> None:
    """Create a web UI user with a hashed password."""
    try:
        user = create_user(db.session, email, password)
    except UserInvalid as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created user {user.email}")


@users.command("demo")
def demo() -> None:
    """Create a demo admin on an empty users table and print how to sign in."""
    saved = Path(current_app.instance_path) / "demo_admin_password"
    if find_user(db.session, DEMO_EMAIL) is not None and saved.exists():
        password = saved.read_text().strip()
    elif has_users(db.session):
        click.echo("users exist already: sign in with yours (flask users create EMAIL adds one)")
        return
    else:
        password = secrets.token_urlsafe(12)
        create_user(db.session, DEMO_EMAIL, password)
        db.session.commit()
        saved.write_text(password + "\n")
        saved.chmod(0o600)
    click.echo(f"web UI: sign in as {DEMO_EMAIL} with password {password}")
