"""Invoices over HTTP: the IMS posts an invoice (the source of an 810), finance reads them.

``POST /api/v1/ims/invoices`` (role ims; docs/ims-api.yaml ``receiveInvoice``): 202 once stored
and its 810 queued (or the same body again), 422 with every problem, 409 for a number used
before. ``GET /api/v1/invoices[/<number>]`` (finance, ops) are in docs/gateway-api.yaml.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from gateway.exchange.outbound import Delivery
from gateway.invoicing.invoices import receive_invoice
from gateway.finance.payments import PaymentStatus
from gateway.invoicing.read_model import find_invoice, invoice_json, list_invoices
from gateway.invoicing.report import INVOICE_NUMBER, PO_NUMBER
from gateway.platform.db import session_scope
from gateway.web import settings_of
from gateway.web.auth import problem, requires_token_role
from gateway.web.ims_documents import accept_document

blueprint = Blueprint("invoices", __name__)


@blueprint.post("/api/v1/ims/invoices")
@requires_token_role("ims")
def receive() -> Response:
    return accept_document("invoice", receive_invoice)


@blueprint.get("/api/v1/invoices")
@requires_token_role("finance", "ops")
def invoices() -> Response:
    po_number = request.args.get("po_number")
    if po_number is not None and not PO_NUMBER.fullmatch(po_number):
        return problem(400, "Bad Request", "po_number must be 1 to 22 letters or digits")
    delivery = request.args.get("delivery")
    if delivery is not None and delivery not in {d.value for d in Delivery}:
        return problem(400, "Bad Request", f"delivery must be one of {', '.join(d.value for d in Delivery)}")
    status = request.args.get("status")
    if status is not None and status not in {s.value for s in PaymentStatus}:
        return problem(400, "Bad Request", f"status must be one of {', '.join(s.value for s in PaymentStatus)}")
    with session_scope(settings_of(current_app)) as session:
        rows = list_invoices(session, po_number=po_number, delivery=Delivery(delivery) if delivery else None)
        shown = [invoice_json(session, row) for row in rows]
        return jsonify(items=[item for item in shown if status is None or item["status"] == status])


@blueprint.get("/api/v1/invoices/<invoice_number>")
@requires_token_role("finance", "ops")
def invoice(invoice_number: str) -> Response:
    with session_scope(settings_of(current_app)) as session:
        row = find_invoice(session, invoice_number) if INVOICE_NUMBER.fullmatch(invoice_number) else None
        if row is None:
            return problem(404, "Not Found", f"no invoice {invoice_number}")
        return jsonify(invoice_json(session, row))
