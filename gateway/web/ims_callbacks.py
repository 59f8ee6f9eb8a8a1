"""``POST /api/v1/ims/allocations``: the IMS reports an order whose allocation changed.

The body is the whole sales order (docs/ims-api.yaml ``SalesOrder``). Deliveries may be
retried or arrive out of order, so a revision the gateway already has is answered 202
like a new one and changes nothing.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from gateway.orders.allocation import InvalidAllocation, SalesOrderAllocation, store_allocation
from gateway.platform.db import session_scope
from gateway.models import PurchaseOrder
from gateway.platform.queue import enqueue
from gateway.web import settings_of
from gateway.web.auth import problem, requires_token_role

blueprint = Blueprint("ims_callbacks", __name__)


@blueprint.post("/api/v1/ims/allocations")
@requires_token_role("ims")
def receive_allocation() -> Response:
    body = request.get_json(silent=True)
    if body is None:
        return problem(400, "Bad Request", "the body must be JSON (Content-Type: application/json)")
    try:
        allocation = SalesOrderAllocation.from_json(body)
    except InvalidAllocation as error:
        return problem(422, "Unprocessable Content", f"the body breaks the IMS contract: {error}")
    with session_scope(settings_of(current_app)) as session:
        # Locked (PostgreSQL) before its stored revision is read: a callback racing a newer
        # allocation (the sales-order task, another callback) waits for it, then is ignored.
        purchase_order = session.scalars(select(PurchaseOrder).where(
            PurchaseOrder.vendor_code == (allocation.vendor_code or ""),
            PurchaseOrder.po_number == allocation.po_number).with_for_update()).first()
        if purchase_order is None:
            return problem(404, "Not Found", f"no purchase order {allocation.po_number}")
        changed = store_allocation(session, purchase_order, allocation, source="callback")
        purchase_order_id = purchase_order.id
    if changed:  # new allocation: the 855 engine decides whether Amazon must hear of it
        enqueue(settings_of(current_app), "workers.tasks.acknowledge_purchase_order",
                purchase_order_id=purchase_order_id)
    response = jsonify(status="accepted", received_at=datetime.now(timezone.utc).isoformat())
    response.status_code = 202
    return response
