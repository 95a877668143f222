"""What happened on calls: conversations, transcript turns, handoffs, states, metrics."""

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow


def new_id(prefix: str) -> str:
    """Return a random, URL-safe public identifier such as ``ho_3f2a…``."""
    return f"{prefix}_{secrets.token_hex(10)}"


class Conversation(db.Model):
    """One call (Twilio or SIP trunk) from first webhook to hang-up."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_env_started", "environment", "started_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("cv"))
    environment: Mapped[str] = mapped_column(String(32))
    # The config version the call was decided with.
    config_version: Mapped[int | None]
    # Twilio CallSid, or the SIP Call-ID for the SIP worker; one conversation per call.
    call_sid: Mapped[str | None] = mapped_column(String(255), unique=True)
    account_sid: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), default="pstn")
    caller: Mapped[str] = mapped_column(String(255), default="")
    caller_name: Mapped[str] = mapped_column(String(255), default="")
    called: Mapped[str] = mapped_column(String(255), default="")
    sip_headers: Mapped[dict] = mapped_column(default=dict)
    # Key/values set by functions; readable as $variables.
    state: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(32), default="automated")
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[datetime | None]

    turns: Mapped[list["TranscriptTurn"]] = relationship(
        order_by="TranscriptTurn.position", cascade="all, delete-orphan"
    )
    handoffs: Mapped[list["Handoff"]] = relationship(
        order_by="Handoff.created_at", cascade="all, delete-orphan"
    )


class TranscriptTurn(db.Model):
    """One thing said or pressed: by the caller (speech, dtmf) or by the service (say)."""

    __tablename__ = "transcript_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    speaker: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="speech")
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Handoff(db.Model):
    """A transfer of a conversation to a destination, with the context it carried."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # One handoff per conversation and step: Twilio retries must not add a second.
        UniqueConstraint("conversation_id", "step", name="uq_handoffs_conversation_step"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("ho"))
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # Which step of the call produced it (e.g. "call", "gather:2", "fallback:1").
    step: Mapped[str] = mapped_column(String(64))
    shared_id: Mapped[str | None] = mapped_column(String(255), index=True)
    previous_id: Mapped[str | None] = mapped_column(String(40))
    destination_id: Mapped[int | None]
    destination_name: Mapped[str] = mapped_column(String(80), default="")
    # The destination exactly as configured at handoff time.
    destination: Mapped[dict] = mapped_column(default=dict)
    requested_method: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(255), default="")
    uri: Mapped[str] = mapped_column(Text, default="")
    encryption: Mapped[str | None] = mapped_column(String(16))
    sip_headers: Mapped[list] = mapped_column(default=list)
    reason: Mapped[str] = mapped_column(String(64))
    utterance: Mapped[str] = mapped_column(String(500), default="")
    warnings: Mapped[list] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(String(32), default="handoff_initiated")
    # Everything the receiving side may fetch through /v1/handoff_state.
    context: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class HandoffState(db.Model):
    """One transition of a conversation's handoff state."""

    __tablename__ = "handoff_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    handoff_id: Mapped[str | None] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[str] = mapped_column(Text, default="")
    sip_code: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(32), default="service")
    # When the database inserted the row, by its own clock: the live stream times a gap in
    # the ids by it. `at` is the app's (another host's clock, and with write-behind it can
    # be long before the insert).
    recorded_at: Mapped[datetime | None] = mapped_column(server_default=func.now())

    # Declared so that one flush of many calls inserts conversations and handoffs before
    # their states (the unit of work orders tables by relationships, not by foreign keys).
    conversation: Mapped["Conversation"] = relationship()
    handoff: Mapped["Handoff | None"] = relationship()


class Metric(db.Model):
    """A value written for a conversation (by a function or automatically)."""

    __tablename__ = "metrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(128))
    value: Mapped[dict | list | str | int | float | bool | None] = mapped_column(
        db.JSON, nullable=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)

    # Declared so that a batch's conversations are inserted before their metrics.
    conversation: Mapped["Conversation"] = relationship()


class WebhookReply(db.Model):
    """The TwiML answered to a webhook, replayed when Twilio retries the same request."""

    __tablename__ = "webhook_replies"

    token: Mapped[str] = mapped_column(String(255), primary_key=True)
    call_sid: Mapped[str | None] = mapped_column(String(255), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
