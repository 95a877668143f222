"""The environment's integration settings and entry flow: read and update."""

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import writes
from handoff.errors import ValidationFailed
from handoff.schemas import KIND_DEFAULTS, FlowSchema, IntegrationSchema
from models import FlowSettings, Integration

_integration_schema = IntegrationSchema()
_flow_schema = FlowSchema()


def get_integration(session: Session, environment: str | None = None) -> Integration:
    """Return the environment's integration settings."""
    env = writes.environment(session, environment)
    return session.scalar(select(Integration).where(Integration.environment_id == env.id))


def get_flow(session: Session, environment: str | None = None) -> FlowSettings:
    """Return the environment's entry-flow settings."""
    env = writes.environment(session, environment)
    return session.scalar(select(FlowSettings).where(FlowSettings.environment_id == env.id))


def update_integration(
    session: Session,
    environment: str | None,
    payload: dict,
    *,
    actor: str,
    expected_version: int | None = None,
) -> Integration:
    """Change the integration; a new ``kind`` brings its default constraints unless given."""
    env = writes.locked_environment(session, environment)
    row = get_integration(session, env.name)
    data = _load(_integration_schema, payload)
    writes.check_version(row.version, _version(expected_version, data))
    before = _integration_schema.dump(row)
    if data.get("kind", row.kind) != row.kind:
        data = {**KIND_DEFAULTS[data["kind"]], **data}
    for field, value in data.items():
        setattr(row, field, value)
    row.version += 1
    session.flush()
    after = _integration_schema.dump(row)
    writes.commit(session, env, actor, "update", "integration", row.id, before=before, after=after)
    return row


def update_flow(
    session: Session,
    environment: str | None,
    payload: dict,
    *,
    actor: str,
    expected_version: int | None = None,
) -> FlowSettings:
    """Change the entry flow's greeting, reprompt, apology, language and gather settings."""
    env = writes.locked_environment(session, environment)
    row = get_flow(session, env.name)
    data = _load(_flow_schema, payload)
    writes.check_version(row.version, _version(expected_version, data))
    before = _flow_schema.dump(row)
    for field, value in data.items():
        setattr(row, field, value)
    row.version += 1
    session.flush()
    writes.commit(
        session, env, actor, "update", "flow", row.id, before=before, after=_flow_schema.dump(row)
    )
    return row


def _load(schema, payload: dict) -> dict:
    try:
        return schema.load(payload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from exc


def _version(expected_version: int | None, data: dict) -> int | None:
    version = data.pop("version", None)
    return expected_version if expected_version is not None else version
