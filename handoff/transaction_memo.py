"""What a transaction has read or added, kept in the session until the transaction ends.

Call records are written many calls per transaction with autoflush off; a query cannot see
rows added earlier in the same batch, so the records code remembers them here instead.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

MEMO = "handoff_transaction_memo"


def memo(session: Session, name: str) -> dict:
    """Return the transaction's memo called ``name`` (created empty)."""
    return session.info.setdefault(MEMO, {}).setdefault(name, {})


@event.listens_for(Session, "after_transaction_end")
def forget(session: Session, transaction) -> None:
    """Read afresh in the next transaction: other processes may have written meanwhile."""
    if transaction.parent is None:
        session.info.pop(MEMO, None)
