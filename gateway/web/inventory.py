"""Inventory over HTTP: the IMS posts its stock (the source of the 846); people and tools
read and release zero-stock holds, held snapshots, the feeds and the drift report.

``POST /api/v1/ims/stock`` (role ims; docs/ims-api.yaml ``receiveStockReport``): 202 with
``outcome`` applied, unchanged, stale or held; 422 with every problem. The rest is in
docs/gateway-api.yaml.
"""
from __future__ import annotations

from flask import Blueprint, Response

from gateway.inventory.stock import receive_stock_report
from gateway.web.auth import requires_token_role
from gateway.web.ims_documents import accept_document

blueprint = Blueprint("inventory", __name__)


@blueprint.post("/api/v1/ims/stock")
@requires_token_role("ims")
def receive() -> Response:
    return accept_document("stock report", receive_stock_report)
