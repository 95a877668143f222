"""pjsua2 call legs and accounts that turn PJSIP callbacks into plain events.

Callbacks only copy fields out of their parameters (which die when the callback
returns) and append an event; the event loop acts on it afterwards.
"""

from collections import deque
from dataclasses import dataclass

import pjsua2 as pj

# Leg states the loop cares about.
CONFIRMED = "confirmed"
DISCONNECTED = "disconnected"
EARLY = "early"


@dataclass(frozen=True)
class Incoming:
    """A new INVITE reached the account; ``leg`` is already bound to it."""

    leg: "Leg"
    message: str


@dataclass(frozen=True)
class LegState:
    """A leg changed state; ``code`` is the last SIP status seen on it."""

    leg: "Leg"
    state: str
    code: int
    reason: str


@dataclass(frozen=True)
class MediaReady:
    """A leg's audio is active and may be connected to the bridge."""

    leg: "Leg"


@dataclass(frozen=True)
class TransferStatus:
    """Progress of a REFER: the REFER response, then each NOTIFY sipfrag."""

    leg: "Leg"
    code: int
    reason: str
    final: bool


@dataclass(frozen=True)
class RequestDone:
    """A request this leg sent in its dialog (REFER, BYE) got its final response."""

    leg: "Leg"
    method: str
    code: int


@dataclass(frozen=True)
class Digit:
    """A DTMF digit, by RFC 4733 or SIP INFO."""

    leg: "Leg"
    digit: str
    method: str


@dataclass(frozen=True)
class PlayerDone:
    """A prompt finished playing."""

    player: "Player"


_STATES = {
    pj.PJSIP_INV_STATE_EARLY: EARLY,
    pj.PJSIP_INV_STATE_CONFIRMED: CONFIRMED,
    pj.PJSIP_INV_STATE_DISCONNECTED: DISCONNECTED,
}


_FOLLOWED = ("REFER", "BYE")


class Leg(pj.Call):
    """One call leg; its callbacks feed ``events``."""

    def __init__(self, account: pj.Account, events: deque, call_id: int = pj.PJSUA_INVALID_ID):
        super().__init__(account, call_id)
        self.events = events
        self.session = None

    def onCallState(self, prm):
        info = self.getInfo()
        state = _STATES.get(info.state)
        if state:
            self.events.append(LegState(self, state, info.lastStatusCode, info.lastReason))

    def onCallMediaState(self, prm):
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.events.append(MediaReady(self))
                return

    def onCallTransferStatus(self, prm):
        self.events.append(TransferStatus(self, prm.statusCode, prm.reason, prm.finalNotify))

    def onCallTsxState(self, prm):
        if prm.e.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        tsx = prm.e.body.tsxState.tsx
        if (
            tsx.role == pj.PJSIP_ROLE_UAC
            and tsx.method in _FOLLOWED
            and tsx.state == pj.PJSIP_TSX_STATE_COMPLETED
        ):
            self.events.append(RequestDone(self, tsx.method, tsx.statusCode))

    def onDtmfDigit(self, prm):
        method = "info" if prm.method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc4733"
        self.events.append(Digit(self, str(prm.digit), method))

    def audio(self) -> pj.AudioMedia | None:
        """Return the leg's active audio media, if any."""
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                return self.getAudioMedia(media.index)
        return None


class Player(pj.AudioMediaPlayer):
    """A one-shot WAV player that reports its end as an event."""

    def __init__(self, events: deque):
        super().__init__()
        self.events = events

    def onEof2(self):
        self.events.append(PlayerDone(self))


class InboundAccount(pj.Account):
    """The account SBC calls arrive on."""

    def __init__(self, events: deque):
        super().__init__()
        self.events = events

    def onIncomingCall(self, prm):
        # Bind the leg now: the call id is only guaranteed valid inside this callback.
        self.events.append(Incoming(Leg(self, self.events, prm.callId), prm.rdata.wholeMsg))


def create_account(uri: str, srtp: int, secure_signaling: int, default: bool, events: deque, media):
    """Create a registration-less account with the given SRTP policy and RTP transport."""
    cfg = pj.AccountConfig()
    cfg.idUri = uri
    cfg.mediaConfig.transportConfig = media
    cfg.mediaConfig.srtpUse = srtp
    cfg.mediaConfig.srtpSecureSignaling = secure_signaling
    account = InboundAccount(events)
    account.create(cfg, default)
    return account


def headers(pairs) -> pj.SipHeaderVector:
    """Return ``(name, value)`` pairs as PJSIP header objects."""
    vector = pj.SipHeaderVector()
    for name, value in pairs:
        header = pj.SipHeader()
        header.hName = name
        header.hValue = value
        vector.append(header)
    return vector


def op_param(status: int = 0, pairs=(), reason: str = "") -> pj.CallOpParam:
    """Return call-operation parameters carrying ``pairs`` as extra headers."""
    prm = pj.CallOpParam(True)
    if status:
        prm.statusCode = status
    if reason:
        prm.reason = reason
    prm.txOption.headers = headers(pairs)
    return prm
