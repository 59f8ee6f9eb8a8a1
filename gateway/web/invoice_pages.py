"""The invoices pages: every invoice (or a PO's, or those whose 810 stands one way) with
where its 810 stands with Amazon and whether it is paid, and one invoice with its lines,
allowances and charges, its 810, the shipment it bills, the remittances that paid it (each
deduction in words) and its history.

Finance reads them, and ops and admin too: every role that signs in (``gateway.access.users.ROLES``).
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, render_template, request

from gateway.exchange.outbound import Delivery
from gateway.finance.payments import PaymentStatus
from gateway.finance.remittances import invoice_standing
from gateway.invoicing.checks import line_amount
from gateway.invoicing.read_model import (
    PAYMENT_WORDS,
    SOURCE_WORDS,
    find_invoice,
    invoice_history,
    list_invoices,
    payment_status_of,
)
from gateway.invoicing.report import INVOICE_NUMBER
from gateway.platform.db import session_scope
from gateway.web import login, settings_of
from gateway.web.pages import filtered_by_po_number, found, history_in_words, invoice_words

blueprint = Blueprint("invoice_pages", __name__)
login.protect(blueprint)

INVOICE_ROWS = 100
# How many of the newest invoices a payment-status filter looks through for its 100.
STATUS_SCAN = 5000


@blueprint.context_processor
def _helpers() -> dict[str, object]:
    return {"line_amount": line_amount, "source_words": SOURCE_WORDS}


@blueprint.get("/invoices")
def invoices():
    """The newest invoices first; ``po_number`` keeps a PO's, ``delivery`` those whose 810 stands so,
    ``status`` those whose payment stands so."""
    now = datetime.now(timezone.utc)
    delivery = request.args.get("delivery", "").strip() or None
    if delivery is not None and delivery not in {d.value for d in Delivery}:
        return render_template("error.html", title="No such delivery state",
                               detail=f"Invoices cannot be filtered by {delivery!r}: the 810's delivery is one of "
                                      f"{', '.join(d.value for d in Delivery)}."), 400
    status = request.args.get("status", "").strip() or None
    if status is not None and status not in {s.value for s in PaymentStatus}:
        return render_template("error.html", title="No such payment status",
                               detail=f"Invoices cannot be filtered by {status!r}: the payment status is one of "
                                      f"{', '.join(s.value for s in PaymentStatus)}."), 400

    def listed(po_number: str | None) -> str:
        with session_scope(settings_of(current_app)) as db:
            rows = list_invoices(db, po_number=po_number, delivery=Delivery(delivery) if delivery else None,
                                 limit=INVOICE_ROWS if status is None else STATUS_SCAN)
            if status is not None:
                rows = [row for row in rows if payment_status_of(db, row).value == status][:INVOICE_ROWS]
            return render_template("invoices.html", invoices=rows, po_number=po_number, delivery_filter=delivery,
                                   deliveries=list(Delivery), status_filter=status, statuses=PAYMENT_WORDS,
                                   words=lambda invoice: invoice_words(db, invoice, now),
                                   payment=lambda invoice: PAYMENT_WORDS[payment_status_of(db, invoice)])

    return filtered_by_po_number(listed)


@blueprint.get("/invoices/<invoice_number>")
def invoice(invoice_number: str):
    """One invoice: what it bills at what cost, its 810 with Amazon, the shipment it bills, its history."""
    now = datetime.now(timezone.utc)
    with session_scope(settings_of(current_app)) as db:
        row = found(lambda number: find_invoice(db, number), invoice_number, INVOICE_NUMBER, "invoice")
        delivery, functional_ack = invoice_words(db, row, now)
        return render_template("invoice.html", invoice=row, delivery_text=delivery, functional_ack=functional_ack,
                               history=history_in_words(invoice_history(db, row)),
                               payment=lambda invoice: PAYMENT_WORDS[payment_status_of(db, invoice)],
                               standing=invoice_standing(db, row))
