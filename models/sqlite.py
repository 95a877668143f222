"""SQLite connection settings for a web service: WAL, relaxed fsync, a busy timeout."""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def tune_sqlite(dbapi_connection, _record) -> None:
    """Let readers run beside the writer and commit without an fsync per transaction."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # WAL: one writer and many readers across gunicorn workers; NORMAL is durable against a
    # crashed or killed process (only a power loss may drop the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Wait for the writer instead of failing at once with "database is locked".
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
