"""API keys: created once in clear, stored as SHA-256 hashes, checked per request."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import audit
from handoff.errors import NotFound, ValidationFailed
from models import ApiKey, utcnow

SCOPES = ("read", "write")
KEY_PREFIX = "hk_"
# last_used_at is refreshed at most this often: not a database write per request.
TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class Caller:
    """Who is calling the API and what they may do."""

    actor: str
    scopes: frozenset[str]
    # The SHA-256 of the caller's key: what a stream token carries instead of the key.
    key_hash: str


def hash_key(key: str) -> str:
    """Return the hex SHA-256 of a clear key."""
    return hashlib.sha256(key.encode()).hexdigest()


def parse_scopes(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the known scopes in ``raw`` (comma-separated or a list).

    :raises ValidationFailed: on an unknown or empty scope list.
    """
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    scopes = tuple(dict.fromkeys(s.strip() for s in items if s.strip()))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValidationFailed({"scopes": [f"Use one or more of: {', '.join(SCOPES)}."]})
    return scopes


def create_api_key(
    session: Session, name: str, scopes="read", *, actor: str = "cli"
) -> tuple[ApiKey, str]:
    """Create a key; return the row and the clear key (shown once, never stored)."""
    if not name or not name.strip() or len(name) > 120:
        raise ValidationFailed({"name": ["Give the key a name of 1 to 120 characters."]})
    clear = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name.strip(),
        prefix=clear[:10],
        key_hash=hash_key(clear),
        scopes=",".join(parse_scopes(scopes)),
    )
    session.add(row)
    session.flush()
    after = {"name": row.name, "prefix": row.prefix, "scopes": row.scopes}
    audit.record(session, actor, "create", "api_key", row.id, after=after)
    session.commit()
    return row, clear


def list_api_keys(session: Session) -> list[ApiKey]:
    """Return every key, newest first (revoked ones included)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))


def revoke_api_key(session: Session, key_id: int, *, actor: str = "cli") -> ApiKey:
    """Revoke a key so it is refused from now on."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"No API key {key_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor, "revoke", "api_key", row.id, before={"name": row.name})
        session.commit()
    return row


def authenticate(session: Session, key: str | None, bootstrap_key: str = "") -> Caller | None:
    """Return the caller for a clear key, or None when it is missing, unknown or revoked."""
    if not key:
        return None
    return authenticate_hash(session, hash_key(key), bootstrap_key)


def authenticate_hash(session: Session, key_hash: str, bootstrap_key: str = "") -> Caller | None:
    """Return the caller whose key has this SHA-256, or None when it is unknown or revoked."""
    if bootstrap_key and hmac.compare_digest(key_hash, hash_key(bootstrap_key)):
        return Caller("api-key:bootstrap", frozenset(SCOPES), key_hash)
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))
    if row is None or row.revoked_at is not None:
        return None
    _touch(session, row)
    return Caller(f"api-key:{row.name}", frozenset(row.scopes.split(",")), key_hash)


def _touch(session: Session, row: ApiKey) -> None:
    now, last = utcnow(), row.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)  # SQLite hands back naive UTC values.
    if last is None or now - last > TOUCH_INTERVAL:
        row.last_used_at = now
        session.commit()
