"""Write call records behind the answer: one queue per process, one transaction per batch.

A webhook answers from memory and hands its records here. A background thread writes
them in submission order, many calls per transaction, so the caller never waits for
the database; while the database is down the records wait and are written after it
recovers. A record is written once per reply key, however often Twilio retries.
"""

import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from handoff import calls
from handoff.journal import Journal

log = logging.getLogger(__name__)
# What one transaction of records came to.
WRITTEN, CONFLICT, UNREACHABLE, FAILED = "written", "conflict", "unreachable", "failed"


@dataclass(frozen=True)
class Record:
    """What one webhook leaves behind: its rows (``write``) and the TwiML it answered."""

    keys: tuple[str, ...]
    call_sid: str
    body: str
    write: Callable[[Session], None]
    # The record as plain values, for the journal (None: not journaled).
    entry: dict | None = None


class Recorder:
    """A per-process write-behind queue of call records, drained by one daemon thread."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        max_batch: int = 256,
        max_pending: int = 100_000,
        max_recent: int = 10_000,
        linger: float = 0.0,
        retry_delay: float = 0.2,
        max_retry_delay: float = 5.0,
        journal: Journal | None = None,
    ):
        self.session_factory = session_factory
        self.journal = journal
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.max_recent = max_recent
        self.linger = linger
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._queue: deque[Record] = deque()
        # Each queued record's journal sequence number (0: not journaled), in step with it.
        self._sequences: deque[int] = deque()
        self._changed = threading.Condition()
        self._submitted = 0
        self._finished = 0
        self._dropped = 0
        self._in_flight = 0
        # Callers waiting in drain(): the batch stops lingering for them.
        self._draining = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        # What this process answered lately, by reply key: a retry gets it back at once.
        self._recent: OrderedDict[str, str] = OrderedDict()

    def replay(self, keys: tuple[str, ...]) -> str | None:
        """Return what this process lately answered to one of ``keys``, if anything."""
        with self._changed:
            for key in keys:
                body = self._recent.get(key)
                if body is not None:
                    return body
        return None

    def submit(self, record: Record) -> None:
        """Queue ``record`` to be written (starts the writer thread on first use)."""
        with self._changed:
            if len(self._queue) - self._in_flight >= self.max_pending:
                # Memory is finite: the oldest waiting record goes, loudly (not one being
                # written); the caller is routed all the same.
                lost = self._queue[self._in_flight]
                del self._queue[self._in_flight]
                del self._sequences[self._in_flight]
                self._finished += 1
                self._dropped += 1
                log.error("call %s: record dropped, %d waiting", lost.call_sid, self.max_pending)
            journaled = self.journal is not None and record.entry is not None
            self._sequences.append(self.journal.queued(record.entry) if journaled else 0)
            self._queue.append(record)
            self._submitted += 1
            for key in record.keys:
                # The first answer stands: a concurrent retry does not replace it.
                self._recent.setdefault(key, record.body)
            while len(self._recent) > self.max_recent:
                self._recent.popitem(last=False)
            self._ensure_thread()
            if len(self._queue) == 1 or len(self._queue) >= self.max_batch:
                self._changed.notify_all()

    def drain(self, timeout: float | None = 10.0) -> bool:
        """Wait until every record submitted so far is written; return False on timeout."""
        with self._changed:
            target = self._submitted
            self._draining += 1
            self._changed.notify_all()
            try:
                return self._changed.wait_for(lambda: self._finished >= target, timeout)
            finally:
                self._draining -= 1

    @property
    def pending(self) -> int:
        """Return how many records are queued or being written."""
        with self._changed:
            return self._submitted - self._finished

    @property
    def dropped(self) -> int:
        """Return how many records were dropped because the queue was full."""
        return self._dropped

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued at once (up to ``timeout`` seconds), then end the thread."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        if self.pending:
            # Still in the journal: the next process to start takes them over.
            log.error("%d call records were not written before the process stopped", self.pending)
        if self.journal is not None and (thread is None or not thread.is_alive()):
            self.journal.close()
            self.journal = None

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="handoff-records", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        delay = self.retry_delay
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._queue or self._stopping)
                if not self._queue:
                    return
                if self.linger:
                    # Fewer, larger transactions: wait a moment for the batch to fill.
                    self._changed.wait_for(self._batch_ready, self.linger)
                batch = [self._queue[i] for i in range(min(self.max_batch, len(self._queue)))]
                self._in_flight = len(batch)
            if self._write(batch):
                delay = self.retry_delay
                with self._changed:
                    for _ in batch:
                        self._queue.popleft()
                    self._note_written(max(self._sequences.popleft() for _ in batch))
                    self._in_flight = 0
                    self._finished += len(batch)
                    self._changed.notify_all()
            else:
                # The database is unreachable: keep the batch first in line and wait.
                with self._changed:
                    self._in_flight = 0
                    self._changed.wait_for(lambda: self._stopping, delay)
                    if self._stopping:
                        return
                delay = min(delay * 2, self.max_retry_delay)

    def _batch_ready(self) -> bool:
        """Return True when the batch should be written without lingering any longer."""
        return len(self._queue) >= self.max_batch or self._stopping or self._draining > 0

    def _note_written(self, sequence: int) -> None:
        """Mark the journal up to ``sequence`` as written; empty it when nothing waits."""
        if self.journal is None:
            return
        if not self._queue:
            self.journal.empty()
        elif sequence:
            self.journal.written(sequence)

    def _write(self, batch: list[Record]) -> bool:
        """Write ``batch`` in one transaction; return False when the database is unreachable."""
        outcome = self._commit(batch)
        if outcome == UNREACHABLE:
            return False
        if outcome == WRITTEN:
            return True
        # A concurrent retry in another process recorded one of these first, or one is bad.
        log.info("writing the %d records one by one", len(batch))
        for record in batch:
            outcome = self._commit([record])
            if outcome == UNREACHABLE:
                return False
            if outcome == CONFLICT:
                log.info("call %s: already recorded by a concurrent retry", record.call_sid)
        return True

    def _commit(self, records: list[Record]) -> str:
        """Write ``records`` in one transaction; return the outcome (failures are logged)."""
        try:
            with self.session_factory() as session:
                write_records(session, records)
                session.commit()
            return WRITTEN
        except IntegrityError:
            return CONFLICT
        except DBAPIError as exc:
            if _unreachable(exc):
                log.warning("database unreachable; %d records wait: %s", self.pending, exc.orig)
                return UNREACHABLE
            log.exception("call %s: records could not be written", records[0].call_sid)
        except Exception:
            log.exception("call %s: records could not be written", records[0].call_sid)
        return FAILED


def write_records(session: Session, batch: list[Record]) -> None:
    """Add the rows of every record not written before (by reply key); do not commit."""
    keys = [key for record in batch for key in record.keys]
    written = calls.stored_keys(session, keys)
    calls.remember_conversations(session, [record.call_sid for record in batch])
    # One flush at commit for the whole batch: its rows go in as one INSERT per table.
    with session.no_autoflush:
        for record in batch:
            if written.intersection(record.keys):
                continue
            written.update(record.keys)
            record.write(session)
            calls.store_reply(session, record.keys, record.call_sid, record.body)


def _unreachable(exc: DBAPIError) -> bool:
    """Return True when the database is away or busy (retry later), not when a row is bad."""
    return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
