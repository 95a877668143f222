"""The Handoff API: the context stored at the moment of a handoff, looked up by id."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.errors import NotFound
from models import Handoff


class HandoffNotFound(NotFound):
    """No handoff matches the given id or shared id."""


def find_handoff(session: Session, handoff_id: str | None, shared_id: str | None) -> Handoff:
    """Return the handoff with this id and/or shared id (the latest one for a shared id).

    :raises HandoffNotFound: when none matches (or both are given and disagree).
    """
    query = select(Handoff)
    if handoff_id:
        query = query.where(Handoff.id == handoff_id)
    if shared_id:
        query = query.where(Handoff.shared_id == shared_id)
    handoff = session.scalars(query.order_by(Handoff.created_at.desc(), Handoff.id.desc())).first()
    if handoff is None:
        raise HandoffNotFound("No handoff has this id/shared_id.")
    return handoff


def handoff_state(handoff: Handoff) -> dict:
    """Return exactly what was stored for the receiving side: ``{id, shared_id, data}``."""
    stored = handoff.context or {}
    # The records service may store the whole answer or only its data part.
    data = stored["data"] if {"id", "data"} <= stored.keys() else stored
    return {"id": handoff.id, "shared_id": handoff.shared_id, "data": data}
