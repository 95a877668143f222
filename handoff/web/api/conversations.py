"""/v1/conversations, their handoff states, and /v1/handoff_state (DESIGN §4)."""

from flask.views import MethodView

from handoff import conversation_detail as detail
from handoff import conversations as service
from handoff.handoff_context import find_handoff, handoff_state
from handoff.schemas.conversations import (
    ConversationListArgs,
    ConversationListSchema,
    ConversationSchema,
    HandoffContextSchema,
    HandoffStateArgs,
    StateListSchema,
    StateReportSchema,
    StateSchema,
)
from handoff.state_reports import report_state
from handoff.web.api.common import ApiBlueprint
from models import db

blp = ApiBlueprint(
    "conversations",
    __name__,
    url_prefix="/v1",
    description="Calls, their transcript, metrics and handoff states; the handoff context.",
)
FILTERS = (
    "environment",
    "started_after",
    "started_before",
    "handoff",
    "reason",
    "destination",
    "state",
)


@blp.route("/handoff_state")
class HandoffState(MethodView):
    @blp.arguments(HandoffStateArgs, location="query")
    @blp.response(200, HandoffContextSchema)
    def get(self, args):
        """Return the context stored at handoff time, by X-Handoff-ID value or shared id."""
        return handoff_state(find_handoff(db.session, args.get("id"), args.get("shared_id")))


@blp.route("/conversations")
class Conversations(MethodView):
    @blp.arguments(ConversationListArgs, location="query")
    @blp.response(200, ConversationListSchema)
    def get(self, args):
        """List conversations, newest first; pass `next_cursor` back as `cursor` for more."""
        flt = service.ConversationFilter(**{k: args.get(k) for k in FILTERS})
        rows, cursor = service.list_conversations(db.session, flt, args["limit"], args["cursor"])
        return {"items": [service.summary(row) for row in rows], "next_cursor": cursor}


@blp.route("/conversations/<conversation_id>")
class ConversationById(MethodView):
    @blp.response(200, ConversationSchema)
    def get(self, conversation_id):
        """Return one conversation: transcript, metrics, handoff and its states."""
        conversation = service.get_conversation(db.session, conversation_id)
        return detail.conversation_detail(db.session, conversation)


@blp.route("/conversations/<conversation_id>/handoff_states")
class ConversationStates(MethodView):
    @blp.response(200, StateListSchema)
    def get(self, conversation_id):
        """List the conversation's state transitions, oldest first."""
        conversation = service.get_conversation(db.session, conversation_id)
        rows = detail.state_rows(db.session, conversation.id)
        return {"items": [detail.state_dict(row) for row in rows]}

    @blp.arguments(StateReportSchema)
    @blp.response(201, StateSchema)
    def post(self, data, conversation_id):
        """Report a later state (e.g. complaint_escalation, or handoff_completed)."""
        conversation = service.get_conversation(db.session, conversation_id)
        return detail.state_dict(report_state(db.session, conversation, **data))
