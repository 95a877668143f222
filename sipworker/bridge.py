"""INVITE handoff: call the destination, then bridge the two legs' audio both ways."""

import logging

from sipworker import legs
from sipworker.steps import Execute

log = logging.getLogger(__name__)
NO_ANSWER = 408


class BridgeExecutor:
    """Place the outbound leg with the headers, ring it, bridge on answer, end together."""

    def __init__(self, session, step: Execute):
        self.session = session
        self.step = step
        self.outbound: legs.Leg | None = None
        self.timer = None
        self.answered = False
        self.bridged = False
        self.done = False

    def start(self) -> None:
        """Dial the destination; the ring timeout starts now."""
        worker = self.session.worker
        self.outbound = worker.dial(self.step, self.session)
        self.session.reserved = 0
        self.timer = worker.loop.later(self.step.ring_timeout, self._no_answer)

    def on_event(self, event) -> None:
        """Follow the outbound leg: answer, media, hang-up."""
        if self.outbound is None or getattr(event, "leg", None) is not self.outbound:
            if isinstance(event, legs.MediaReady):
                self._bridge()
            return
        if isinstance(event, legs.LegState) and event.state == legs.CONFIRMED:
            self._answered()
        elif isinstance(event, legs.MediaReady):
            self._bridge()
        elif isinstance(event, legs.LegState) and event.state == legs.DISCONNECTED:
            self._outbound_gone(event)

    def _answered(self) -> None:
        self.answered = True
        self.stop()
        self._bridge()
        if not self.done:
            self.done = True
            self.session.outcome(self.step.handoff_id, True, 200, "answered and bridged")

    def _bridge(self) -> None:
        if not self.answered or self.bridged:
            return
        caller, callee = self.session.leg.audio(), self.outbound.audio()
        if caller is None or callee is None:
            return
        caller.startTransmit(callee)
        callee.startTransmit(caller)
        self.bridged = True

    def _no_answer(self) -> None:
        self.timer = None
        if not self.done:
            self._fail(NO_ANSWER, "no answer before the ring timeout")

    def _outbound_gone(self, event) -> None:
        self.outbound = None
        if self.answered:
            self.session.finish("destination_hangup")
        elif not self.done:
            self._fail(event.code, f"destination answered {event.code} {event.reason}".strip())

    def _fail(self, code: int, detail: str) -> None:
        self.done = True
        self._hang_up_outbound()
        self.session.outcome(self.step.handoff_id, False, code, detail)

    def abandon(self, detail: str) -> None:
        """The call ends: cancel a ringing leg (recorded as failed) or end the bridge."""
        if not self.done:
            # The outbound INVITE is cancelled: 487 Request Terminated.
            self._fail(487, f"{detail} during ringing")
        self._hang_up_outbound()

    def _hang_up_outbound(self) -> None:
        self.stop()
        if self.outbound is not None:
            self.session.worker.hang_up(self.outbound)

    def stop(self) -> None:
        """Cancel the ring timer; end the outbound leg when the session ends."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.session is not None and self.session.ended and self.outbound is not None:
            self.session.worker.hang_up(self.outbound)

    def release(self) -> None:
        """Drop references between this executor, its legs and the session."""
        self.stop()
        if self.outbound is not None:
            self.outbound.session = None
        self.session = self.outbound = None
