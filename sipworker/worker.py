"""One worker process: the endpoint, its accounts, admission, sessions and shutdown."""

import gc
import logging
import os
import signal
import time

import pjsua2 as pj

from sipworker import legs
from sipworker.endpoint import create_endpoint, destroy_endpoint
from sipworker.inbound import parse_invite
from sipworker.loop import Loop
from sipworker.session import CallSession
from sipworker.settings import WorkerSettings

log = logging.getLogger(__name__)
# How long shutdown waits for BYEs to be answered.
DRAIN_SECONDS = 5.0


class Worker:
    """Answer SBC calls up to this process's leg limit and hand each to a session."""

    def __init__(self, settings: WorkerSettings, backend):
        self.settings = settings
        self.backend = backend
        self.legs: set[legs.Leg] = set()
        self.sessions: set[CallSession] = set()
        self.players: set[legs.Player] = set()
        self.stopping = False
        self.answered = 0
        self.endpoint = create_endpoint(settings)
        self.loop = Loop(self.endpoint, self.dispatch)
        self.accounts = self._accounts()

    def _accounts(self) -> dict[str, pj.Account]:
        host = self.settings.public_address or self.settings.host
        uri = f"sip:handoff@{host}:{self.settings.port}"
        events, media = self.loop.events, rtp_transport(self.settings)
        create = legs.create_account
        return {
            "inbound": create(uri, pj.PJMEDIA_SRTP_OPTIONAL, 0, True, events, media),
            "plain": create(uri, pj.PJMEDIA_SRTP_DISABLED, 0, False, events, media),
            "secure": create(
                uri.replace("sip:", "sips:", 1), pj.PJMEDIA_SRTP_MANDATORY, 1, False, events, media
            ),
        }

    def load(self) -> int:
        """Return the legs in use plus those promised to calls that may still bridge."""
        return len(self.legs) + sum(s.reserved for s in self.sessions if not s.ended)

    def submit(self, then, fn, *args) -> None:
        """Run ``fn`` on the backend thread and ``then`` with its future back here."""
        self.loop.submit(then or _log_failure, fn, *args)

    def dispatch(self, event) -> None:
        """Route one PJSIP event to the admission logic or to the call's session."""
        if isinstance(event, legs.Incoming):
            self.admit(event)
            return
        if isinstance(event, legs.PlayerDone):
            self._player_done(event.player)
            return
        session = event.leg.session
        if isinstance(event, legs.LegState) and event.state == legs.DISCONNECTED:
            self.legs.discard(event.leg)
        if session is not None:
            session.on_event(event)
            self._maybe_release(session)

    def admit(self, event: legs.Incoming) -> None:
        """Answer 503 with Retry-After when full; otherwise start a session."""
        leg = event.leg
        full = self.stopping or self.load() + 2 > self.settings.max_legs
        self.legs.add(leg)
        if full:
            retry = [("Retry-After", str(self.settings.retry_after))]
            leg.answer(legs.op_param(503, retry, "Worker at capacity"))
            return
        self.answered += 1
        session = CallSession(self, leg, parse_invite(event.message))
        self.sessions.add(session)
        session.start()

    def dial(self, step, session) -> legs.Leg:
        """Place an outbound call for a bridge: TLS + SRTP when ``step.secure``."""
        account = self.accounts["secure" if step.secure else "plain"]
        leg = legs.Leg(account, self.loop.events)
        leg.session = session
        self.legs.add(leg)
        leg.makeCall(step.target, legs.op_param(pairs=step.headers))
        return leg

    def player(self, wav: str, then) -> legs.Player:
        """Return a started one-shot player of ``wav`` that calls ``then`` at its end."""
        player = legs.Player(self.loop.events)
        player.createPlayer(wav, pj.PJMEDIA_FILE_NO_LOOP)
        player.then = then
        self.players.add(player)
        return player

    def stop_player(self, player: legs.Player) -> None:
        """Forget a prompt before its end (barge-in, hang-up); its end then calls nothing."""
        player.then = None
        self.players.discard(player)

    def _player_done(self, player) -> None:
        self.players.discard(player)
        then, player.then = player.then, None
        if then is not None:
            then()

    def hang_up(self, leg: legs.Leg, status: int = 0, headers=()) -> None:
        """End ``leg`` (BYE, CANCEL or a final response) unless it has already ended."""
        if leg in self.legs and leg.isActive():
            leg.hangup(legs.op_param(status, headers))

    def _maybe_release(self, session: CallSession) -> None:
        if session.ended and not (session.leg in self.legs or self._outbound_live(session)):
            session.release()
            self.sessions.discard(session)

    def _outbound_live(self, session) -> bool:
        outbound = getattr(session.executor, "outbound", None)
        return outbound is not None and outbound in self.legs

    def run(self) -> None:
        """Serve calls until SIGTERM or SIGINT, then shut down cleanly."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        log.info("SIP worker listening on %s:%s", self.settings.host, self.settings.port)
        log.info("SIP worker stats at start: %s", self.stats())
        while not self.stopping:
            self.loop.turn(20)
        self.shutdown()

    def _stop(self, signum, frame) -> None:
        self.stopping = True

    def shutdown(self) -> None:
        """BYE every call, record the outcomes, then free PJSIP in a safe order."""
        self.stopping = True
        self._each_session(CallSession.shut_down)
        self._drain()
        self.loop.close()
        gc.collect()
        log.info("SIP worker stats at shutdown: %s", self.stats())
        self._each_session(CallSession.release)
        self.sessions.clear()
        self.players.clear()
        self.legs.clear()
        for account in self.accounts.values():
            account.shutdown()
        self.accounts.clear()
        self.loop.forget()
        gc.collect()
        survivors = [o for o in gc.get_objects() if isinstance(o, legs.Leg)]
        for leg in survivors:
            holders = [gc.get_referrers(r) for r in gc.get_referrers(leg) if r is not survivors]
            log.error("call leg still referenced at shutdown by %s", holders)
        destroy_endpoint(self.endpoint)

    def _each_session(self, action) -> None:
        # A helper, so that no loop variable keeps a session (and its Call) alive here.
        for session in list(self.sessions):
            action(session)

    def stats(self) -> str:
        """Return counters that must come back to their idle values after every call."""
        fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1
        values = {
            "calls": self.answered,
            "legs": len(self.legs),
            "sessions": len(self.sessions),
            "players": len(self.players),
            "conference_ports": self.endpoint.mediaActivePorts(),
            "fds": fds,
        }
        return " ".join(f"{k}={v}" for k, v in values.items())

    def _drain(self) -> None:
        deadline = time.monotonic() + DRAIN_SECONDS
        while (self.legs or self.loop.pending) and time.monotonic() < deadline:
            self.loop.turn(20)


def rtp_transport(settings: WorkerSettings) -> pj.TransportConfig:
    """Return the RTP socket settings: the SIP host, any free port (pool members coexist)."""
    cfg = pj.TransportConfig()
    cfg.boundAddress = settings.host
    cfg.port = 0
    if settings.public_address:
        cfg.publicAddress = settings.public_address
    return cfg


def _log_failure(future) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("SIP worker backend step failed", exc_info=exc)
