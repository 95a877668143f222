"""POST /v1/calls/{call_sid}/handoff: hand off a live Twilio call (an external agent)."""

from flask import current_app, request
from flask.views import MethodView

from handoff.live_handoff import live_handoff
from handoff.schemas.subscriptions import LiveHandoffResultSchema, LiveHandoffSchema
from handoff.web.api.common import ApiBlueprint
from handoff.web.api.errors import ErrorSchema
from models import db

blp = ApiBlueprint(
    "calls",
    __name__,
    url_prefix="/v1/calls",
    description="Live calls: redirect a call in progress to a handoff.",
)


@blp.route("/<call_sid>/handoff")
class CallHandoff(MethodView):
    @blp.arguments(LiveHandoffSchema)
    @blp.response(200, LiveHandoffResultSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Twilio has no such call")
    @blp.alt_response(409, schema=ErrorSchema, description="The call is not in progress")
    @blp.alt_response(502, schema=ErrorSchema, description="Twilio is unreachable or failed")
    def post(self, data, call_sid):
        """Plan the handoff like the webhooks do and redirect the live call to its TwiML."""
        base_url = current_app.config["PUBLIC_BASE_URL"] or request.host_url
        return live_handoff(db.session, current_app.config, base_url, call_sid, data)
