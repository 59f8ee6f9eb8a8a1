"""Goods shipped and not invoiced (beat, every 10 minutes): money Amazon owes nobody has asked for.

A PO line that shipped more than was invoiced, ``invoicing.not_invoiced_days`` (default 3)
after its latest shipment left, opens a ``shipped_not_invoiced`` exception naming the PO,
the lines and the quantities; an invoice for the PO resolves it
(``gateway.invoicing.invoices``), and so does the watch once nothing is left uninvoiced. An
810 that Amazon's 997 rejected stops counting as invoiced here (its lines are owed again, and
may be invoiced under a new number).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gateway.invoicing.invoices import recount_invoiced, rejected_810s
from gateway.models import Invoice, PurchaseOrder, PurchaseOrderLine, Shipment, ShipmentCarton, TradingPartner
from gateway.orders.read_model import quantity_text
from gateway.operations.exception_queue import open_exceptions, record_exception, resolve_cause_gone
from gateway.partners.registry import profile_of
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope


def watch_uninvoiced(settings: Settings, now: datetime | None = None) -> list[str]:
    """Raise (or resolve) ``shipped_not_invoiced`` per PO; returns the PO numbers raised."""
    now = now or datetime.now(timezone.utc)
    raised = []
    with session_scope(settings) as session:
        # An 810 Amazon's 997 rejected bills nothing: its lines are owed again.
        for po in session.scalars(select(PurchaseOrder).where(PurchaseOrder.id.in_(
                select(Invoice.purchase_order_id).where(Invoice.id.in_(rejected_810s()))))):
            recount_invoiced(session, po)
        session.flush()
        owed = (select(PurchaseOrder).where(PurchaseOrder.lines.any(PurchaseOrderLine.shipped
                                                                    > PurchaseOrderLine.invoiced))
                .options(selectinload(PurchaseOrder.lines)))
        for po in session.scalars(owed):
            days = profile_of(existing(session, TradingPartner, po.partner_id)).invoicing.not_invoiced_days
            last_shipped = session.scalar(select(func.max(Shipment.shipped_at))
                                          .join(ShipmentCarton, ShipmentCarton.shipment_ref == Shipment.id)
                                          .where(ShipmentCarton.po_number == po.po_number))
            if last_shipped is None or now - last_shipped < timedelta(days=days):
                continue
            owing = [f"line {line.line_number} {quantity_text(line.shipped - line.invoiced)} {line.unit}"
                     for line in po.lines if line.shipped > line.invoiced]
            record_exception(
                session, "shipped_not_invoiced",
                f"PO {po.po_number}: shipped {last_shipped:%Y-%m-%d} and not invoiced after {days:g} days "
                f"({', '.join(owing)}): post the invoice from the IMS, or turn on automatic invoices",
                subject_type="purchase_order", subject_id=po.po_number, po_number=po.po_number)
            raised.append(po.po_number)
        for row in open_exceptions(session):
            if row.kind != "shipped_not_invoiced" or row.po_number in raised:
                continue
            resolve_cause_gone(session, ("shipped_not_invoiced",), po_number=row.po_number,
                               cause="everything shipped is invoiced")
    return raised
