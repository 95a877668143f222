"""Objects that wait for the commit: a batch's new handoffs and state rows."""

from sqlalchemy import func, select

from handoff.transaction_memo import add_new, store_now
from models import Conversation, Handoff, HandoffState, db


def opened() -> Conversation:
    conversation = Conversation(environment="live", call_sid="CAmemo", state={})
    db.session.add(conversation)
    db.session.commit()
    return conversation


def handoff_fields(conversation: Conversation, handoff_id: str) -> dict:
    return dict(
        id=handoff_id,
        conversation_id=conversation.id,
        step="gather:1:x",
        requested_method="sip_refer",
        method="sip_refer",
        reason="billing",
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_waiting_objects_go_in_at_the_commit_parents_first_with_their_last_values(app):
    with app.app_context():
        conversation = opened()
        session = db.session
        with session.no_autoflush:
            # The state row comes first, as when an unrouted call precedes a handoff in a batch.
            add_new(
                session,
                HandoffState,
                conversation_id=conversation.id,
                handoff_id="ho_memo",
                state="handoff_initiated",
            )
            handoff = add_new(session, Handoff, **handoff_fields(conversation, "ho_memo"))
            handoff.state = "handoff_failed"
            assert count(Handoff) == 0 and count(HandoffState) == 0
        session.commit()
        stored = session.get(Handoff, "ho_memo")
        assert stored.state == "handoff_failed" and stored.created_at is not None
        assert stored.destination == {} and stored.route == ""
        row = session.scalar(select(HandoffState))
        assert row.id is not None and row.at is not None
        assert (row.handoff_id, row.detail, row.source) == ("ho_memo", "", "service")


def test_a_waiting_object_stored_now_gets_its_id_at_the_next_flush(app):
    with app.app_context():
        conversation = opened()
        session = db.session
        with session.no_autoflush:
            handoff = add_new(session, Handoff, **handoff_fields(conversation, "ho_now"))
            state = add_new(
                session,
                HandoffState,
                conversation_id=conversation.id,
                handoff_id="ho_now",
                state="handoff_initiated",
            )
            store_now(session, handoff, state)
            session.flush()
            assert state.id is not None
        session.commit()
        # Stored once, not again from the memo at the commit.
        assert (count(Handoff), count(HandoffState)) == (1, 1)


def test_with_autoflush_on_an_object_is_added_to_the_session_at_once(app):
    with app.app_context():
        conversation = opened()
        add_new(db.session, Handoff, **handoff_fields(conversation, "ho_direct"))
        assert count(Handoff) == 1
