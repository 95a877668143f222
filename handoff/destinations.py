"""Handoff destinations: create, update, delete, duplicate and the one default per environment.

Every function validates its input, takes the environment's write lock, bumps the config
version, writes an audit entry and commits once; errors are domain exceptions.
"""

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from handoff import destination_rules, writes
from handoff.config_rows import destination_config, load_environment_config
from handoff.errors import Conflict, ValidationFailed
from handoff.schemas import DestinationSchema
from handoff.warnings import destination_warnings
from models import Destination, DestinationHeader, Topic

SET_DEFAULT_ATTEMPTS = 3

_schema = DestinationSchema()


def list_destinations(
    session: Session, environment: str | None = None, *, after_id: int = 0, limit: int = 0
) -> list[Destination]:
    """Return the environment's destinations in id order, from ``after_id`` on."""
    return writes.page(session, environment, Destination, after_id=after_id, limit=limit)


def get_destination(session: Session, environment: str | None, destination_id: int) -> Destination:
    """Return one destination of the environment.

    :raises NotFound: when it does not exist there.
    """
    return writes.row_in(session, environment, Destination, destination_id, "handoff destination")


def destination_data(row: Destination) -> dict:
    """Return the destination as plain JSON-ready data (audit, API)."""
    return _schema.dump(row)


def with_warnings(session: Session, environment: str | None, rows: list[Destination]) -> list:
    """Attach ``warnings`` to each row (for dumping) and return the rows."""
    config = load_environment_config(session, writes.environment(session, environment))
    for row in rows:
        row.warnings = destination_warnings(config, destination_config(row))
    return rows


def create_destination(
    session: Session, environment: str | None, payload: dict, *, actor: str
) -> Destination:
    """Create a destination; the first in an environment becomes its default."""
    env = writes.locked_environment(session, environment)
    data = destination_rules.validate(session, env.id, payload)
    count = session.scalar(select(func.count()).where(Destination.environment_id == env.id))
    row = Destination(environment_id=env.id, is_default=count == 0, version=1)
    _apply(row, data)
    return writes.commit_new(
        session, env, row, actor=actor, entity="destination", dump=destination_data
    )


def update_destination(
    session: Session,
    environment: str | None,
    destination_id: int,
    payload: dict,
    *,
    actor: str,
    expected_version: int | None = None,
    partial: bool = False,
) -> Destination:
    """Replace (or with ``partial`` patch) a destination's fields.

    :raises StaleVersion: when ``expected_version`` (or ``payload["version"]``) is stale.
    """
    env = writes.locked_environment(session, environment)
    row = get_destination(session, env.name, destination_id)
    expected = _expected(expected_version, payload)
    with writes.updating(
        session, env, row, expected, actor=actor, entity="destination", dump=destination_data
    ) as before:
        merged = {**_editable(before), **payload} if partial else payload
        _apply(row, destination_rules.validate(session, env.id, merged, row=row))
    return row


def delete_destination(
    session: Session, environment: str | None, destination_id: int, *, confirm: str, actor: str
) -> None:
    """Delete a destination once ``confirm`` is exactly its name.

    Topics that pointed at it fall back to the default; deleting the default leaves none.
    """
    env = writes.locked_environment(session, environment)
    row = get_destination(session, env.name, destination_id)
    if confirm != row.name:
        raise ValidationFailed(
            {"confirm": [f"Type the destination's exact name ({row.name!r}) to delete it."]}
        )
    before = destination_data(row)
    # Done explicitly: SQLite does not enforce ON DELETE SET NULL unless asked to.
    session.execute(update(Topic).where(Topic.destination_id == row.id).values(destination_id=None))
    session.execute(
        update(Destination).where(Destination.fallback_id == row.id).values(fallback_id=None)
    )
    session.delete(row)
    writes.commit(session, env, actor, "delete", "destination", destination_id, before=before)


def duplicate_destination(
    session: Session, environment: str | None, destination_id: int, *, actor: str
) -> Destination:
    """Copy a destination as "<name> (copy)", "(copy 2)" …; the copy is never the default."""
    env = writes.locked_environment(session, environment)
    source = get_destination(session, env.name, destination_id)
    data = _editable(destination_data(source))
    data["name"] = _copy_name(session, env.id, source.name)
    row = Destination(environment_id=env.id, is_default=False, version=1)
    _apply(row, destination_rules.load(data))
    return writes.commit_new(
        session,
        env,
        row,
        actor=actor,
        entity="destination",
        dump=destination_data,
        action="duplicate",
    )


def set_default_destination(
    session: Session, environment: str | None, destination_id: int, *, actor: str
) -> Destination:
    """Make this destination the environment's only default, atomically.

    :raises Conflict: when concurrent writers keep winning (never a half-done state).
    """
    for _ in range(SET_DEFAULT_ATTEMPTS):
        try:
            return _set_default_once(session, environment, destination_id, actor)
        except (IntegrityError, OperationalError, Conflict):
            session.rollback()
    raise Conflict("The default changed concurrently; try again.")


def _set_default_once(session, environment, destination_id, actor) -> Destination:
    env = writes.locked_environment(session, environment)
    row = get_destination(session, env.name, destination_id)
    if row.is_default:
        session.rollback()
        return row
    before = session.scalar(
        select(Destination.id).where(Destination.environment_id == env.id, Destination.is_default)
    )
    # Clear, flush, then set: the partial unique index never sees two defaults.
    session.execute(
        update(Destination)
        .where(Destination.environment_id == env.id, Destination.is_default)
        .values(is_default=False, version=Destination.version + 1)
    )
    session.flush()
    row.is_default = True
    row.version += 1
    session.flush()
    writes.commit(
        session,
        env,
        actor,
        "set_default",
        "destination",
        row.id,
        before={"default_id": before},
        after={"default_id": row.id},
    )
    session.refresh(row)
    return row


def _expected(expected_version: int | None, payload: dict) -> int | None:
    if expected_version is not None:
        return expected_version
    version = payload.get("version")
    if version is None:
        return None
    try:
        return int(version)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed({"version": ["Must be a whole number."]}) from exc


def _editable(data: dict) -> dict:
    read_only = {"id", "is_default", "version", "warnings", "created_at", "updated_at"}
    return {k: v for k, v in data.items() if k not in read_only}


def _apply(row: Destination, data: dict) -> None:
    for field in ("name", "description", "method", "encryption", "fallback_id", "ring_timeout"):
        setattr(row, field, data[field])
    row.name_key = data["name"].lower()
    row.route = data["route"]
    row.sip_headers = [
        DestinationHeader(position=i, name=h["name"], value=h["value"])
        for i, h in enumerate(data["sip_headers"])
    ]


def _copy_name(session: Session, env_id: int, name: str) -> str:
    taken = set(
        session.scalars(select(Destination.name_key).where(Destination.environment_id == env_id))
    )
    for n in range(1, 1000):
        suffix = " (copy)" if n == 1 else f" (copy {n})"
        candidate = name[: 80 - len(suffix)] + suffix
        if candidate.lower() not in taken:
            return candidate
    raise Conflict("Too many copies of this destination.")
