"""Per-environment configuration: environments, integration, flow, destinations, topics."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow


class Environment(db.Model):
    """A named configuration space (sandbox, live) with a version bumped on every write."""

    __tablename__ = "environments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    # Bumped on every configuration write; caches of the configuration are keyed by it.
    config_version: Mapped[int] = mapped_column(default=1)
    # The promoted/rolled-back version number currently in force (live only).
    live_version: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PhoneNumber(db.Model):
    """A Twilio number assigned to an environment; unknown numbers route to live."""

    __tablename__ = "phone_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    environment_id: Mapped[int] = mapped_column(ForeignKey("environments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Integration(db.Model):
    """The environment's telephony integration and the constraints it imposes."""

    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    environment_id: Mapped[int] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(32), default="twilio_pstn")
    required_method: Mapped[str | None] = mapped_column(String(16))
    route_hidden: Mapped[bool] = mapped_column(default=False)
    headers_hidden: Mapped[bool] = mapped_column(default=False)
    sip_host: Mapped[str | None] = mapped_column(String(255))
    add_handoff_id_header: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FlowSettings(db.Model):
    """The entry flow of an environment: greeting, gather and apology."""

    __tablename__ = "flow_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    environment_id: Mapped[int] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), unique=True
    )
    greeting: Mapped[str] = mapped_column(
        Text, default="Thanks for calling. How can we help you today?"
    )
    reprompt: Mapped[str] = mapped_column(Text, default="Sorry, I didn't catch that.")
    apology: Mapped[str] = mapped_column(
        Text, default="Sorry, nobody can take your call right now. Please call again later."
    )
    language: Mapped[str] = mapped_column(String(16), default="en-US")
    voice: Mapped[str | None] = mapped_column(String(64))
    gather_timeout: Mapped[int] = mapped_column(default=5)
    max_attempts: Mapped[int] = mapped_column(default=2)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Destination(db.Model):
    """A handoff destination: where, how (SIP method) and with which headers."""

    __tablename__ = "destinations"
    __table_args__ = (
        UniqueConstraint("environment_id", "name_key", name="uq_destinations_env_name"),
        # The database, not only Python, guarantees at most one default per environment.
        Index(
            "uq_destinations_one_default",
            "environment_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    environment_id: Mapped[int] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    # Lower-cased name: uniqueness is case-insensitive on every database.
    name_key: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(500), default="")
    method: Mapped[str] = mapped_column(String(16), default="sip_refer")
    route: Mapped[str] = mapped_column(String(255), default="")
    encryption: Mapped[str] = mapped_column(String(16), default="tls_srtp")
    is_default: Mapped[bool] = mapped_column(default=False)
    fallback_id: Mapped[int | None] = mapped_column(
        ForeignKey("destinations.id", ondelete="SET NULL")
    )
    ring_timeout: Mapped[int] = mapped_column(default=30)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sip_headers: Mapped[list["DestinationHeader"]] = relationship(
        order_by="DestinationHeader.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    fallback: Mapped["Destination | None"] = relationship(remote_side=[id])


class DestinationHeader(db.Model):
    """One custom SIP header of a destination, kept in its configured order."""

    __tablename__ = "destination_headers"

    id: Mapped[int] = mapped_column(primary_key=True)
    destination_id: Mapped[int] = mapped_column(
        ForeignKey("destinations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(1024), default="")


class Topic(db.Model):
    """What a caller may ask for, and the handoff or function it leads to."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("environment_id", "name_key", name="uq_topics_env_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    environment_id: Mapped[int] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    phrases: Mapped[list] = mapped_column(default=list)
    dtmf: Mapped[str | None] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(16), default="handoff")
    # None means "the environment's default destination".
    destination_id: Mapped[int | None] = mapped_column(
        ForeignKey("destinations.id", ondelete="SET NULL")
    )
    function: Mapped[str | None] = mapped_column(String(128))
    params: Mapped[dict] = mapped_column(default=dict)
    reason: Mapped[str | None] = mapped_column(String(64))
    utterance: Mapped[str | None] = mapped_column(String(500))
    # Hand off straight from /voice/call, without a gather.
    immediate: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ConfigVersion(db.Model):
    """A numbered snapshot of an environment's configuration (promote and rollback)."""

    __tablename__ = "config_versions"
    __table_args__ = (
        UniqueConstraint("environment_id", "number", name="uq_config_versions_env_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    environment_id: Mapped[int] = mapped_column(ForeignKey("environments.id", ondelete="CASCADE"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16), default="promote")
    # For a rollback: the version it restored.
    restored_from: Mapped[int | None]
    snapshot: Mapped[dict]
    actor: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
