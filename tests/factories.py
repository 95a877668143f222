"""factory_boy factories for configuration rows (sandbox unless told otherwise)."""

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import select

from models import Destination, DestinationHeader, Environment, Topic, db


def environment_id(name: str = "sandbox") -> int:
    """Return the id of the named environment."""
    return db.session.scalar(select(Environment.id).where(Environment.name == name))


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class DestinationFactory(BaseFactory):
    class Meta:
        model = Destination

    environment_id = factory.LazyFunction(environment_id)
    name = factory.Sequence(lambda n: f"Team {n}")
    name_key = factory.LazyAttribute(lambda o: o.name.lower())
    description = ""
    method = "sip_invite"
    route = factory.Sequence(lambda n: f"sip:team{n}@sip.example.com")
    encryption = "tls_srtp"
    is_default = False
    ring_timeout = 30
    version = 1


class HeaderFactory(BaseFactory):
    class Meta:
        model = DestinationHeader

    name = factory.Sequence(lambda n: f"X-Header-{n}")
    value = "value"
    position = factory.Sequence(int)


class TopicFactory(BaseFactory):
    class Meta:
        model = Topic

    environment_id = factory.LazyFunction(environment_id)
    name = factory.Sequence(lambda n: f"Topic {n}")
    name_key = factory.LazyAttribute(lambda o: o.name.lower())
    phrases = factory.LazyFunction(lambda: ["help"])
    action = "handoff"
    version = 1
