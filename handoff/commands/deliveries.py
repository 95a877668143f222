"""`flask deliveries run`: send subscriber deliveries from a dedicated process."""

import click
from flask import current_app
from flask.cli import with_appcontext

from handoff.deliveries import DeliveryPolicy, run_once
from handoff.delivery_worker import DeliveryWorker
from models import db


@click.group("deliveries")
def deliveries_group() -> None:
    """Deliver handoff-state transitions to webhook subscribers."""


@deliveries_group.command("run")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--poll", type=float, default=None, help="Seconds between rounds.")
@with_appcontext
def run_command(once: bool, poll: float | None) -> None:
    """Send due deliveries (signed, in order, retried) until interrupted."""
    app = current_app._get_current_object()
    if once:
        tried = run_once(db.session, DeliveryPolicy.from_config(app.config))
        click.echo(f"{tried} deliveries tried")
        return
    worker = DeliveryWorker(app, poll=poll)
    click.echo(f"delivering every {worker.poll:g}s; Ctrl-C to stop")
    try:
        worker.run()
    except KeyboardInterrupt:
        worker.stopped.set()
