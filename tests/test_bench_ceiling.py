"""Contender (h) answers every call as write-behind Handoff does and records none of them."""

import pytest
from sqlalchemy import func, select

from bench.reference_ceiling import discard_records
from models import Conversation, Handoff, WebhookReply, db
from tests.test_resilience_outage import place_call
from tests.voice_support import BILLING_URI, add_billing, pstn_call


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_ceiling_answers_like_write_behind_and_writes_nothing(app, twilio):
    app.config["RECORDS_WRITE_BEHIND"] = True
    with app.app_context():
        add_billing(utterance="Connecting you to billing.")
    discard_records(app)
    assert place_call(twilio, pstn_call()).startswith(BILLING_URI)
    with app.app_context():
        assert [rows(Conversation), rows(Handoff), rows(WebhookReply)] == [0, 0, 0]


def test_the_ceiling_is_only_write_behind(app):
    app.config["RECORDS_WRITE_BEHIND"] = False
    with pytest.raises(RuntimeError, match="RECORDS_WRITE_BEHIND=1"):
        discard_records(app)
