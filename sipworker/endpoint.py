"""Create and destroy the PJSIP endpoint: one event loop, null audio, G.711 only."""

import logging

import pjsua2 as pj

from sipworker.settings import WorkerSettings

log = logging.getLogger(__name__)

G711 = ("PCMU/8000/1", "PCMA/8000/1")


def media_config(cfg: pj.EpConfig) -> None:
    """Configure the conference bridge for a server: 8 kHz, no VAD, no echo canceller."""
    med = cfg.medConfig
    med.clockRate = 8000
    med.sndClockRate = 8000
    med.noVad = True
    med.ecTailLen = 0
    # The null sound device must never auto-close: closing it leaks a bridge slot per call.
    med.sndAutoCloseTime = -1


def create_endpoint(settings: WorkerSettings) -> pj.Endpoint:
    """Start PJSIP driven only from this thread (``libHandleEvents``) and return it."""
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.uaConfig.maxCalls = settings.max_legs
    cfg.uaConfig.userAgent = "Handoff SIP worker"
    cfg.logConfig.level = settings.log_level
    cfg.logConfig.consoleLevel = settings.log_level
    media_config(cfg)
    ep.libInit(cfg)
    create_transports(ep, settings)
    ep.audDevManager().setNullDev()
    only_g711(ep)
    ep.libStart()
    return ep


def create_transports(ep: pj.Endpoint, settings: WorkerSettings) -> None:
    """Listen on UDP and TCP at SIP_LISTEN; add TLS (listening only with a certificate)."""
    for kind in (pj.PJSIP_TRANSPORT_UDP, pj.PJSIP_TRANSPORT_TCP):
        ep.transportCreate(kind, _transport(settings, settings.port))
    tls = _transport(settings, settings.tls_port if settings.tls_enabled else 0)
    tls.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
    if settings.tls_enabled:
        tls.tlsConfig.certFile = settings.tls_cert
        tls.tlsConfig.privKeyFile = settings.tls_key
    if settings.tls_ca:
        tls.tlsConfig.CaListFile = settings.tls_ca
        tls.tlsConfig.verifyServer = True
    ep.transportCreate(pj.PJSIP_TRANSPORT_TLS, tls)


def _transport(settings: WorkerSettings, port: int) -> pj.TransportConfig:
    cfg = pj.TransportConfig()
    cfg.boundAddress = settings.host
    cfg.port = port
    if settings.public_address:
        cfg.publicAddress = settings.public_address
    return cfg


def only_g711(ep: pj.Endpoint) -> None:
    """Disable every codec but PCMU and PCMA: no transcoding, no resampling."""
    for codec in ep.codecEnum2():
        ep.codecSetPriority(codec.codecId, 200 if codec.codecId in G711 else 0)


def destroy_endpoint(ep: pj.Endpoint) -> None:
    """Shut PJSIP down; every Call object must already be gone."""
    try:
        ep.libDestroy()
    except pj.Error as exc:
        log.error("PJSIP shutdown failed: %s", exc.info())
