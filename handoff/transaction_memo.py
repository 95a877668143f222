"""What a transaction has read or added, kept in the session until the transaction ends.

Call records are written many calls per transaction with autoflush off; a query cannot see
rows added earlier in the same batch, so the records code remembers them here instead.
Rows nothing reads back before the commit (transcript turns, metrics, stored replies) are not
ORM objects at all: they wait here and go in at the commit as one executemany per table.
"""

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import Session

MEMO = "handoff_transaction_memo"
ADDED = "added_rows"


def memo(session: Session, name: str) -> dict:
    """Return the transaction's memo called ``name`` (created empty)."""
    return session.info.setdefault(MEMO, {}).setdefault(name, {})


def add_row(session: Session, table: Table, values: dict) -> None:
    """Insert ``values`` into ``table`` when the transaction commits (every key, every row)."""
    memo(session, ADDED).setdefault(table, []).append(values)


def added_rows(session: Session, table: Table) -> list[dict]:
    """Return the rows added to ``table`` in this transaction and not inserted yet."""
    return session.info.get(MEMO, {}).get(ADDED, {}).get(table, [])


@event.listens_for(Session, "before_commit")
def insert_added_rows(session: Session) -> None:
    """Insert the rows added with :func:`add_row`, after the ORM objects they refer to."""
    added = session.info.get(MEMO, {}).pop(ADDED, None)
    if not added:
        return
    session.flush()
    for table, rows in added.items():
        # No RETURNING: SQLite too sends the whole table's rows in one executemany.
        session.execute(insert(table), rows)


@event.listens_for(Session, "after_transaction_end")
def forget(session: Session, transaction) -> None:
    """Read afresh in the next transaction: other processes may have written meanwhile."""
    if transaction.parent is None:
        session.info.pop(MEMO, None)
