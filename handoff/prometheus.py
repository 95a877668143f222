"""Prometheus metrics: handoffs by outcome and webhook latency (multiprocess-aware)."""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.orm import Session

from handoff import states
from handoff.transaction_memo import memo

HANDOFFS = Counter(
    "handoff_handoffs_total",
    "Handoff transitions by environment, destination, method and outcome.",
    ["environment", "destination", "method", "outcome"],
)
WEBHOOK_LATENCY = Histogram(
    "handoff_webhook_duration_seconds",
    "Time to answer a Twilio voice webhook.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15),
)
OUTCOMES = {
    states.HANDOFF_INITIATED: "initiated",
    states.HANDOFF_COMPLETED: "completed",
    states.HANDOFF_FAILED: "failed",
    states.SOFT_HANDOFF: "soft",
    states.UNROUTED: "unrouted",
}


# The transaction memo of outcomes (labels -> how many), counted when it commits.
UNCOUNTED = "uncounted_outcomes"


def count_transition(session: Session, moved: states.Transition) -> None:
    """Count a handoff outcome once its transaction commits (listener of ``states.transition``)."""
    # Not before: a transaction rolled back (a retry's unique key, an unreachable database)
    # recorded nothing, and must count nothing.
    outcome = OUTCOMES.get(moved.row.state)
    if outcome is None:
        return
    handoff = moved.handoff
    labels = (
        moved.conversation.environment,
        handoff.destination_name if handoff else "",
        handoff.method if handoff else "",
        outcome,
    )
    uncounted = memo(session, UNCOUNTED)
    uncounted[labels] = uncounted.get(labels, 0) + 1


@event.listens_for(Session, "after_commit")
def count_committed(session: Session) -> None:
    """Count the outcomes the committed transaction recorded (a rollback's memo is forgotten)."""
    for labels, times in memo(session, UNCOUNTED).items():
        HANDOFFS.labels(*labels).inc(times)


def render() -> tuple[bytes, str]:
    """Return the exposition text and its content type, merged over gunicorn workers if set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
