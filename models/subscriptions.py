"""Webhook subscribers to handoff-state transitions and their deliveries."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow

if TYPE_CHECKING:
    from models.calls import HandoffState


class Subscription(db.Model):
    """A URL that receives every handoff-state transition, HMAC-signed."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    # Needed in clear to sign each body; shown to the subscriber once.
    secret: Mapped[str] = mapped_column(String(128))
    environment: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(db.Model):
    """One transition to deliver to one subscriber, retried with backoff."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    handoff_state_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_states.id", ondelete="CASCADE")
    )
    conversation_id: Mapped[str] = mapped_column(String(40), index=True)
    payload: Mapped[dict]
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Declared so that one flush inserts a state before the deliveries of it.
    handoff_state: Mapped["HandoffState"] = relationship()
