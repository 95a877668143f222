"""What configuration writes share: environment look-ups and locks, versions, audit, commit."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff import audit
from handoff.environments import EDITABLE, ENVIRONMENTS, bump_config_version
from handoff.errors import Conflict, NotFound, ReadOnly, StaleVersion, ValidationFailed
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


def page(session: Session, name: str | None, model, *, after_id: int = 0, limit: int = 0):
    """Return the environment's ``model`` rows in id order, from ``after_id`` on."""
    env = environment(session, name)
    query = (
        select(model).where(model.environment_id == env.id, model.id > after_id).order_by(model.id)
    )
    return list(session.scalars(query.limit(limit) if limit else query))


def row_in(session: Session, name: str | None, model, row_id: int, what: str):
    """Return the ``model`` row with this id, fresh from the database.

    :raises NotFound: naming ``what`` when the environment has no such row.
    """
    env = environment(session, name)
    row = session.get(model, row_id, populate_existing=True)
    if row is None or row.environment_id != env.id:
        raise NotFound(f"No {what} {row_id} in {env.name}.")
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


def commit_new(
    session: Session,
    env: Environment,
    row,
    *,
    actor: str,
    entity: str,
    dump: Callable[[object], dict],
    action: str = "create",
):
    """Add a new row to the locked environment and commit it, audited with its data.

    :raises Conflict: as :func:`commit`.
    """
    session.add(row)
    session.flush()
    commit(session, env, actor, action, entity, row.id, after=dump(row))
    return row


@contextmanager
def updating(
    session: Session,
    env: Environment,
    row,
    expected_version: int | None,
    *,
    actor: str,
    entity: str,
    dump: Callable[[object], dict],
) -> Iterator[dict]:
    """Yield the row's data for the block to change the row, then bump its version and commit.

    The commit is audited with the row's data before and after; a block that raises
    commits nothing.
    :raises StaleVersion: before the block, when ``expected_version`` is stale.
    :raises Conflict: as :func:`commit`.
    """
    check_version(row.version, expected_version)
    before = dump(row)
    yield before
    row.version += 1
    session.flush()
    commit(session, env, actor, "update", entity, row.id, before=before, after=dump(row))
