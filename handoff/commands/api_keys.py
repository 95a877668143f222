"""`flask api-keys create|list|revoke`: manage API keys (the clear key is shown once)."""

import click
from flask.cli import AppGroup

from handoff import api_keys
from handoff.errors import HandoffError
from models import db


@click.group("api-keys", cls=AppGroup)
def api_keys_group() -> None:
    """Create, list and revoke API keys."""


@api_keys_group.command("create")
@click.option("--name", required=True, help="Who or what uses the key.")
@click.option("--scopes", default="read", show_default=True, help="read, write or read,write")
def create(name: str, scopes: str) -> None:
    """Create a key and print it once; only its hash is stored."""
    try:
        row, clear = api_keys.create_api_key(db.session, name, scopes)
    except HandoffError as exc:
        raise click.UsageError(_describe(exc)) from exc
    click.echo(f"created key {row.id} ({row.name}, scopes {row.scopes}); store it now:")
    click.echo(clear)


@api_keys_group.command("list")
def list_keys() -> None:
    """List keys (id, prefix, name, scopes, state); never the keys themselves."""
    for row in api_keys.list_api_keys(db.session):
        state = "revoked" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.prefix}…\t{row.name}\t{row.scopes}\t{state}")


@api_keys_group.command("revoke")
@click.argument("key_id", type=int)
def revoke(key_id: int) -> None:
    """Revoke a key by its id."""
    try:
        row = api_keys.revoke_api_key(db.session, key_id)
    except HandoffError as exc:
        raise click.UsageError(_describe(exc)) from exc
    click.echo(f"revoked key {row.id} ({row.name})")


def _describe(exc: HandoffError) -> str:
    details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.errors.items())
    return f"{exc.message} {details}".strip()
