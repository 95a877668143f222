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
    return _update(
        session,
        environment,
        "integration",
        get_integration,
        _integration_schema,
        payload,
        actor=actor,
        expected_version=expected_version,
        with_defaults=_kind_defaults,
    )


def update_flow(
    session: Session,
    environment: str | None,
    payload: dict,
    *,
    actor: str,
    expected_version: int | None = None,
) -> FlowSettings:
    """Change the entry flow's greeting, reprompt, apology, language and gather settings."""
    return _update(
        session,
        environment,
        "flow",
        get_flow,
        _flow_schema,
        payload,
        actor=actor,
        expected_version=expected_version,
    )


def _update(
    session,
    environment,
    entity,
    get,
    schema,
    payload,
    *,
    actor,
    expected_version,
    with_defaults=None,
):
    env = writes.locked_environment(session, environment)
    row = get(session, env.name)
    data = _load(schema, payload)
    expected = _version(expected_version, data)
    with writes.updating(session, env, row, expected, actor=actor, entity=entity, dump=schema.dump):
        if with_defaults is not None:
            data = with_defaults(row, data)
        for field, value in data.items():
            setattr(row, field, value)
    return row


def _kind_defaults(row: Integration, data: dict) -> dict:
    # Only a change of kind brings defaults: re-sending the same kind keeps tuned constraints.
    if data.get("kind", row.kind) != row.kind:
        return {**KIND_DEFAULTS[data["kind"]], **data}
    return data


def _load(schema, payload: dict) -> dict:
    try:
        return schema.load(payload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from exc


def _version(expected_version: int | None, data: dict) -> int | None:
    version = data.pop("version", None)
    return expected_version if expected_version is not None else version
