"""The audit log of configuration changes: who did what, before and after."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    environment: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one audit entry to the session; the caller's commit persists it."""
    entry = AuditEntry(
        actor=actor or "unknown",
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        environment=environment,
        before=before,
        after=after,
        detail=detail,
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session, *, environment: str | None = None, before_id: int = 0, limit: int = 50
) -> list[AuditEntry]:
    """Return audit entries newest first (below ``before_id`` when given)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if environment:
        query = query.where(AuditEntry.environment == environment)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query))
