"""Hang subscribers, metrics and counters off every handoff-state transition."""

from handoff.metrics import record_handoff_metrics
from handoff.prometheus import count_transition
from handoff.states import on_transition
from handoff.subscriptions import enqueue_deliveries


def register_listeners() -> None:
    """Register the transition listeners (idempotent; every process calls it once)."""
    on_transition(record_handoff_metrics)
    on_transition(enqueue_deliveries)
    on_transition(count_transition)
