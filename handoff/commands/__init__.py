"""Flask CLI commands (`flask …`)."""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every CLI command group to the app."""
    from handoff.commands import api_keys, configuration, deliveries, environments, twilio, users

    app.cli.add_command(environments.init_environments)
    app.cli.add_command(users.users)
    app.cli.add_command(api_keys.api_keys_group)
    app.cli.add_command(configuration.seed_demo_command)
    app.cli.add_command(configuration.destinations_group)
    app.cli.add_command(configuration.promote_command)
    app.cli.add_command(configuration.rollback_command)
    app.cli.add_command(twilio.twilio)
    app.cli.add_command(deliveries.deliveries_group)
