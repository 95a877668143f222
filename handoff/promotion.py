"""Promote sandbox to live as a numbered version, roll live back, list the versions."""

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from handoff import writes
from handoff.config import EnvironmentConfig
from handoff.config_rows import destination_row, load_environment_config, topic_row, write_settings
from handoff.environments import LIVE, SANDBOX
from handoff.errors import NotFound, ValidationFailed
from models import ConfigVersion, Destination, DestinationHeader, FlowSettings, Integration, Topic


def promote(session: Session, *, actor: str, note: str = "") -> ConfigVersion:
    """Copy sandbox's whole configuration to live, atomically, as the next version."""
    live = writes.locked_environment(session, LIVE, promoting=True)
    # Sandbox is locked too, so the copy is one consistent state of it (lock order: live first).
    sandbox = writes.locked_environment(session, SANDBOX)
    config = load_environment_config(session, sandbox)
    return _install(session, live, config, actor=actor, kind="promote", note=note)


def rollback(
    session: Session, *, actor: str, version: int | None = None, note: str = ""
) -> ConfigVersion:
    """Restore an earlier live version's configuration, recorded as a new version.

    :raises NotFound: when the version does not exist.
    """
    live = writes.locked_environment(session, LIVE, promoting=True)
    if version is None:
        version = _previous_number(session, live)
    source = get_version(session, LIVE, version)
    config = EnvironmentConfig.from_dict(source.snapshot)
    return _install(
        session, live, config, actor=actor, kind="rollback", note=note, restored_from=version
    )


def list_versions(
    session: Session, environment: str = LIVE, *, before: int = 0, limit: int = 0
) -> list[ConfigVersion]:
    """Return the environment's versions, newest first (below ``before`` when given)."""
    env = writes.environment(session, environment)
    query = select(ConfigVersion).where(ConfigVersion.environment_id == env.id)
    if before:
        query = query.where(ConfigVersion.number < before)
    query = query.order_by(ConfigVersion.number.desc())
    return list(session.scalars(query.limit(limit) if limit else query))


def _previous_number(session: Session, live) -> int:
    current = live.live_version
    if not current:
        raise ValidationFailed({"version": ["Nothing has been promoted yet."]})
    previous = session.scalar(
        select(func.max(ConfigVersion.number)).where(
            ConfigVersion.environment_id == live.id, ConfigVersion.number < current
        )
    )
    if previous is None:
        raise ValidationFailed({"version": ["There is no earlier version to roll back to."]})
    return previous


def _install(session, live, config, *, actor, kind, note, restored_from=None) -> ConfigVersion:
    before = live.live_version
    _replace_contents(session, live, config)
    number = (
        session.scalar(
            select(func.max(ConfigVersion.number)).where(ConfigVersion.environment_id == live.id)
        )
        or 0
    ) + 1
    row = ConfigVersion(
        environment_id=live.id,
        number=number,
        kind=kind,
        restored_from=restored_from,
        snapshot=config.to_dict(),
        actor=actor,
        note=note,
    )
    session.add(row)
    live.live_version = number
    session.flush()
    after = {"live_version": number, "restored_from": restored_from}
    writes.commit(
        session,
        live,
        actor,
        kind,
        "environment",
        live.name,
        before={"live_version": before},
        after=after,
    )
    return row


def _replace_contents(session: Session, live, config: EnvironmentConfig) -> None:
    """Make live hold exactly ``config``, giving destinations new ids and remapping links."""
    old_ids = select(Destination.id).where(Destination.environment_id == live.id)
    session.execute(delete(Topic).where(Topic.environment_id == live.id))
    session.execute(delete(DestinationHeader).where(DestinationHeader.destination_id.in_(old_ids)))
    session.execute(delete(Destination).where(Destination.environment_id == live.id))
    id_map = {}
    for d in config.destinations:
        row = destination_row(d, live.id)
        session.add(row)
        session.flush()
        id_map[d.id] = row.id
    for d in config.destinations:
        if d.fallback_id in id_map:
            session.get(Destination, id_map[d.id]).fallback_id = id_map[d.fallback_id]
    for t in config.topics:
        session.add(topic_row(t, live.id, id_map.get(t.destination_id)))
    _copy_settings(session, live, config)
    session.flush()


def _copy_settings(session: Session, live, config: EnvironmentConfig) -> None:
    for model, settings in ((Integration, config.integration), (FlowSettings, config.flow)):
        row = session.scalar(select(model).where(model.environment_id == live.id))
        write_settings(row, settings)
        row.version += 1


def current_version(session: Session, environment: str) -> int | None:
    """Return the version number in force in ``environment`` (None before any promote)."""
    return writes.environment(session, environment).live_version


def get_version(session: Session, environment: str, number: int) -> ConfigVersion:
    """Return one numbered version of the environment.

    :raises NotFound: when there is no such version.
    """
    env = writes.environment(session, environment)
    row = session.scalar(
        select(ConfigVersion).where(
            ConfigVersion.environment_id == env.id, ConfigVersion.number == number
        )
    )
    if row is None:
        raise NotFound(f"No {env.name} version {number}.")
    return row
