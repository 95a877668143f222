"""Flask CLI commands (`flask …`)."""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every CLI command group to the app."""
    from handoff.commands import environments, users

    app.cli.add_command(environments.init_environments)
    app.cli.add_command(users.users)
