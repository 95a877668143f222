"""Per-conversation metrics: written by functions, plus HANDOFF_TO and HANDOFF_REASON."""

import json
import re

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from handoff import states
from handoff.transaction_memo import add_row, added_rows
from models import Metric, utcnow

METRIC_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$")
HANDOFF_TO = "HANDOFF_TO"
HANDOFF_REASON = "HANDOFF_REASON"


class InvalidMetric(ValueError):
    """A metric name is malformed or its value cannot be stored as JSON."""


def write_metric(
    session: Session, conversation_id: str, name: str, value, write_once: bool = False
) -> bool:
    """Add a metric row (inserted at commit, in order); return False if write_once skipped it.

    :raises InvalidMetric: for a bad name or a value JSON cannot hold.
    """
    if not isinstance(name, str) or not METRIC_NAME.match(name):
        raise InvalidMetric(f"bad metric name {name!r}")
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise InvalidMetric(f"metric {name} value is not JSON: {exc}") from exc
    if write_once and _written(session, conversation_id, name):
        return False
    row = {"conversation_id": conversation_id, "name": name, "value": value, "at": utcnow()}
    add_row(session, Metric.__table__, row)
    return True


def _written(session: Session, conversation_id: str, name: str) -> bool:
    """Return True when the conversation has this metric, stored or added in this transaction."""
    for row in added_rows(session, Metric.__table__):
        if row["conversation_id"] == conversation_id and row["name"] == name:
            return True
    query = exists().where(Metric.conversation_id == conversation_id, Metric.name == name)
    return bool(session.scalar(select(query)))


def record_handoff_metrics(session: Session, moved: states.Transition) -> None:
    """Write HANDOFF_TO and HANDOFF_REASON when a handoff starts or is recorded as soft."""
    row, handoff = moved.row, moved.handoff
    if row.state not in (states.HANDOFF_INITIATED, states.SOFT_HANDOFF):
        return
    if handoff is not None:
        if handoff.destination_name:
            write_metric(session, row.conversation_id, HANDOFF_TO, handoff.destination_name)
        write_metric(session, row.conversation_id, HANDOFF_REASON, handoff.reason)
    elif row.detail:
        write_metric(session, row.conversation_id, HANDOFF_REASON, row.detail)
