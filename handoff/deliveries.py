"""Deliver queued transitions to subscribers: signed, in order per conversation, retried."""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import requests
from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import Session, aliased

from handoff.timefmt import iso
from models import Delivery, Subscription, utcnow

log = logging.getLogger(__name__)

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
SIGNATURE_HEADER = "X-Handoff-Signature"
TIMESTAMP_HEADER = "X-Handoff-Timestamp"
MAX_ROUNDS = 100


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard to try: timeouts, backoff and when to give up."""

    timeout: float = 5.0
    backoff: float = 5.0
    backoff_max: float = 3600.0
    max_attempts: int = 12
    # How long a worker owns a delivery it is sending before another may take it.
    lease: float = 60.0

    @classmethod
    def from_config(cls, config) -> "DeliveryPolicy":
        """Build the policy from the Flask config."""
        return cls(
            timeout=float(config.get("DELIVERY_TIMEOUT", 5)),
            backoff=float(config.get("DELIVERY_BACKOFF", 5)),
            backoff_max=float(config.get("DELIVERY_BACKOFF_MAX", 3600)),
            max_attempts=int(config.get("DELIVERY_MAX_ATTEMPTS", 12)),
        )

    def delay(self, attempts: int) -> float:
        """Return the wait before the next try after ``attempts`` failures."""
        return min(self.backoff * 2 ** (attempts - 1), self.backoff_max)


def sign(secret: str, body: bytes) -> str:
    """Return the signature header value: HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def due_deliveries(session: Session, limit: int = 50) -> list[Delivery]:
    """Return pending deliveries that are due and first in line for their conversation."""
    earlier = aliased(Delivery)
    blocked = exists().where(
        and_(
            earlier.subscription_id == Delivery.subscription_id,
            earlier.conversation_id == Delivery.conversation_id,
            earlier.id < Delivery.id,
            earlier.status == PENDING,
        )
    )
    query = (
        select(Delivery)
        .where(Delivery.status == PENDING, Delivery.next_attempt_at <= utcnow(), ~blocked)
        .order_by(Delivery.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def claim(session: Session, delivery: Delivery, lease: float) -> bool:
    """Take a lease on ``delivery`` so no other worker sends it meanwhile; commit."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id, Delivery.next_attempt_at == delivery.next_attempt_at)
        .values(next_attempt_at=utcnow() + timedelta(seconds=lease))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def post(subscription: Subscription, delivery: Delivery, timeout: float) -> str | None:
    """POST one delivery; return None on a 2xx answer, else what went wrong."""
    sent_at = iso(utcnow())
    body = json.dumps({**delivery.payload, "delivery_id": delivery.id, "sent_at": sent_at})
    raw = body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Handoff-Webhooks/1",
        SIGNATURE_HEADER: sign(subscription.secret, raw),
        TIMESTAMP_HEADER: sent_at,
    }
    try:
        response = requests.post(subscription.url, data=raw, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}"


def record(session: Session, delivery: Delivery, error: str | None, policy: DeliveryPolicy):
    """Store the outcome of one try and schedule the next one; commit."""
    delivery.attempts += 1
    if error is None:
        delivery.status, delivery.delivered_at, delivery.last_error = DELIVERED, utcnow(), ""
    else:
        delivery.last_error = error
        delay = policy.delay(delivery.attempts)
        delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)
        if delivery.attempts >= policy.max_attempts:
            delivery.status = FAILED
        log.warning(
            "delivery %s to subscription %s failed: %s",
            delivery.id,
            delivery.subscription_id,
            error,
        )
    session.commit()


def run_once(session: Session, policy: DeliveryPolicy) -> int:
    """Send every delivery that is due now, oldest first; return how many were tried."""
    tried = 0
    # Delivering one transition makes the conversation's next one due: go round again.
    for _ in range(MAX_ROUNDS):
        batch = due_deliveries(session)
        if not batch:
            break
        for delivery in batch:
            if not claim(session, delivery, policy.lease):
                continue
            subscription = session.get(Subscription, delivery.subscription_id)
            if subscription is None:
                forget_orphan(session, delivery)
                continue
            record(session, delivery, post(subscription, delivery, policy.timeout), policy)
            tried += 1
    return tried


def forget_orphan(session: Session, delivery: Delivery) -> None:
    """Delete a delivery whose subscription is gone, instead of failing the round; commit."""
    # Earlier releases left these on SQLite, which does not enforce ON DELETE CASCADE.
    log.warning("delivery %s: subscription %s is gone", delivery.id, delivery.subscription_id)
    session.execute(delete(Delivery).where(Delivery.id == delivery.id))
    session.commit()


def list_deliveries(session: Session, subscription_id: int, status: str | None, limit: int):
    """Return a subscription's deliveries, newest first."""
    query = select(Delivery).where(Delivery.subscription_id == subscription_id)
    if status:
        query = query.where(Delivery.status == status)
    return list(session.scalars(query.order_by(Delivery.id.desc()).limit(limit)))


def delivery_dict(delivery: Delivery) -> dict:
    """Return the API form of a delivery."""
    return {
        "id": delivery.id,
        "handoff_state_id": delivery.handoff_state_id,
        "conversation_id": delivery.conversation_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": iso(delivery.next_attempt_at) if delivery.status == PENDING else None,
        "last_error": delivery.last_error,
        "delivered_at": iso(delivery.delivered_at),
        "created_at": iso(delivery.created_at),
        "payload": delivery.payload,
    }
