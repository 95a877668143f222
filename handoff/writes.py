"""What every configuration write shares: environment locking, versions, audit, commit."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff import audit
from handoff.environments import EDITABLE, ENVIRONMENTS, bump_config_version
from handoff.errors import Conflict, ReadOnly, StaleVersion, ValidationFailed
from models import Environment


def environment(session: Session, name: str | None) -> Environment:
    """Return the named environment for reading (default: sandbox).

    :raises ValidationFailed: naming ``environment`` when it is unknown.
    """
    name = name or EDITABLE
    row = session.scalar(select(Environment).where(Environment.name == name))
    if row is None:
        raise ValidationFailed(
            {
                "environment": [
                    f"Unknown environment {name!r}; use one of {', '.join(ENVIRONMENTS)}."
                ]
            }
        )
    return row


def locked_environment(session: Session, name: str | None, *, promoting: bool = False):
    """Return the environment locked for writing (``SELECT … FOR UPDATE`` on PostgreSQL).

    Every write to one environment takes this lock first, so writes to it are serialised
    and invariants such as "exactly one default" hold under concurrent requests.
    :raises ReadOnly: for live, unless the write is a promote or rollback.
    """
    env = environment(session, name)
    if env.name != EDITABLE and not promoting:
        raise ReadOnly(
            f"The {env.name} environment changes only by promote or rollback; edit {EDITABLE}."
        )
    return session.scalar(
        select(Environment)
        .where(Environment.id == env.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def check_version(current: int, expected: int | None) -> None:
    """Refuse a write based on a version other than ``current``.

    :raises StaleVersion: when ``expected`` is given and differs.
    """
    if expected is not None and int(expected) != current:
        raise StaleVersion(int(expected), current)


def commit(
    session: Session,
    env: Environment,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Bump the environment's config version, audit the change and commit.

    :raises Conflict: when the database refuses the change (a concurrent write won).
    """
    bump_config_version(session, env)
    audit.record(
        session,
        actor,
        action,
        entity,
        entity_id,
        environment=env.name,
        before=before,
        after=after,
    )
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("A concurrent change conflicts with this one; try again.") from exc
