"""Contender (h): Handoff answering as it ships with write-behind, its records thrown away.

Not a mode of the product (a caller's records are never optional): it measures what
answering costs on its own, the most any way of recording could leave Handoff, so the
benchmark shows how much of the gap to (a) and (b) is recording and how much answering.
`gunicorn "bench.reference_ceiling:create_app()"` with RECORDS_WRITE_BEHIND=1.
"""

from flask import Flask

from app import create_app as create_handoff
from handoff.recorder import Record, Recorder
from handoff.web.voice import RECORDER


class Discarding(Recorder):
    """A recorder that takes every record and writes nothing, not even its journal."""

    def submit(self, record: Record) -> None:
        """Throw ``record`` away."""


def create_app() -> Flask:
    """Create Handoff with write-behind whose recorder discards every record."""
    return discard_records(create_handoff())


def discard_records(app: Flask) -> Flask:
    """Give ``app`` (write-behind) a recorder that throws every record away; return it."""
    if not app.config.get("RECORDS_WRITE_BEHIND"):
        raise RuntimeError("the ceiling answers as write-behind does: set RECORDS_WRITE_BEHIND=1")
    app.extensions[RECORDER] = Discarding(lambda: None)
    return app
