"""Invoices unpaid past their terms: Amazon owes the money and has not paid any of it.

An invoice is due its partner's ``invoicing.terms_net_days`` after its date; still unpaid
(no remittance line matched to it) the day after, it is an ``invoice_overdue`` exception
for finance, resolved by the remittance that pays it. An 810 Amazon's 997 rejected is not
an invoice Amazon holds, so it is not chased.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from gateway.exchange.tracker import functional_ack_due
from gateway.finance.payments import PaymentStatus
from gateway.finance.remittances import invoice_standing
from gateway.models import Invoice, TradingPartner
from gateway.operations.exception_queue import record_exception
from gateway.partners.registry import profile_of
from gateway.platform.config import Settings
from gateway.platform.db import session_scope


def due_date(invoice_date: date, net_days: int) -> date:
    return invoice_date + timedelta(days=net_days)


def watch_overdue(settings: Settings, *, now: datetime | None = None) -> list[str]:
    """Raise each unpaid invoice past its due date; returns their numbers."""
    today = (now or datetime.now(timezone.utc)).date()
    overdue: list[str] = []
    with session_scope(settings) as session:
        partners = {partner.id: partner for partner in session.scalars(select(TradingPartner))}
        for invoice in session.scalars(select(Invoice).order_by(Invoice.invoice_date)):
            due = due_date(invoice.invoice_date, profile_of(partners[invoice.partner_id]).invoicing.terms_net_days)
            if due >= today or functional_ack_due(session, invoice.message_id, "810")[0] == "R":
                continue
            if invoice_standing(session, invoice).status is not PaymentStatus.UNPAID:
                continue
            overdue.append(invoice.invoice_number)
            record_exception(
                session, "invoice_overdue",
                f"Invoice {invoice.invoice_number} (PO {invoice.po_number}, {invoice.total_amount} "
                f"{invoice.currency}, dated {invoice.invoice_date}) was due on {due} and no remittance has paid any "
                f"of it ({(today - due).days} days late). Check its status in Vendor Central (Payments > Invoices): "
                "an invoice Amazon has not matched to a receipt is not paid.",
                subject_type="invoice", subject_id=invoice.invoice_number, po_number=invoice.po_number,
                detail={"due_date": due.isoformat(), "total_amount": str(invoice.total_amount)})
    return overdue
