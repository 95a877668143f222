"""Helpers for voice tests: configuration rows and Twilio-shaped call parameters."""

import secrets

from sqlalchemy import select

from handoff.environments import bump_config_version, get_environment
from models import Destination, DestinationHeader, Integration, Topic, db

ACCOUNT_SID = "AC" + "0" * 32
CALLER = "+14155550123"
NUMBER = "+14155550100"
BILLING_URI = "sip:billing@pbx.example.com"


def add_destination(env="live", name="Support", headers=(), **fields) -> Destination:
    """Insert a destination (first one is the default) and bump the config version."""
    environment = get_environment(db.session, env)
    exists = db.session.scalar(
        select(Destination).where(Destination.environment_id == environment.id)
    )
    fields.setdefault("is_default", exists is None)
    fields.setdefault("method", "sip_invite")
    fields.setdefault("route", "sip:support@pbx.example.com")
    row = Destination(environment_id=environment.id, name=name, name_key=name.lower(), **fields)
    row.sip_headers = [
        DestinationHeader(name=n, value=v, position=i) for i, (n, v) in enumerate(headers)
    ]
    db.session.add(row)
    db.session.flush()
    bump_config_version(db.session, environment)
    db.session.commit()
    return row


def add_topic(env="live", name="Billing", **fields) -> Topic:
    """Insert a topic and bump the config version."""
    environment = get_environment(db.session, env)
    row = Topic(environment_id=environment.id, name=name, name_key=name.lower(), **fields)
    db.session.add(row)
    bump_config_version(db.session, environment)
    db.session.commit()
    return row


def add_billing(**topic) -> Topic:
    """Add a front desk and a 'billing' topic handed to the billing team at BILLING_URI."""
    add_destination(name="Front desk")
    billing = add_destination(name="Billing team", route=BILLING_URI)
    return add_topic(name="Billing", phrases=["billing"], destination_id=billing.id, **topic)


def set_integration(env="live", **fields) -> None:
    """Change the environment's integration and bump the config version."""
    environment = get_environment(db.session, env)
    row = db.session.scalar(select(Integration).where(Integration.environment_id == environment.id))
    for key, value in fields.items():
        setattr(row, key, value)
    bump_config_version(db.session, environment)
    db.session.commit()


def pstn_call(**extra) -> dict:
    """Return the parameters Twilio sends for a PSTN call to the number."""
    params = {
        "CallSid": "CA" + secrets.token_hex(16),
        "AccountSid": ACCOUNT_SID,
        "From": CALLER,
        "To": NUMBER,
        "Caller": CALLER,
        "Called": NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    params.update(extra)
    return params


def sip_call(**extra) -> dict:
    """Return the parameters Twilio sends for a call through a SIP Domain."""
    params = pstn_call(
        From="sip:+14155550123@sbc.example.com",
        To="sip:+14155550100@handoff.sip.twilio.com",
        SipCallId="a84b4c76e66710@sbc.example.com",
        SipDomain="handoff.sip.twilio.com",
        SipDomainSid="SD" + "1" * 32,
        SipSourceIp="203.0.113.7",
    )
    params.update(extra)
    return params


def split_action(url: str) -> tuple[str, dict]:
    """Return the path and query of an absolute action URL from TwiML."""
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query))


def follow(twilio, action: str, params: dict, headers=None):
    """POST to a TwiML action URL the way Twilio would (signed, same query)."""
    path, query = split_action(action)
    return twilio.post(path, params, query=query, headers=headers)


def xml(response):
    """Parse a TwiML response, asserting it is served as text/xml."""
    from xml.etree import ElementTree

    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    return ElementTree.fromstring(response.data)


def statements_sent(engine) -> list[str]:
    """Collect the SQL this thread sends (the recorder's thread is left out)."""
    import threading

    from sqlalchemy import event

    sent, me = [], threading.get_ident()

    @event.listens_for(engine, "before_cursor_execute")
    def collect(conn, cursor, statement, *args):
        if threading.get_ident() == me:
            sent.append(statement)

    return sent
