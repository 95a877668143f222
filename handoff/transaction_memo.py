"""What a transaction has read or added, kept in the session until the transaction ends.

Call records are written many calls per transaction with autoflush off; a query cannot see
rows added earlier in the same batch, so the records code remembers them here instead.
Rows nothing reads back before the commit (transcript turns, metrics, stored replies) are not
ORM objects at all: they wait here and go in at the commit as one executemany per table.
In those batches new conversations, handoffs and state rows are ORM objects the session never
sees: they too wait here and go in as plain rows, with the values they have at the commit.
"""

from itertools import groupby

from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.schema import sort_tables

MEMO = "handoff_transaction_memo"
ADDED = "added_rows"
WAITING = "waiting_objects"


def memo(session: Session, name: str) -> dict:
    """Return the transaction's memo called ``name`` (created empty)."""
    return session.info.setdefault(MEMO, {}).setdefault(name, {})


def add_row(session: Session, table: Table, values: dict) -> None:
    """Insert ``values`` into ``table`` when the transaction commits (every key, every row)."""
    memo(session, ADDED).setdefault(table, []).append(values)


def add_new(session: Session, model, **values):
    """Return a new ``model`` object with ``values``; with autoflush off, a row at the commit.

    The ORM's flush is most of a batch's cost; a waiting object costs one executemany row.
    Until the commit it is invisible to queries (as pending objects are with autoflush off).
    """
    if session.autoflush:
        obj = model(**values)
        session.add(obj)
        return obj
    # Not through the constructor: setting each attribute through the ORM's instrumentation
    # cost a quarter of recording a batch, and nothing tracks changes to an object that
    # waits here. Its values are read back from ``__dict__`` at the commit (row_of).
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(values)
    memo(session, WAITING).setdefault(obj.__table__, []).append(obj)
    return obj


def store_now(session: Session, *objs) -> None:
    """Hand waiting objects to the session, so the next flush inserts them and sets their ids."""
    waiting = memo(session, WAITING)
    for obj in objs:
        if obj is None:
            continue  # e.g. a transition without a handoff
        rows = waiting.get(obj.__table__, [])
        for i, candidate in enumerate(rows):
            if candidate is obj:
                del rows[i]
                session.add(obj)
                break


def added_rows(session: Session, table: Table) -> list[dict]:
    """Return the rows added to ``table`` in this transaction and not inserted yet."""
    return session.info.get(MEMO, {}).get(ADDED, {}).get(table, [])


@event.listens_for(Session, "before_commit")
def insert_added_rows(session: Session) -> None:
    """Insert the rows added with :func:`add_row`, after the ORM objects they refer to."""
    waiting = session.info.get(MEMO, {}).pop(WAITING, None) or {}
    added = session.info.get(MEMO, {}).pop(ADDED, None) or {}
    if not added and not any(waiting.values()):
        return
    session.flush()
    # Handoffs before the state rows that name them, whatever order the records came in.
    for table in sort_tables(waiting):
        rows = [row_of(obj) for obj in waiting[table]]
        # One executemany per set of columns (a column left to the database is not sent).
        for _, same in groupby(sorted(rows, key=sorted), key=sorted):
            session.execute(insert(table), list(same))
    for table, rows in added.items():
        # No RETURNING: SQLite too sends the whole table's rows in one executemany.
        session.execute(insert(table), rows)


def row_of(obj) -> dict:
    """Return a new ORM object's column values, with the Python-side defaults it has not set."""
    values = {}
    for prop in inspect(type(obj)).column_attrs:
        column = prop.columns[0]
        if prop.key in obj.__dict__:
            values[column.key] = obj.__dict__[prop.key]
        elif column.default is not None and column.default.is_callable:
            values[column.key] = column.default.arg(None)
        elif column.default is not None and column.default.is_scalar:
            values[column.key] = column.default.arg
        # Otherwise the database fills it in: an autoincrement id, a server default, NULL.
    return values


@event.listens_for(Session, "after_transaction_end")
def forget(session: Session, transaction) -> None:
    """Read afresh in the next transaction: other processes may have written meanwhile."""
    if transaction.parent is None:
        session.info.pop(MEMO, None)
