"""``GET /metrics``: Prometheus text format, no session (scrapers have none), counts only."""
from __future__ import annotations

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST

from gateway.operations.metrics import render
from gateway.web import settings_of

blueprint = Blueprint("metrics", __name__)


@blueprint.get("/metrics")
def metrics() -> Response:
    return Response(render(settings_of(current_app)), mimetype=CONTENT_TYPE_LATEST)
