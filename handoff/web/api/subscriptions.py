"""/v1/subscriptions: webhook subscribers to handoff-state transitions, and deliveries."""

from flask.views import MethodView

from handoff import subscriptions as service
from handoff.deliveries import delivery_dict, list_deliveries
from handoff.delivery_retry import retry_delivery, retry_failed
from handoff.schemas.subscriptions import (
    DeliveryArgs,
    DeliveryListSchema,
    DeliverySchema,
    RetriedSchema,
    SubscriptionListSchema,
    SubscriptionSchema,
)
from handoff.web.api.common import ApiBlueprint
from models import db

blp = ApiBlueprint(
    "subscriptions",
    __name__,
    url_prefix="/v1/subscriptions",
    description="Webhook subscribers: every handoff-state transition as a signed JSON POST.",
)


@blp.route("")
class Subscriptions(MethodView):
    @blp.response(200, SubscriptionListSchema)
    def get(self):
        """List subscriptions (secrets are never shown again)."""
        rows = service.list_subscriptions(db.session)
        return {"items": [service.subscription_dict(r) for r in rows], "next_cursor": None}

    @blp.arguments(SubscriptionSchema)
    @blp.response(201, SubscriptionSchema)
    def post(self, data):
        """Subscribe a URL; the answer holds the signing secret, shown this once."""
        row = service.create_subscription(db.session, data["url"], data["environment"])
        if not data["active"]:
            service.update_subscription(db.session, row, {"active": False})
        return service.subscription_dict(row, with_secret=True)


@blp.route("/<int:subscription_id>")
class SubscriptionById(MethodView):
    @blp.response(200, SubscriptionSchema)
    def get(self, subscription_id):
        """Return one subscription."""
        return service.subscription_dict(service.get_subscription(db.session, subscription_id))

    @blp.arguments(SubscriptionSchema(partial=True))
    @blp.response(200, SubscriptionSchema)
    def patch(self, data, subscription_id):
        """Change the URL, environment or active flag."""
        row = service.get_subscription(db.session, subscription_id)
        service.update_subscription(db.session, row, data)
        return service.subscription_dict(row)

    @blp.response(204)
    def delete(self, subscription_id):
        """Remove the subscription and its undelivered transitions."""
        service.delete_subscription(
            db.session, service.get_subscription(db.session, subscription_id)
        )


@blp.route("/<int:subscription_id>/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryArgs, location="query")
    @blp.response(200, DeliveryListSchema)
    def get(self, args, subscription_id):
        """List deliveries, newest first, with attempts and the last error."""
        service.get_subscription(db.session, subscription_id)
        rows = list_deliveries(db.session, subscription_id, args.get("status"), args["limit"])
        return {"items": [delivery_dict(r) for r in rows], "next_cursor": None}


@blp.route("/<int:subscription_id>/deliveries/retry", methods=["POST"])
@blp.response(200, RetriedSchema)
def retry_all(subscription_id):
    """Send every failed delivery again, oldest first, each from its first attempt."""
    service.get_subscription(db.session, subscription_id)
    return {"retried": retry_failed(db.session, subscription_id)}


@blp.route("/<int:subscription_id>/deliveries/<int:delivery_id>/retry", methods=["POST"])
@blp.response(200, DeliverySchema)
def retry_one(subscription_id, delivery_id):
    """Send one failed delivery again (409 when it is pending or delivered)."""
    service.get_subscription(db.session, subscription_id)
    return delivery_dict(retry_delivery(db.session, subscription_id, delivery_id))
