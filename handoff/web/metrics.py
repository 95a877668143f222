"""GET /metrics for Prometheus, and the latency of every voice webhook."""

import hmac
import time

from flask import Blueprint, Response, abort, current_app, g, request

from handoff.prometheus import WEBHOOK_LATENCY, render

bp = Blueprint("metrics", __name__)


@bp.before_app_request
def start_timer() -> None:
    """Note when a voice webhook started."""
    if request.path.startswith("/voice/"):
        g.webhook_started = time.perf_counter()


@bp.after_app_request
def observe_latency(response):
    """Record how long the voice webhook took, labelled by its route."""
    started = g.pop("webhook_started", None)
    if started is not None:
        endpoint = request.url_rule.rule if request.url_rule else "unknown"
        WEBHOOK_LATENCY.labels(endpoint=endpoint).observe(time.perf_counter() - started)
    return response


@bp.get("/metrics")
def metrics() -> Response:
    """Expose the metrics (a bearer token is required when METRICS_TOKEN is set)."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(sent.encode(), token.encode()):
            abort(401)
    body, content_type = render()
    return Response(body, content_type=content_type)
