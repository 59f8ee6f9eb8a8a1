"""Invoices for tests of the invoice pages, seeded through the models as the gateway leaves
them once an invoice is stored: a shipment of its PO (``tests.support.shipments``), the
invoice billing what shipped (the PO lines' ``invoiced`` moved), its 810 message (delivered,
or retrying) with the X12 group Amazon's 997 answers, and the invoice's and the PO's audit
events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from gateway.models import Invoice, InvoiceLine, PurchaseOrder, Shipment
from gateway.platform import audit
from gateway.platform.db import session_scope
from tests.support.shipments import amazon, sent_document, stored_shipment

# What stored_shipment's PO shipped, billed: 24 EA x 12.50 + 2 CA x 60.00 - 50.00 (C310 discount).
TOTAL = "370.00"


@dataclass(frozen=True)
class SeededInvoice:
    invoice_number: str
    po_number: str
    shipment_id: str
    message_id: int


def stored_invoice(settings, invoice_number: str, po_number: str, *, serial: int = 1, source: str = "ims",
                   delivered: bool = True, functional_ack: str | None = "A",
                   created_at: datetime | None = None) -> SeededInvoice:
    """An invoice of PO ``po_number`` for all of a shipment ``SHIP-<po_number>`` carried (line 1:
    24 EA at 12.50, line 2: 2 CA at 60.00) less a 50.00 discount; its 810 delivered (with
    Amazon's ``functional_ack``) or retrying."""
    now = created_at or datetime.now(timezone.utc)
    shipment_id = f"SHIP-{po_number}"
    stored_shipment(settings, shipment_id, po_number, serial=serial, received_at=now - timedelta(days=1))
    with session_scope(settings) as session:
        partner = amazon(session)
        po = session.scalars(select(PurchaseOrder).where(PurchaseOrder.po_number == po_number)).one()
        shipment = session.scalars(select(Shipment).where(Shipment.shipment_id == shipment_id)).one()
        message = sent_document(settings, session, partner, "810", invoice_number, delivered=delivered,
                                functional_ack=functional_ack, now=now, po_number=po_number)
        for line in po.lines:
            line.invoiced = line.shipped
        invoice = Invoice(
            invoice_number=invoice_number, partner_id=partner.id, purchase_order_id=po.id, po_number=po_number,
            shipment_ref=shipment.id, invoice_date=date(2026, 11, 30), currency="USD", total_amount=Decimal(TOTAL),
            source=source, body=None, body_sha256=None, message_id=message.id, created_at=now,
            allowances_and_charges=[{"kind": "allowance", "code": "C310", "amount": "50.00"}],
            lines=[InvoiceLine(purchase_order_line_id=line.id, line_number=line.line_number, sku=line.sku or "",
                               quantity=line.shipped, unit=line.unit, unit_cost=line.unit_cost) for line in po.lines])
        session.add(invoice)
        session.flush()
        actor = "api:ims" if source == "ims" else "gateway"
        audit.record(session, f"invoice.{source}", actor=actor, subject_type="invoice", subject_id=invoice_number,
                     po_number=po_number, total=TOTAL, message_id=message.id)
        audit.record(session, "purchase_order.810_sent", actor=actor, subject_type="purchase_order",
                     subject_id=po_number, invoice_number=invoice_number, total=TOTAL, currency="USD",
                     message_id=message.id)
        return SeededInvoice(invoice_number, po_number, shipment_id, message.id)
