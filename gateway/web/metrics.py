"""``GET /metrics``: Prometheus text format, counts only; no session (scrapers have none).

With ``EDI_GATEWAY_METRICS_TOKEN`` set, only a scraper sending ``Authorization: Bearer
<token>`` gets them (401 otherwise): the counts hold no identifiers, but how many orders
a brand takes and how often its deliveries fail are its business when the gateway is
reachable from the internet.
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from gateway.operations.metrics import render
from gateway.web import settings_of

blueprint = Blueprint("metrics", __name__)


@blueprint.get("/metrics")
def metrics() -> Response:
    settings = settings_of(current_app)
    if settings.metrics_token is not None and not _bearer_matches(settings.metrics_token):
        return Response("send Authorization: Bearer <EDI_GATEWAY_METRICS_TOKEN>\n", status=401,
                        mimetype="text/plain", headers={"WWW-Authenticate": 'Bearer realm="edi-gateway metrics"'})
    return Response(render(settings), mimetype=CONTENT_TYPE_LATEST)


def _bearer_matches(token: str) -> bool:
    """Whether the request carries ``token`` as its bearer token, compared in constant time."""
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode())
