"""The invoice read model: what finance sees of an invoice and its 810, as JSON and on pages.

An invoice's ``status`` is where its payment stands (``gateway.finance.payments``: unpaid,
paid, short-paid, over-paid, from the remittance lines matched to it), with ``payments``:
each remittance's amount and the deductions that explain a short payment. Where its 810 stands
with Amazon is ``edi``: the delivery (``gateway.exchange.outbound.Delivery``: delivered means
Amazon's verified MDN came back) and Amazon's 997 code. Reading only.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gateway.catalogue.items import money_text
from gateway.exchange.outbound import Delivery, delivered_at, delivery_is, delivery_of
from gateway.exchange.tracker import functional_ack_due
from gateway.finance.payments import STATUS_WORDS, PaymentStatus
from gateway.finance.remittances import invoice_standing
from gateway.invoicing.invoices import INVOICE
from gateway.models import AuditEvent, Invoice, Message
from gateway.orders.read_model import quantity_text


# The columns of the invoices CSV, one row per invoice (``invoices_csv``).
CSV_COLUMNS = ("invoice_number", "po_number", "invoice_date", "total_amount", "currency", "status",
               "received_amount", "delivery", "functional_ack")

# Where an invoice came from, as the pages say it.
SOURCE_WORDS = {"ims": "IMS", "automatic": "automatic"}
PAYMENT_WORDS = STATUS_WORDS


def payment_status_of(session: Session, invoice: Invoice) -> PaymentStatus:
    """Where the invoice's payment stands, from the remittances matched to it."""
    return invoice_standing(session, invoice).status


def find_invoice(session: Session, invoice_number: str) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.invoice_number == invoice_number)
                           .options(selectinload(Invoice.lines), selectinload(Invoice.message),
                                    selectinload(Invoice.shipment))).first()


def list_invoices(session: Session, *, po_number: str | None = None, delivery: Delivery | None = None,
                  limit: int = 100) -> list[Invoice]:
    """The newest invoices first, optionally of one PO or with one 810 delivery state."""
    query = select(Invoice).options(selectinload(Invoice.lines), selectinload(Invoice.message),
                                    selectinload(Invoice.shipment))
    if po_number is not None:
        query = query.where(Invoice.po_number == po_number)
    if delivery is not None:
        query = query.join(Message, Message.id == Invoice.message_id).where(delivery_is(delivery))
    return list(session.scalars(query.order_by(Invoice.created_at.desc(), Invoice.id.desc()).limit(limit)))


def functional_ack_of(session: Session, invoice: Invoice) -> str | None:
    """Amazon's 997 code for the invoice's 810 (None while awaited)."""
    return invoice_functional_ack_due(session, invoice)[0]


def invoice_functional_ack_due(session: Session, invoice: Invoice) -> tuple[str | None, datetime | None]:
    """Amazon's 997 code for the invoice's 810 (None while awaited) and when it is due."""
    return functional_ack_due(session, invoice.message_id, "810")


def invoice_json(session: Session, invoice: Invoice) -> dict[str, Any]:
    message = invoice.message
    assert message is not None  # stored with its 810 in one transaction
    return {
        "invoice_number": invoice.invoice_number,
        "po_number": invoice.po_number,
        **_payment_json(session, invoice),
        "invoice_date": invoice.invoice_date.isoformat(),
        "currency": invoice.currency,
        "total_amount": money_text(invoice.total_amount),
        "source": invoice.source,
        "shipment_id": invoice.shipment.shipment_id if invoice.shipment else None,
        "created_at": _instant(invoice.created_at),
        "lines": [{"line_number": line.line_number, "sku": line.sku, "quantity": quantity_text(line.quantity),
                   "unit": line.unit, "unit_cost": money_text(line.unit_cost)} for line in invoice.lines],
        "allowances_and_charges": invoice.allowances_and_charges,
        "edi": {
            "message_id": message.id,
            "delivery": delivery_of(message).value,
            "delivered_at": _instant(delivered_at(message)),
            "attempts": message.attempts,
            "error": message.error,
            "functional_ack": functional_ack_of(session, invoice),
        },
    }


def _payment_json(session: Session, invoice: Invoice) -> dict[str, Any]:
    standing = invoice_standing(session, invoice)
    return {
        "status": standing.status.value,
        "received_amount": money_text(standing.received),
        "payments": [{"trace_number": payment.trace_number,
                      "payment_date": None if payment.payment_date is None else payment.payment_date.isoformat(),
                      "amount": money_text(payment.amount),
                      "deductions": [{"code": deduction.code, "amount": money_text(deduction.amount),
                                      "description": deduction.description} for deduction in payment.deductions]}
                     for payment in standing.payments],
    }


def invoices_csv(session: Session, invoices: list[Invoice]) -> str:
    """One row per invoice, for a spreadsheet: its total, where its payment stands and its 810's."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for invoice in invoices:
        standing = invoice_standing(session, invoice)
        writer.writerow([invoice.invoice_number, invoice.po_number, invoice.invoice_date.isoformat(),
                         money_text(invoice.total_amount), invoice.currency, standing.status.value,
                         money_text(standing.received),
                         "" if invoice.message is None else delivery_of(invoice.message).value,
                         functional_ack_of(session, invoice) or ""])
    return out.getvalue()


def invoice_history(session: Session, invoice: Invoice) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.subject_type == INVOICE,
                                                         AuditEvent.subject_id == invoice.invoice_number)
                                .order_by(AuditEvent.at, AuditEvent.id)))


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
