"""The destination rules that need the database: unique names, fallbacks, Twilio's limits."""

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import sip_uri
from handoff.decision.plan import TLS_PARAMS
from handoff.errors import ValidationFailed
from handoff.routes import InvalidRoute, parse_route, resolve_extension
from handoff.schemas import DestinationSchema
from models import Destination, Integration

# X-Handoff-ID is added to every SIP handoff; its value is ho_ + 20 hex characters.
HANDOFF_ID_HEADER = ("X-Handoff-ID", "ho_" + "0" * 20)

_schema = DestinationSchema()


def load(payload: dict) -> dict:
    """Return the payload loaded by the destination schema.

    :raises ValidationFailed: naming every bad field.
    """
    try:
        return _schema.load(payload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from exc


def validate(session: Session, env_id: int, payload: dict, row: Destination | None = None):
    """Return the loaded destination, checked against the rest of its environment.

    :raises ValidationFailed: naming every bad field.
    """
    data = load(payload)
    errors = {}
    errors.update(_name_errors(session, env_id, data["name"], row))
    errors.update(_fallback_errors(session, env_id, data["fallback_id"], row))
    errors.update(_limit_errors(session, env_id, data))
    if errors:
        raise ValidationFailed(errors)
    return data


def _name_errors(session, env_id, name, row) -> dict:
    clash = session.scalar(
        select(Destination.id).where(
            Destination.environment_id == env_id,
            Destination.name_key == name.lower(),
            Destination.id != (row.id if row else -1),
        )
    )
    if clash:
        return {"name": [f"Another handoff in this environment is already named {name!r}."]}
    return {}


def _fallback_errors(session, env_id, fallback_id, row) -> dict:
    if fallback_id is None:
        return {}
    if row is not None and fallback_id == row.id:
        return {"fallback_id": ["A destination cannot be its own fallback."]}
    seen, current = set(), session.get(Destination, fallback_id)
    if current is None or current.environment_id != env_id:
        return {"fallback_id": [f"No destination {fallback_id} in this environment."]}
    while current is not None and current.id not in seen:
        if row is not None and current.fallback_id == row.id:
            return {"fallback_id": ["This fallback leads back to this destination (a loop)."]}
        seen.add(current.id)
        current = current.fallback
    return {}


def _limit_errors(session, env_id, data) -> dict:
    if not data["route"]:
        return {}
    sip_host = session.scalar(
        select(Integration.sip_host).where(Integration.environment_id == env_id)
    )
    try:
        route = resolve_extension(parse_route(data["route"]), sip_host)
    except InvalidRoute:
        return {}  # An extension without sip_host is a warning, not an error.
    if not route.is_sip:
        return {}
    errors = {}
    secure = data["method"] == "sip_invite" and data["encryption"] == "tls_srtp"
    base = sip_uri.build_sip_uri(route.sip_uri, [], TLS_PARAMS if secure else ())
    if len(base) > sip_uri.MAX_URI_LENGTH:
        errors["route"] = sip_uri.limit_errors(base, [])
    headers = [(h["name"], h["value"]) for h in data["sip_headers"]] + [HANDOFF_ID_HEADER]
    if problems := sip_uri.limit_errors("", headers):
        errors["sip_headers"] = problems
    return errors
