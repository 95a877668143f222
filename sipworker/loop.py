"""The one thread that drives PJSIP: events from callbacks, results from the backend, timers."""

import heapq
import itertools
import logging
import queue
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pjsua2 as pj

log = logging.getLogger(__name__)


class Timer:
    """A pending call-back on the loop; ``cancel()`` makes it a no-op."""

    __slots__ = ("callback",)

    def __init__(self, callback: Callable[[], None]):
        self.callback: Callable[[], None] | None = callback

    def cancel(self) -> None:
        """Forget the call-back (and whatever it references)."""
        self.callback = None


class Loop:
    """Run PJSIP's events, hand blocking work to a backend thread, and fire timers."""

    def __init__(self, endpoint: pj.Endpoint, dispatch: Callable[[object], None]):
        self.endpoint = endpoint
        self.dispatch = dispatch
        self.events: deque = deque()
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._timers: list = []
        self._sequence = itertools.count()
        self._backend = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sip-backend")
        self.pending = 0

    def submit(self, then: Callable[[Future], None], fn: Callable, *args) -> None:
        """Run ``fn(*args)`` on the backend thread, then ``then(future)`` back on this loop."""
        self.pending += 1
        future = self._backend.submit(fn, *args)
        future.add_done_callback(lambda done: self._inbox.put((then, done)))

    def later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Call ``callback`` on this loop after ``delay`` seconds."""
        timer = Timer(callback)
        heapq.heappush(self._timers, (time.monotonic() + delay, next(self._sequence), timer))
        return timer

    def turn(self, wait_ms: int = 10) -> None:
        """Handle PJSIP events for up to ``wait_ms``, then what they and others produced."""
        self.endpoint.libHandleEvents(wait_ms)
        while self.events:
            self._safely(self.dispatch, self.events.popleft())
        self._run_results()
        self._run_timers()

    def close(self) -> None:
        """Finish the backend's queued work and deliver its results."""
        self._backend.shutdown(wait=True)
        self._run_results()

    def forget(self) -> None:
        """Drop pending events and timers: nothing may keep a call alive past PJSIP."""
        self.events.clear()
        self._timers.clear()
        while not self._inbox.empty():
            self._inbox.get_nowait()

    def _run_results(self) -> None:
        while True:
            try:
                then, future = self._inbox.get_nowait()
            except queue.Empty:
                return
            self.pending -= 1
            self._safely(then, future)

    def _run_timers(self) -> None:
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            timer = heapq.heappop(self._timers)[2]
            callback, timer.callback = timer.callback, None
            if callback is not None:
                self._safely(callback)

    @staticmethod
    def _safely(fn: Callable, *args) -> None:
        try:
            fn(*args)
        except pj.Error as exc:
            log.error("PJSIP refused an operation: %s", exc.info())
        except Exception:
            log.exception("SIP worker step failed")
