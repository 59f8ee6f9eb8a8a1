"""The invoice read model: what finance sees of an invoice and its 810, as JSON and on pages.

An invoice's ``status`` is where its payment stands: ``unpaid`` until remittances (820) are
reconciled against it (issue 18 adds paid, short-paid and over-paid). Where its 810 stands
with Amazon is ``edi``: the delivery (``gateway.exchange.outbound.Delivery``: delivered means
Amazon's verified MDN came back) and Amazon's 997 code. Reading only.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gateway.catalogue.items import money_text
from gateway.exchange.outbound import Delivery, delivered_at, delivery_is, delivery_of
from gateway.exchange.tracker import functional_ack_due
from gateway.invoicing.invoices import INVOICE
from gateway.models import AuditEvent, Invoice, Message
from gateway.orders.read_model import quantity_text


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"  # no remittance has paid it (yet)


# Each payment status, and where an invoice came from, as the pages say them.
PAYMENT_WORDS = {PaymentStatus.UNPAID: "unpaid: no remittance yet"}
SOURCE_WORDS = {"ims": "IMS", "automatic": "automatic"}


def payment_status_of(invoice: Invoice) -> PaymentStatus:
    """Where the invoice's payment stands: unpaid until remittances are reconciled (issue 18)."""
    return PaymentStatus.UNPAID


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
        "status": payment_status_of(invoice).value,
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


def invoice_history(session: Session, invoice: Invoice) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.subject_type == INVOICE,
                                                         AuditEvent.subject_id == invoice.invoice_number)
                                .order_by(AuditEvent.at, AuditEvent.id)))


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
