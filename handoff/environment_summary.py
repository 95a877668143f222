"""Where each environment stands: versions and what it holds."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.environments import EDITABLE, ENVIRONMENTS
from handoff.writes import environment
from models import Destination, Topic


def describe_environment(session: Session, name: str) -> dict:
    """Return one environment's name, versions, editability and counts."""
    env = environment(session, name)
    return {
        "name": env.name,
        "config_version": env.config_version,
        "live_version": env.live_version,
        "editable": env.name == EDITABLE,
        "destinations": session.scalar(
            select(func.count()).where(Destination.environment_id == env.id)
        ),
        "topics": session.scalar(select(func.count()).where(Topic.environment_id == env.id)),
    }


def describe_environments(session: Session) -> list[dict]:
    """Return every environment's description, sandbox first."""
    return [describe_environment(session, name) for name in ENVIRONMENTS]
