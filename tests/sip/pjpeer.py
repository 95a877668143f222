"""A pjsua2 SIP peer for tests, run as its own process: plays a tone, records what it hears.

    python tests/sip/pjpeer.py caller PORT URI --tone 440 --record out.wav --hold 3 [--dtmf 2]
    python tests/sip/pjpeer.py callee PORT --tone 1000 --record out.wav

Prints one JSON line per event; ends after its one call (one leg: far below the 4-leg limit).
"""

import argparse
import json
import sys
import time

import pjsua2 as pj


def say(**event) -> None:
    print(json.dumps(event), flush=True)


class Peer(pj.Call):
    """The peer's one call: tone out, recorder in."""

    def __init__(self, account, args, call_id=pj.PJSUA_INVALID_ID):
        super().__init__(account, call_id)
        self.args = args
        self.state = ""
        self.media_at = None
        self.tone = self.recorder = None

    def onCallState(self, prm):
        info = self.getInfo()
        self.state = info.stateText
        say(event="state", state=info.stateText, code=info.lastStatusCode)

    def onCallMediaState(self, prm):
        info = self.getInfo()  # keep it alive: the media list points into it
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self._connect(self.getAudioMedia(media.index))

    def _connect(self, audio) -> None:
        if self.tone is not None:
            return
        self.tone = pj.ToneGenerator()
        self.tone.createToneGenerator(8000, 1)
        desc = pj.ToneDesc()
        desc.freq1 = desc.freq2 = self.args.tone
        desc.on_msec, desc.off_msec, desc.volume = 30000, 0, 0
        tones = pj.ToneDescVector()
        tones.append(desc)
        self.tone.play(tones, True)
        self.tone.startTransmit(audio)
        self.recorder = pj.AudioMediaRecorder()
        self.recorder.createRecorder(self.args.record)
        audio.startTransmit(self.recorder)
        self.media_at = time.monotonic()
        say(event="media")


class Account(pj.Account):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.calls = []

    def onIncomingCall(self, prm):
        message = prm.rdata.wholeMsg
        say(
            event="invite",
            tls="SIP/2.0/TLS" in message,
            savp="RTP/SAVP" in message,
            crypto="a=crypto:" in message,
        )
        call = Peer(self, self.args, prm.callId)
        self.calls.append(call)
        answer = pj.CallOpParam(True)
        answer.statusCode = 200
        call.answer(answer)


def endpoint(port: int, args) -> pj.Endpoint:
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = cfg.logConfig.consoleLevel = 0
    cfg.medConfig.clockRate = cfg.medConfig.sndClockRate = 8000
    cfg.medConfig.sndAutoCloseTime = -1
    cfg.medConfig.noVad = True
    cfg.medConfig.ecTailLen = 0
    ep.libInit(cfg)
    transport = pj.TransportConfig()
    transport.boundAddress = "127.0.0.1"
    transport.port = port
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    if args.tls_cert:
        tls = pj.TransportConfig()
        tls.boundAddress, tls.port = "127.0.0.1", port
        tls.tlsConfig.certFile, tls.tlsConfig.privKeyFile = args.tls_cert, args.tls_key
        tls.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
        ep.transportCreate(pj.PJSIP_TRANSPORT_TLS, tls)
    ep.audDevManager().setNullDev()
    for codec in ep.codecEnum2():
        ep.codecSetPriority(codec.codecId, 200 if codec.codecId.startswith("PCMU/") else 0)
    ep.libStart()
    return ep


def place(account, args) -> Peer:
    call = Peer(account, args)
    prm = pj.CallOpParam(True)
    header = pj.SipHeader()
    header.hName, header.hValue = "X-Customer-Id", "99"
    prm.txOption.headers.append(header)
    call.makeCall(args.uri, prm)
    return call


def send_dtmf(call: Peer, args) -> None:
    if args.dtmf_method == "info":
        prm = pj.CallSendDtmfParam()
        prm.digits = args.dtmf
        prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
        call.sendDtmf(prm)
    else:
        call.dialDtmf(args.dtmf)
    say(event="dtmf", digits=args.dtmf, method=args.dtmf_method)


def run(ep, account, args) -> None:
    call = place(account, args) if args.role == "caller" else None
    dtmf_sent = False
    deadline = time.monotonic() + args.limit
    while time.monotonic() < deadline:
        ep.libHandleEvents(10)
        current = call or (account.calls[0] if account.calls else None)
        if current is None or current.media_at is None:
            continue
        if current.state.startswith("DISCONN"):
            break
        held = time.monotonic() - current.media_at
        if args.dtmf and not dtmf_sent and held > 0.5:
            send_dtmf(current, args)
            dtmf_sent = True
        if args.role in ("caller", "callee") and held > args.hold:
            current.hangup(pj.CallOpParam(True))
            args.role = "done"
    for _ in range(50):
        ep.libHandleEvents(10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("caller", "callee"))
    parser.add_argument("port", type=int)
    parser.add_argument("uri", nargs="?", default="")
    parser.add_argument("--tone", type=int, default=440)
    parser.add_argument("--record", required=True)
    parser.add_argument("--hold", type=float, default=3.0, help="hang up after (callee: 60)")
    parser.add_argument("--limit", type=float, default=20.0)
    parser.add_argument("--dtmf", default="")
    parser.add_argument("--dtmf-method", default="rfc4733", choices=("rfc4733", "info"))
    parser.add_argument("--tls-cert", default="")
    parser.add_argument("--tls-key", default="")
    parser.add_argument("--srtp", action="store_true")
    args = parser.parse_args()
    if args.role == "callee" and "--hold" not in sys.argv:
        args.hold = 60.0
    ep = endpoint(args.port, args)
    account = Account(args)
    cfg = pj.AccountConfig()
    cfg.idUri = f"sip:peer@127.0.0.1:{args.port}"
    if args.srtp:
        cfg.mediaConfig.srtpUse = pj.PJMEDIA_SRTP_MANDATORY
        cfg.mediaConfig.srtpSecureSignaling = 1
    account.create(cfg, True)
    say(event="ready")
    run(ep, account, args)
    # Every Call (and its media) must be gone before libDestroy.
    account.calls.clear()
    account.shutdown()
    del account
    ep.libDestroy()
    say(event="done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
