"""`flask seed-demo`, `flask destinations list`, `flask promote`: configuration from the shell."""

import click
from flask.cli import AppGroup, with_appcontext

from handoff import destinations, promotion
from handoff.commands.api_keys import _describe
from handoff.config_rows import load_environment_config
from handoff.environments import ENVIRONMENTS, ensure_environments
from handoff.errors import HandoffError
from handoff.seed import seed_demo
from handoff.warnings import warnings_by_destination
from handoff.writes import environment
from models import db

CLI_ACTOR = "cli"


@click.command("seed-demo")
@with_appcontext
@click.option("--no-promote", is_flag=True, help="Leave live as it is.")
def seed_demo_command(no_promote: bool) -> None:
    """Create the demo configuration in sandbox (once) and promote it to live."""
    ensure_environments(db.session)
    db.session.commit()
    created = seed_demo(db.session, actor=CLI_ACTOR)
    click.echo("demo configuration created" if created else "demo configuration already there")
    if not no_promote and (created or not _live_has_destinations()):
        version = promotion.promote(db.session, actor=CLI_ACTOR, note="demo")
        click.echo(f"promoted sandbox to live as version {version.number}")


@click.group("destinations", cls=AppGroup)
def destinations_group() -> None:
    """Inspect handoff destinations."""


@destinations_group.command("list")
@click.option("--environment", type=click.Choice(ENVIRONMENTS), default="sandbox")
def list_destinations(environment: str) -> None:
    """List destinations: id, name, method, route, default flag and warnings."""
    config = load_environment_config(db.session, _environment(environment))
    warnings = warnings_by_destination(config)
    for d in config.destinations:
        flag = "default" if d.is_default else ""
        codes = ",".join(w["code"] for w in warnings[d.id])
        click.echo(f"{d.id}\t{d.name}\t{d.method}\t{d.route or '-'}\t{flag}\t{codes}".rstrip())
    if config.default is None:
        click.echo("warning: no_default (no default handoff)")


@click.command("promote")
@with_appcontext
@click.option("--note", default="", help="Why, recorded with the version.")
def promote_command(note: str) -> None:
    """Copy sandbox to live as the next numbered version."""
    try:
        version = promotion.promote(db.session, actor=CLI_ACTOR, note=note)
    except HandoffError as exc:
        raise click.ClickException(_describe(exc)) from exc
    click.echo(f"promoted sandbox to live as version {version.number}")


@click.command("rollback")
@with_appcontext
@click.option("--version", "number", type=int, default=None, help="Default: the previous one.")
@click.option("--note", default="", help="Why, recorded with the new version.")
def rollback_command(number: int | None, note: str) -> None:
    """Restore an earlier live version as a new version."""
    try:
        version = promotion.rollback(db.session, actor=CLI_ACTOR, version=number, note=note)
    except HandoffError as exc:
        raise click.ClickException(_describe(exc)) from exc
    click.echo(f"restored version {version.restored_from} as version {version.number}")


def _environment(name: str):
    return environment(db.session, name)


def _live_has_destinations() -> bool:
    return bool(destinations.list_destinations(db.session, "live", limit=1))
