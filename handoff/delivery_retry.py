"""Send a subscriber's failed deliveries again, once it is back, from the first attempt."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handoff.deliveries import FAILED, PENDING
from handoff.errors import Conflict, NotFound
from models import Delivery, utcnow


class DeliveryNotFound(NotFound):
    """The subscription has no delivery with this id."""


class DeliveryNotFailed(Conflict):
    """Only a delivery that was given up on can be sent again."""

    code = "delivery_not_failed"


def retry_failed(session: Session, subscription_id: int) -> int:
    """Queue every failed delivery of the subscription again; return how many; commit."""
    count = _requeue(session, Delivery.subscription_id == subscription_id)
    session.commit()
    return count


def retry_delivery(session: Session, subscription_id: int, delivery_id: int) -> Delivery:
    """Queue one failed delivery again and return it; commit.

    :raises DeliveryNotFound: when the subscription has no such delivery.
    :raises DeliveryNotFailed: when it is pending or was delivered.
    """
    mine = (Delivery.subscription_id == subscription_id, Delivery.id == delivery_id)
    if not _requeue(session, *mine):
        delivery = session.scalar(select(Delivery).where(*mine))
        if delivery is None:
            raise DeliveryNotFound(f"Subscription {subscription_id} has no delivery {delivery_id}.")
        raise DeliveryNotFailed(f"Delivery {delivery_id} is {delivery.status}, not failed.")
    session.commit()
    return session.get(Delivery, delivery_id)


def _requeue(session: Session, *where) -> int:
    # One statement: a delivery given up on concurrently is either in it or not, never half.
    # Its full schedule of attempts starts again; the last error stays until the next try.
    result = session.execute(
        update(Delivery)
        .where(Delivery.status == FAILED, *where)
        .values(status=PENDING, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
