"""Invoices over HTTP: the IMS posts an invoice (the source of an 810), finance reads them.

``POST /api/v1/ims/invoices`` (role ims; docs/ims-api.yaml ``receiveInvoice``): 202 once stored
and its 810 queued (or the same body again), 422 with every problem, 409 for a number used
before. ``GET /api/v1/invoices[.csv|/<number>]`` (finance, ops) are in docs/gateway-api.yaml.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.orm import Session

from gateway.exchange.outbound import Delivery
from gateway.finance.payments import PaymentStatus
from gateway.invoicing.invoices import receive_invoice
from gateway.invoicing.read_model import find_invoice, invoice_json, invoices_csv, list_invoices, payment_status_of
from gateway.invoicing.report import INVOICE_NUMBER, PO_NUMBER
from gateway.models import Invoice
from gateway.platform.db import session_scope
from gateway.web import settings_of
from gateway.web.auth import problem, requires_token_role
from gateway.web.ims_documents import accept_document

blueprint = Blueprint("invoices", __name__)

INVOICE_ROWS = 100
# How many of the newest invoices a payment-status filter looks through for its 100.
STATUS_SCAN = 5000


@blueprint.post("/api/v1/ims/invoices")
@requires_token_role("ims")
def receive() -> Response:
    return accept_document("invoice", receive_invoice)


@blueprint.get("/api/v1/invoices")
@requires_token_role("finance", "ops")
def invoices() -> Response:
    return _with_invoices(lambda session, rows: jsonify(items=[invoice_json(session, row) for row in rows]))


@blueprint.get("/api/v1/invoices.csv")
@requires_token_role("finance", "ops")
def invoices_sheet() -> Response:
    """The same invoices (and filters) as a CSV download: one row per invoice."""
    return _with_invoices(lambda session, rows: csv_download(invoices_csv(session, rows), "invoices.csv"))


def csv_download(text: str, filename: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_invoices(answer: Callable[[Session, list[Invoice]], Response]) -> Response:
    with session_scope(settings_of(current_app)) as session:
        rows = _invoice_rows(session)
        return rows if isinstance(rows, Response) else answer(session, rows)


def _invoice_rows(session: Session) -> list[Invoice] | Response:
    """The newest 100 invoices the query asks for (``po_number``, ``delivery``, payment
    ``status``), or a 400 naming the bad parameter."""
    po_number = request.args.get("po_number")
    if po_number is not None and not PO_NUMBER.fullmatch(po_number):
        return problem(400, "Bad Request", "po_number must be 1 to 22 letters or digits")
    delivery = request.args.get("delivery")
    if delivery is not None and delivery not in {d.value for d in Delivery}:
        return problem(400, "Bad Request", f"delivery must be one of {', '.join(d.value for d in Delivery)}")
    status = request.args.get("status")
    if status is not None and status not in {s.value for s in PaymentStatus}:
        return problem(400, "Bad Request", f"status must be one of {', '.join(s.value for s in PaymentStatus)}")
    rows = list_invoices(session, po_number=po_number, delivery=Delivery(delivery) if delivery else None,
                         limit=INVOICE_ROWS if status is None else STATUS_SCAN)
    if status is not None:
        rows = [row for row in rows if payment_status_of(session, row).value == status][:INVOICE_ROWS]
    return rows


@blueprint.get("/api/v1/invoices/<invoice_number>")
@requires_token_role("finance", "ops")
def invoice(invoice_number: str) -> Response:
    with session_scope(settings_of(current_app)) as session:
        row = find_invoice(session, invoice_number) if INVOICE_NUMBER.fullmatch(invoice_number) else None
        if row is None:
            return problem(404, "Not Found", f"no invoice {invoice_number}")
        return jsonify(invoice_json(session, row))
