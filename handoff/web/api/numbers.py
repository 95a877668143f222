"""/v1/numbers: which environment each Twilio number's calls use (unknown numbers → live)."""

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from handoff import numbers as service
from handoff.schemas import PhoneNumberListSchema, PhoneNumberSchema
from handoff.web.api.common import ApiBlueprint, actor, decode_cursor, page
from models import db

blp = ApiBlueprint(
    "numbers",
    __name__,
    url_prefix="/v1/numbers",
    description="Assign Twilio numbers to environments; an unassigned number uses live.",
)


class NumberPageArgs(Schema):
    """Cursor pagination."""

    cursor = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


@blp.route("")
class Numbers(MethodView):
    @blp.arguments(NumberPageArgs, location="query")
    @blp.response(200, PhoneNumberListSchema)
    def get(self, args):
        """List assigned numbers."""
        rows = service.list_numbers(
            db.session, after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1
        )
        return page(rows, args["limit"])

    @blp.arguments(PhoneNumberSchema)
    @blp.response(201, PhoneNumberSchema)
    def post(self, data):
        """Assign a number to an environment (moves it if already assigned)."""
        return service.assign_number(db.session, data["number"], data["environment"], actor=actor())


@blp.route("/<number>", methods=["DELETE"])
@blp.response(204)
def unassign(number):
    """Forget a number's assignment: its calls use live again."""
    service.unassign_number(db.session, number, actor=actor())
