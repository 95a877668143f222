"""Environments (sandbox, live): look-up, creation and the config version counter."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Environment, FlowSettings, Integration

SANDBOX = "sandbox"
LIVE = "live"
ENVIRONMENTS = (SANDBOX, LIVE)
EDITABLE = SANDBOX


class UnknownEnvironment(LookupError):
    """The named environment does not exist."""


def ensure_environments(session: Session) -> None:
    """Create the environments, their integration and flow settings if missing."""
    for name in ENVIRONMENTS:
        env = session.scalar(select(Environment).where(Environment.name == name))
        if env is None:
            env = Environment(name=name, config_version=1)
            session.add(env)
            session.flush()
        if session.scalar(select(Integration).where(Integration.environment_id == env.id)) is None:
            session.add(
                Integration(environment_id=env.id, kind="twilio_pstn", required_method="sip_invite")
            )
        if (
            session.scalar(select(FlowSettings).where(FlowSettings.environment_id == env.id))
            is None
        ):
            session.add(FlowSettings(environment_id=env.id))
    session.flush()


def get_environment(session: Session, name: str) -> Environment:
    """Return the environment called ``name``.

    :raises UnknownEnvironment: when there is no such environment.
    """
    env = session.scalar(select(Environment).where(Environment.name == name))
    if env is None:
        raise UnknownEnvironment(name)
    return env


def bump_config_version(session: Session, environment: Environment) -> int:
    """Increment the environment's config version in the database and return it."""
    # An UPDATE ... SET v = v + 1 stays correct under concurrent writers.
    session.execute(
        update(Environment)
        .where(Environment.id == environment.id)
        .values(config_version=Environment.config_version + 1)
    )
    session.refresh(environment, ["config_version"])
    return environment.config_version
