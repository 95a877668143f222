"""/v1/integration and /v1/flow: the environment's integration constraints and entry flow."""

from flask.views import MethodView

from handoff import integration as service
from handoff.schemas import FlowSchema, IntegrationSchema
from handoff.web.api.common import (
    ETAG,
    IF_MATCH,
    ApiBlueprint,
    EnvironmentArgs,
    actor,
    if_match,
    with_etag,
)
from models import db

blp = ApiBlueprint(
    "integration",
    __name__,
    url_prefix="/v1",
    description="The telephony integration (its constraints) and the entry flow.",
)


@blp.route("/integration")
class IntegrationSettings(MethodView):
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.response(200, IntegrationSchema, headers=ETAG)
    def get(self, args):
        """Return the integration: kind and constraints."""
        return with_etag(service.get_integration(db.session, args["environment"]))

    @blp.doc(**IF_MATCH)
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.arguments(IntegrationSchema)
    @blp.response(200, IntegrationSchema, headers=ETAG)
    def put(self, args, data):
        """Change the integration; omitted fields keep their value, a new kind its defaults."""
        row = service.update_integration(
            db.session, args["environment"], data, actor=actor(), expected_version=if_match()
        )
        return with_etag(row)


@blp.route("/flow")
class FlowSettings(MethodView):
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.response(200, FlowSchema, headers=ETAG)
    def get(self, args):
        """Return the entry flow: greeting, reprompt, apology, language, gather settings."""
        return with_etag(service.get_flow(db.session, args["environment"]))

    @blp.doc(**IF_MATCH)
    @blp.arguments(EnvironmentArgs, location="query")
    @blp.arguments(FlowSchema)
    @blp.response(200, FlowSchema, headers=ETAG)
    def put(self, args, data):
        """Change the entry flow; omitted fields keep their value."""
        row = service.update_flow(
            db.session, args["environment"], data, actor=actor(), expected_version=if_match()
        )
        return with_etag(row)
