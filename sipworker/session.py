"""One inbound call from answer to hang-up: gather digits, announce, hand off, end."""

import logging

from sipworker import legs
from sipworker.steps import Execute, Gather, Hangup
from sipworker.transfer import executor_for

log = logging.getLogger(__name__)
# Wait this long after a digit for the next one before deciding.
INTER_DIGIT = 2.0


class CallSession:
    """Drive one SBC call; blocking work goes to the backend through the loop."""

    def __init__(self, worker, leg: legs.Leg, call):
        self.worker = worker
        self.leg = leg
        leg.session = self
        self.call = call
        self.conversation_id: str | None = None
        # Legs this call may still need (a bridge's outbound leg) but has not opened yet.
        self.reserved = 1
        self.confirmed = False
        self.waiting: object | None = None
        self.gather: Gather | None = None
        self.digits = ""
        self.finished_digits = False
        self.timer = None
        self.player = None
        self.executor = None
        self.ended = False
        self.detail = ""
        self.caller_left = False

    def start(self) -> None:
        """Answer the call and ask the backend for the first step."""
        self.leg.answer(legs.op_param(200))
        self.worker.submit(self._started, self.worker.backend.start, self.call)

    def _started(self, future) -> None:
        result = self._result(future)
        if result is None:
            return
        self.conversation_id, step = result
        if self.ended:
            # The caller left before the conversation existed: record its end now.
            self.worker.submit(None, self.worker.backend.ended, self.conversation_id, self.detail)
        self.run(step)

    def _result(self, future):
        """Return the backend's answer; when it failed (database down), log and hang up."""
        if future.exception() is None:
            return future.result()
        log.error("call %s: backend failed: %r", self.call.call_id, future.exception())
        self.finish("backend_error")
        return None

    def run(self, step) -> None:
        """Carry out ``step`` once the caller's leg is confirmed."""
        if self.ended or step is None:
            return
        if not self.confirmed:
            self.waiting = step
            return
        if isinstance(step, Gather):
            self._gather(step)
        elif isinstance(step, Execute):
            self.reserved = 1 if step.method == "sip_invite" else 0
            self.executor = executor_for(self, step)
            self.announce(step.utterance_wav, self.executor.start)
        elif isinstance(step, Hangup):
            self.announce(step.apology_wav, lambda: self.finish("unrouted", step.headers))

    def announce(self, wav: str | None, then) -> None:
        """Play ``wav`` to the caller, then call ``then``; with no audio, call it at once."""
        audio = self.leg.audio() if wav else None
        if audio is None:
            then()
            return
        self.player = self.worker.player(wav, self._played(then))
        self.player.startTransmit(audio)

    def _played(self, then):
        def done():
            self.player = None
            if not self.ended:
                then()

        return done

    def _gather(self, step: Gather) -> None:
        self.gather = step
        if self._digits_complete():
            # The caller typed ahead, before the prompt could start.
            self._gathered()
            return
        self.announce(step.prompt_wav, lambda: self._wait_digit(step.timeout))

    def _wait_digit(self, seconds: float) -> None:
        self._cancel_timer()
        self.timer = self.worker.loop.later(seconds, self._gathered)

    def _gathered(self) -> None:
        step, self.gather = self.gather, None
        digits, self.digits, self.finished_digits = self.digits, "", False
        self._cancel_timer()
        if step is None or self.ended:
            return
        backend = self.worker.backend
        self.worker.submit(self._next, backend.gathered, self.conversation_id, digits, step)

    def _next(self, future) -> None:
        self.run(self._result(future))

    def on_event(self, event) -> None:
        """React to an event on one of this call's legs."""
        if event.leg is self.leg:
            self._caller_event(event)
        elif self.executor is not None:
            self.executor.on_event(event)

    def _caller_event(self, event) -> None:
        if isinstance(event, legs.LegState) and event.state == legs.CONFIRMED:
            self.confirmed = True
            step, self.waiting = self.waiting, None
            self.run(step)
        elif isinstance(event, legs.LegState) and event.state == legs.DISCONNECTED:
            self._caller_gone(event)
        elif isinstance(event, legs.Digit):
            self._digit(event.digit)
        elif self.executor is not None:
            self.executor.on_event(event)

    def _digit(self, digit: str) -> None:
        if self.executor is not None or self.finished_digits:
            return
        if digit == "#":
            self.finished_digits = True
        else:
            self.digits += digit
        if self.gather is None:
            return
        if self._digits_complete():
            self._gathered()
            return
        if self.player is not None:
            # Barge-in: a digit stops the prompt.
            self.worker.stop_player(self.player)
            self.player = None
        self._wait_digit(INTER_DIGIT)

    def _digits_complete(self) -> bool:
        return self.finished_digits or len(self.digits) >= self.gather.max_digits

    def _caller_gone(self, event) -> None:
        self._abandon("caller hung up", "caller_hangup")

    def shut_down(self) -> None:
        """The worker is stopping: end the call now; an unfinished handoff is recorded failed."""
        self._abandon("worker shutdown", "worker_shutdown")

    def _abandon(self, why: str, detail: str) -> None:
        # Nobody to hand off any more: no fallback is tried.
        self.caller_left = True
        if self.executor is not None and not self.ended:
            self.executor.abandon(why)
        self.finish(detail)

    def outcome(self, handoff_id: str, ok: bool, code: int | None, detail: str) -> None:
        """Record a handoff's outcome; on failure carry out the fallback the backend picks."""
        self.executor = None if not ok else self.executor
        backend = self.worker.backend
        fail_over = not (ok or self.ended or self.caller_left)
        args = (self.conversation_id, handoff_id, ok, code, detail, fail_over)
        self.worker.submit(self._after_outcome(ok), backend.transferred, *args)

    def _after_outcome(self, ok: bool):
        def then(future):
            step = self._result(future)
            if not ok and not self.ended:
                self.run(step or Hangup(apology="", apology_wav=None))

        return then

    def finish(self, detail: str, headers=()) -> None:
        """Hang up every leg of this call (once) and record that the conversation ended."""
        if self.ended:
            return
        self.ended, self.detail = True, detail
        self._cancel_timer()
        if self.player is not None:
            self.worker.stop_player(self.player)
            self.player = None
        if self.executor is not None:
            self.executor.stop()
        self.worker.hang_up(self.leg, headers=headers)
        if self.conversation_id is not None:
            self.worker.submit(None, self.worker.backend.ended, self.conversation_id, detail)

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def release(self) -> None:
        """Break the references between this session, its legs and its executor."""
        self.leg.session = None
        if self.executor is not None:
            self.executor.release()
        self.executor = self.player = self.waiting = self.timer = None
