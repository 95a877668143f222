"""Conversation listing (filters, cursor pagination) and detail, at the service level."""

from datetime import timedelta

import pytest

from handoff import states
from handoff.conversation_detail import conversation_detail
from handoff.conversations import (
    BadCursor,
    ConversationFilter,
    decode_cursor,
    list_conversations,
)
from handoff.metrics import write_metric
from models import db
from tests import calls_factory as f


def ids(rows):
    return [row.id for row in rows]


def test_pages_cover_every_row_once_in_stable_order(app):
    with app.app_context():
        # Same start time for several rows: the id breaks the tie.
        made = [f.conversation(minutes=i // 3) for i in range(7)]
        db.session.commit()
        seen, cursor = [], None
        while True:
            page, cursor = list_conversations(db.session, ConversationFilter(), 3, cursor)
            seen += ids(page)
            if cursor is None:
                break
        expected = sorted(made, key=lambda c: (c.started_at, c.id), reverse=True)
        assert seen == ids(expected)


def test_filters(app):
    with app.app_context():
        plain = f.conversation(minutes=0)
        billed = f.conversation(minutes=10)
        f.handoff(billed, destination="Billing", reason="billing")
        sales = f.conversation(minutes=20, environment="live")
        f.handoff(sales, destination="Sales", reason="needs_human")
        db.session.commit()

        def query(**kw):
            return set(ids(list_conversations(db.session, ConversationFilter(**kw))[0]))

        assert query(handoff=False) == {plain.id}
        assert query(handoff=True) == {billed.id, sales.id}
        assert query(reason="needs_human") == {sales.id}
        assert query(destination="Billing") == {billed.id}
        assert query(environment="live") == {sales.id}
        assert query(state=states.AUTOMATED) == {plain.id}
        assert query(started_after=f.T0 + timedelta(minutes=5)) == {billed.id, sales.id}
        assert query(started_before=f.T0 + timedelta(minutes=5)) == {plain.id}


@pytest.mark.parametrize("cursor", ["nope", "bm9wZQ", "WzEsMl0"])
def test_bad_cursor(cursor):
    with pytest.raises(BadCursor):
        decode_cursor(cursor)


def test_detail_has_transcript_metrics_and_handoff_states(app):
    with app.app_context():
        conv = f.conversation(call_sid="CA1")
        f.say(conv, ("service", "How can we help?"), ("caller", "my bill is wrong"))
        ho = f.handoff(conv)
        states.transition(db.session, conv, states.HANDOFF_COMPLETED, handoff=ho, sip_code=200)
        write_metric(db.session, conv.id, "csat", 5)
        db.session.commit()
        detail = conversation_detail(db.session, conv)
    assert [t["text"] for t in detail["transcript"]] == ["How can we help?", "my bill is wrong"]
    assert [(m["name"], m["value"]) for m in detail["metrics"]] == [
        ("HANDOFF_TO", "Billing"),
        ("HANDOFF_REASON", "billing"),
        ("csat", 5),
    ]
    handoff = detail["handoff"]
    assert handoff["destination"] == "Billing" and handoff["state"] == "handoff_completed"
    assert [(s["state"], s["sip_code"]) for s in handoff["states"]] == [
        ("handoff_initiated", None),
        ("handoff_completed", 200),
    ]
    assert detail["started_at"].endswith("Z")
