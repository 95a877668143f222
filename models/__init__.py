"""SQLAlchemy models and the db object; no business rules live here."""

# Imported for its engine listener: every SQLite connection gets the service settings.
from models import sqlite as _sqlite  # noqa: F401
from models.access import ApiKey, AuditEntry, User
from models.base import Base, db, utcnow
from models.calls import (
    Conversation,
    Handoff,
    HandoffState,
    Metric,
    TranscriptTurn,
    WebhookReply,
    new_id,
)
from models.configuration import (
    ConfigVersion,
    Destination,
    DestinationHeader,
    Environment,
    FlowSettings,
    Integration,
    PhoneNumber,
    Topic,
)
from models.subscriptions import Delivery, Subscription

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Base",
    "ConfigVersion",
    "Conversation",
    "Delivery",
    "Destination",
    "DestinationHeader",
    "Environment",
    "FlowSettings",
    "Handoff",
    "HandoffState",
    "Integration",
    "Metric",
    "PhoneNumber",
    "Subscription",
    "Topic",
    "TranscriptTurn",
    "User",
    "WebhookReply",
    "db",
    "new_id",
    "utcnow",
]
