"""Topics: what a caller may ask for (phrases, a key) and the handoff or function it leads to."""

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import writes
from handoff.config_rows import load_environment_config, topic_config
from handoff.errors import ValidationFailed
from handoff.schemas import TopicSchema, slugify_reason
from handoff.schemas.topic import MAX_POSITION
from handoff.warnings import topic_warnings
from models import Destination, Topic

_schema = TopicSchema()
READ_ONLY = {"id", "version", "warnings", "created_at", "updated_at"}


def list_topics(
    session: Session, environment: str | None = None, *, after_id: int = 0, limit: int = 0
) -> list[Topic]:
    """Return the environment's topics in id order, from ``after_id`` on."""
    return writes.page(session, environment, Topic, after_id=after_id, limit=limit)


def get_topic(session: Session, environment: str | None, topic_id: int) -> Topic:
    """Return one topic of the environment.

    :raises NotFound: when it does not exist there.
    """
    return writes.row_in(session, environment, Topic, topic_id, "topic")


def topic_data(row: Topic) -> dict:
    """Return the topic as plain JSON-ready data."""
    return _schema.dump(row)


def with_warnings(session: Session, environment: str | None, rows: list[Topic]) -> list[Topic]:
    """Attach ``warnings`` to each row (for dumping) and return the rows."""
    config = load_environment_config(session, writes.environment(session, environment))
    for row in rows:
        row.warnings = topic_warnings(config, topic_config(row))
    return rows


def create_topic(session: Session, environment: str | None, payload: dict, *, actor: str) -> Topic:
    """Create a topic."""
    env = writes.locked_environment(session, environment)
    data = _validate(session, env.id, payload)
    position = data.pop("position", 0) or _next_position(session, env.id)
    row = Topic(environment_id=env.id, position=position, version=1, **_columns(data))
    return writes.commit_new(session, env, row, actor=actor, entity="topic", dump=topic_data)


def update_topic(
    session: Session,
    environment: str | None,
    topic_id: int,
    payload: dict,
    *,
    actor: str,
    expected_version: int | None = None,
    partial: bool = False,
) -> Topic:
    """Replace (or with ``partial`` patch) a topic; 412 semantics as for destinations."""
    env = writes.locked_environment(session, environment)
    row = get_topic(session, env.name, topic_id)
    expected = expected_version if expected_version is not None else payload.get("version")
    with writes.updating(
        session, env, row, expected, actor=actor, entity="topic", dump=topic_data
    ) as before:
        merged = {**_editable(before), **payload} if partial else payload
        for field, value in _columns(_validate(session, env.id, merged, row)).items():
            setattr(row, field, value)
    return row


def delete_topic(session: Session, environment: str | None, topic_id: int, *, actor: str) -> None:
    """Delete a topic."""
    env = writes.locked_environment(session, environment)
    row = get_topic(session, env.name, topic_id)
    before = topic_data(row)
    session.delete(row)
    writes.commit(session, env, actor, "delete", "topic", topic_id, before=before)


def _editable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in READ_ONLY}


def _columns(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k != "version"}
    data["name_key"] = data["name"].lower()
    if data["action"] == "handoff":
        data["function"] = None
    return data


def _validate(session: Session, env_id: int, payload: dict, row: Topic | None = None) -> dict:
    try:
        data = _schema.load(payload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from exc
    errors, others = {}, [t for t in _topics(session, env_id) if row is None or t.id != row.id]
    if any(t.name_key == data["name"].lower() for t in others):
        errors["name"] = [f"Another topic in this environment is named {data['name']!r}."]
    if data["dtmf"] and any(t.dtmf == data["dtmf"] for t in others):
        errors["dtmf"] = [f"Another topic already uses key {data['dtmf']}."]
    destination = None
    if data["destination_id"] is not None:
        destination = session.get(Destination, data["destination_id"])
        if destination is None or destination.environment_id != env_id:
            errors["destination_id"] = [f"No destination {data['destination_id']} here."]
    if errors:
        raise ValidationFailed(errors)
    if not data["reason"] and destination is not None and data["action"] == "handoff":
        data["reason"] = slugify_reason(destination.name)
    return data


def _topics(session: Session, env_id: int) -> list[Topic]:
    return list(session.scalars(select(Topic).where(Topic.environment_id == env_id)))


def _next_position(session: Session, env_id: int) -> int:
    last = max((t.position for t in _topics(session, env_id)), default=0)
    return min(last + 1, MAX_POSITION)
