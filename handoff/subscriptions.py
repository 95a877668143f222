"""Webhook subscribers: registration, and one Delivery per transition and subscriber."""

import secrets
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handoff.errors import NotFound, ValidationFailed
from handoff.states import Transition
from handoff.timefmt import iso
from handoff.transaction_memo import memo, store_now
from models import Conversation, Delivery, HandoffState, Subscription

# Transaction memo: the active subscriptions, read once per batch of call records.
SUBSCRIPTIONS = "subscriptions"
# Built once: a webhook recorded in the request runs it (building it costs about 15 µs).
_ACTIVE = select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id)


class SubscriptionNotFound(NotFound):
    """No subscription has this id."""


class InvalidSubscription(ValidationFailed):
    """A subscription field is invalid; ``errors`` maps field names to messages."""


def check_url(url: str) -> None:
    """Accept only absolute http(s) URLs.

    :raises InvalidSubscription: otherwise.
    """
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSubscription({"url": ["Must be an absolute http:// or https:// URL."]})


def create_subscription(session: Session, url: str, environment: str | None) -> Subscription:
    """Register ``url`` for transitions (of one environment, or all) and commit."""
    check_url(url)
    subscription = Subscription(
        url=url, environment=environment, secret="whsec_" + secrets.token_urlsafe(32)
    )
    session.add(subscription)
    session.commit()
    return subscription


def get_subscription(session: Session, subscription_id: int) -> Subscription:
    """Return the subscription with this id.

    :raises SubscriptionNotFound: when there is none.
    """
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise SubscriptionNotFound(f"No subscription {subscription_id}.")
    return subscription


def list_subscriptions(session: Session) -> list[Subscription]:
    """Return every subscription, oldest first."""
    return list(session.scalars(select(Subscription).order_by(Subscription.id)))


def update_subscription(session: Session, subscription: Subscription, changes: dict) -> None:
    """Apply ``changes`` (url, environment, active) and commit."""
    if "url" in changes:
        check_url(changes["url"])
    for field in ("url", "environment", "active"):
        if field in changes:
            setattr(subscription, field, changes[field])
    session.commit()


def delete_subscription(session: Session, subscription: Subscription) -> None:
    """Remove a subscription and its pending deliveries, and commit."""
    # Not left to ON DELETE CASCADE: SQLite does not enforce foreign keys here, and the
    # deliveries it left behind had no subscription to be sent to.
    session.execute(delete(Delivery).where(Delivery.subscription_id == subscription.id))
    session.delete(subscription)
    session.commit()


def subscription_dict(subscription: Subscription, with_secret: bool = False) -> dict:
    """Return the API form of a subscription; the secret only when asked (creation)."""
    result = {
        "id": subscription.id,
        "url": subscription.url,
        "environment": subscription.environment,
        "active": subscription.active,
        "created_at": iso(subscription.created_at),
    }
    if with_secret:
        result["secret"] = subscription.secret
    return result


def transition_payload(conversation: Conversation, row: HandoffState) -> dict:
    """Return what subscribers and the live stream receive for one transition."""
    return {
        "event": "handoff_state",
        "id": row.id,
        "conversation_id": row.conversation_id,
        "handoff_id": row.handoff_id,
        "environment": conversation.environment,
        "call_sid": conversation.call_sid,
        "state": row.state,
        "at": iso(row.at),
        "detail": row.detail,
        "sip_code": row.sip_code,
        "source": row.source,
    }


def enqueue_deliveries(session: Session, moved: Transition) -> None:
    """Queue the transition for every matching subscriber, in the caller's transaction."""
    row, conversation = moved.row, moved.conversation
    subscribers = [
        subscription
        for subscription in active_subscriptions(session)
        if subscription.environment in (None, conversation.environment)
    ]
    if not subscribers:
        return
    if row.id is None:
        # A delivery names its state row and carries its time: store them first.
        store_now(session, conversation, moved.handoff, row)
        session.flush()
    payload = transition_payload(conversation, row)
    for subscription in subscribers:
        session.add(
            Delivery(
                subscription_id=subscription.id,
                handoff_state_id=row.id,
                conversation_id=row.conversation_id,
                payload=payload,
            )
        )


def active_subscriptions(session: Session) -> list[Subscription]:
    """Return the active subscriptions (read once per transaction)."""
    known = memo(session, SUBSCRIPTIONS)
    if "active" not in known:
        known["active"] = list(session.scalars(_ACTIVE))
    return known["active"]
