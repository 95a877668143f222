"""Create a benchmark database with N destinations and N topics in one environment."""

import itertools
import string

from alembic import command
from sqlalchemy import create_engine, insert, select, text, update
from sqlalchemy.engine import make_url

from handoff.environments import ensure_environments
from handoff.settings import database_url
from models import Destination, DestinationHeader, Environment, PhoneNumber, Topic, db

CALLED = "+15550100000"
ENVIRONMENT = "live"


def code_word(i: int) -> str:
    """Return a unique four-letter word for topic ``i``: no word is a prefix of another."""
    letters = string.ascii_lowercase
    word = ""
    for _ in range(4):
        i, r = divmod(i, 26)
        word += letters[r]
    return word


def handoff_phrase(size: int) -> str:
    """Return what a caller says to reach the last topic (the worst case for a linear scan)."""
    return f"I would like to talk to {code_word(size - 1)} please"


def recreate_postgres(url: str) -> None:
    """Drop and create the PostgreSQL database named in ``url``."""
    drop_postgres(url, create=True)


def drop_postgres(url: str, create: bool = False) -> None:
    """Drop the PostgreSQL database named in ``url`` (if any), then create it if asked."""
    parsed = make_url(database_url(url, ""))
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def seed(url: str, size: int) -> None:
    """Migrate the empty database at ``url`` and fill it with ``size`` destinations and topics."""
    from app import create_app

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url(url, "")})
    with app.app_context():
        command.upgrade(app.extensions["migrate"].migrate.get_config(), "head")
        ensure_environments(db.session)
        env = db.session.scalar(select(Environment).where(Environment.name == ENVIRONMENT))
        insert_configuration(env.id, size)
        db.session.execute(
            update(Environment)
            .where(Environment.id == env.id)
            .values(config_version=Environment.config_version + 1)
        )
        db.session.commit()
        db.engine.dispose()


def insert_configuration(env_id: int, size: int) -> None:
    """Insert the phone numbers, destinations with headers, and topics."""
    session = db.session
    numbers = [CALLED] + [f"+1555{i:07d}" for i in range(1, size)]
    session.execute(insert(PhoneNumber), [{"number": n, "environment_id": env_id} for n in numbers])
    session.execute(insert(Destination), [destination_row(env_id, i) for i in range(size)])
    ids = session.scalars(
        select(Destination.id).where(Destination.environment_id == env_id).order_by(Destination.id)
    ).all()
    headers = itertools.chain.from_iterable(
        (
            {"destination_id": d, "position": 0, "name": "X-Caller", "value": "$caller_id"},
            {"destination_id": d, "position": 1, "name": "X-Reason", "value": "$handoff_reason"},
        )
        for d in ids
    )
    session.execute(insert(DestinationHeader), list(headers))
    session.execute(insert(Topic), [topic_row(env_id, i, ids[i]) for i in range(size)])


def destination_row(env_id: int, i: int) -> dict:
    """Return destination ``i``: a SIP INVITE with TLS, the first one being the default."""
    name = f"Team {code_word(i)}"
    return {
        "environment_id": env_id,
        "name": name,
        "name_key": name.lower(),
        "description": f"Callers asking for {code_word(i)}",
        "method": "sip_invite",
        "route": f"sip:{code_word(i)}@pbx.example.com",
        "encryption": "tls_srtp",
        "is_default": i == 0,
        "ring_timeout": 30,
    }


def topic_row(env_id: int, i: int, destination_id: int) -> dict:
    """Return topic ``i``: two phrases and a digit leading to destination ``i``."""
    word = code_word(i)
    return {
        "environment_id": env_id,
        "name": f"Topic {word}",
        "name_key": f"topic {word}",
        "phrases": [f"talk to {word}", f"{word} department"],
        "dtmf": str(i) if i < 10 else None,
        "action": "handoff",
        "destination_id": destination_id,
        "params": {},
        "reason": f"asked_for_{word}",
        "utterance": f"Connecting you to {word}.",
        "immediate": False,
        "position": i,
    }
