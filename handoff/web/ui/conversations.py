"""Conversation review: a filterable list of calls and one call's metadata beside its transcript."""

from flask import abort, render_template, request

from handoff.conversation_detail import conversation_detail
from handoff.conversations import (
    BadCursor,
    ConversationNotFound,
    get_conversation,
    list_conversations,
    summary,
)
from handoff.states import BUILTIN_STATES
from handoff.web.ui import bp
from handoff.web.ui.forms import conversation_filter
from models import db

PAGE_SIZE = 50


@bp.get("/conversations")
def conversations():
    """List conversations, newest first, narrowed by the filters."""
    flt, errors = conversation_filter(request.args)
    rows, next_cursor = [], None
    if not errors:
        try:
            rows, next_cursor = list_conversations(
                db.session, flt, PAGE_SIZE, request.args.get("cursor") or None
            )
        except BadCursor:
            errors = {"cursor": ["This page link is not valid: start from the first page."]}
    page = render_template(
        "ui/conversations.html",
        items=[summary(row) for row in rows],
        next_cursor=next_cursor,
        filters=request.args,
        errors=errors,
        states=BUILTIN_STATES,
    )
    return page, 400 if errors else 200


@bp.get("/conversations/<conversation_id>")
def conversation(conversation_id: str):
    """Show one conversation: the handoff metadata panel beside the transcript."""
    try:
        row = get_conversation(db.session, conversation_id)
    except ConversationNotFound:
        abort(404)
    return render_template("ui/conversation.html", c=conversation_detail(db.session, row))
