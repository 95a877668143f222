"""REFER and BYE handoffs on the caller's own leg."""

import logging

from sipworker import legs
from sipworker.steps import Execute

log = logging.getLogger(__name__)
# A REFER that never gets a final NOTIFY is reported with this code.
TIMEOUT_CODE = 408


class ReferExecutor:
    """Send REFER, follow the NOTIFY sipfrags to a final code, then hang up on success."""

    def __init__(self, session, step: Execute):
        self.session = session
        self.step = step
        self.refer_code: int | None = None
        self.timer = None
        self.done = False

    def start(self) -> None:
        """Send the REFER with the destination's headers, in Refer-To and on the request."""
        timeout = self.session.worker.settings.refer_timeout
        self.timer = self.session.worker.loop.later(timeout, self._timed_out)
        self.session.leg.xfer(f"<{self.step.refer_to}>", legs.op_param(pairs=self.step.headers))

    def on_event(self, event) -> None:
        """Follow the REFER response and each NOTIFY."""
        if self.done:
            return
        if isinstance(event, legs.RequestDone) and event.method == "REFER":
            self.refer_code = event.code
            if event.code >= 300:
                self._finish(False, event.code, "REFER rejected")
        elif isinstance(event, legs.TransferStatus):
            self._notified(event)

    def _notified(self, event: legs.TransferStatus) -> None:
        # pjsua reports an accepted REFER as 1xx; only a NOTIFY sipfrag brings 2xx-6xx,
        # so a bare 202 can never count as success.
        if event.code >= 300 and self.refer_code is None:
            self.refer_code = event.code
            self._finish(False, event.code, "REFER rejected")
        elif event.code >= 200:
            ok = event.code < 300
            self._finish(ok, event.code, f"NOTIFY {event.code} {event.reason}".strip())

    def _timed_out(self) -> None:
        if not self.done:
            self._finish(False, TIMEOUT_CODE, "no final NOTIFY before the REFER timeout")

    def _finish(self, ok: bool, code: int, detail: str) -> None:
        self.done = True
        self.stop()
        detail = f"{detail} (REFER answered {self.refer_code})" if self.refer_code else detail
        self.session.outcome(self.step.handoff_id, ok, code, detail)
        if ok:
            self.session.finish("transferred")

    def abandon(self, detail: str) -> None:
        """The call ends before the transfer finished (hang-up, shutdown): record a failure."""
        if not self.done:
            self.done = True
            self.stop()
            self.session.outcome(self.step.handoff_id, False, None, detail)

    def stop(self) -> None:
        """Cancel the REFER timer."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def release(self) -> None:
        """Drop references to the session."""
        self.stop()
        self.session = None


class ByeExecutor:
    """End the caller's leg with the destination's headers on the BYE."""

    def __init__(self, session, step: Execute):
        self.session = session
        self.step = step

    def start(self) -> None:
        """Record the handoff, then send BYE carrying the headers."""
        self.session.outcome(self.step.handoff_id, True, 200, "BYE sent with headers")
        self.session.finish("bye", self.step.headers)

    def on_event(self, event) -> None:
        """BYE has nothing to follow."""

    def abandon(self, detail: str) -> None:
        """Nothing to undo."""

    def stop(self) -> None:
        """Nothing to cancel."""

    def release(self) -> None:
        """Drop references to the session."""
        self.session = None


class UnusableExecutor(ByeExecutor):
    """A plan this worker cannot carry out (e.g. a phone number): fail it at once."""

    def start(self) -> None:
        """Record the failure so the backend picks the fallback."""
        self.session.outcome(self.step.handoff_id, False, None, self.step.unusable)


def executor_for(session, step: Execute):
    """Return the executor of ``step``'s method."""
    from sipworker.bridge import BridgeExecutor

    if step.unusable:
        return UnusableExecutor(session, step)
    kinds = {"sip_refer": ReferExecutor, "sip_bye": ByeExecutor, "sip_invite": BridgeExecutor}
    return kinds[step.method](session, step)
