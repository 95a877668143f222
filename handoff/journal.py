"""Keep what a process answered but has not recorded yet in an append-only file.

With records written behind the answer, a worker killed with SIGKILL would lose what it
had queued. Each record is first appended to the process's journal (a write to the page
cache: it outlives the process, though not a power cut); a line marks each batch written.
The process holds an exclusive lock on its journal while it lives, so another process can
tell an orphan (its lock is free) and take its unwritten entries over.
"""

import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)
SUFFIX = ".journal"


class Journal:
    """This process's journal: one line per record queued, one per batch written."""

    def __init__(self, folder: str):
        Path(folder).mkdir(parents=True, exist_ok=True)
        self.path = Path(folder) / f"{os.getpid()}-{time.time_ns()}{SUFFIX}"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        # Held until the process ends, however it ends: the kernel releases it.
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._sequence = 0

    def queued(self, entry: dict) -> int:
        """Append ``entry`` and return its sequence number."""
        self._sequence += 1
        self._write({"seq": self._sequence, "entry": entry})
        return self._sequence

    def written(self, sequence: int) -> None:
        """Note that every entry up to ``sequence`` is in the database."""
        self._write({"done": sequence})

    def empty(self) -> None:
        """Forget every entry (all are written): keep the file small."""
        os.ftruncate(self._fd, 0)

    def close(self) -> None:
        """Release the journal; remove it when nothing in it waits."""
        if os.fstat(self._fd).st_size == 0:
            self.path.unlink(missing_ok=True)
        os.close(self._fd)

    def _write(self, line: dict) -> None:
        os.write(self._fd, (json.dumps(line, separators=(",", ":")) + "\n").encode())


def orphans(folder: str) -> Iterator[tuple[Path, list[dict]]]:
    """Yield each dead process's journal (locked for the caller) with its unwritten entries.

    The caller queues the entries in its own journal, then removes the orphan's file.
    """
    for path in sorted(Path(folder).glob(f"*{SUFFIX}")):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue  # another process took it over first
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)  # its process is alive
            continue
        try:
            if path.exists():
                yield path, unwritten(path.read_text())
        finally:
            os.close(fd)


def unwritten(text: str) -> list[dict]:
    """Return the entries of a journal's text that no later line marks as written."""
    entries: dict[int, dict] = {}
    done = 0
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            # The last line of a process killed mid-write: nothing was answered from it.
            log.warning("skipping a torn journal line")
            continue
        if "done" in item:
            done = max(done, item["done"])
        else:
            entries[item["seq"]] = item["entry"]
    return [entry for seq, entry in sorted(entries.items()) if seq > done]
