"""`flask init-environments`: make sure sandbox and live exist."""

import click

from handoff.environments import ensure_environments
from models import db


@click.command("init-environments")
def init_environments() -> None:
    """Create the sandbox and live environments if they are missing."""
    ensure_environments(db.session)
    db.session.commit()
    click.echo("environments ready: sandbox, live")
