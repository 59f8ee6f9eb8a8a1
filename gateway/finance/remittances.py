"""Remittances taken in: each 820 stored with its lines, each line matched to an invoice.

Matching, in order: the line's reference is one of our invoice numbers; its reference is a
shortage claim (or reversal) on one of our invoice numbers; its PO number (REF*PO) has one
invoice (or several, one of them for the line's invoiced amount). A line about the account
(a chargeback or price-protection debit note, a co-op agreement invoice, a provision) is
matched to no invoice and counted in the month close by kind. A line meant for an invoice
that no rule finds is an ``unreconciled_payment`` exception: money Amazon says it paid or
took, which finance cannot yet put anywhere. The same trace number again (a resent 820)
changes nothing.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from edi_maps.documents import Remittance as RemittanceDocument
from edi_maps.documents import RemittanceLine as RemittanceLineDocument
from gateway.finance.payments import PaidLine, PaymentStanding, PaymentStatus, payment_standing
from gateway.finance.references import ON_AN_INVOICE, LineKind, read_reference
from gateway.models import Invoice, Message, Remittance, RemittanceLine, TradingPartner
from gateway.operations.exception_queue import record_exception, resolve_cause_gone
from gateway.platform import audit


def receive_remittance(session: Session, partner: TradingPartner, message: Message,
                       document: RemittanceDocument) -> None:
    """Store an 820 and match its lines (the inbound worker's receiver)."""
    known = session.scalars(select(Remittance).where(Remittance.partner_id == partner.id,
                                                     Remittance.trace_number == document.trace_number)).first()
    if known is not None:
        audit.record(session, "remittance.duplicate", actor="worker", subject_type="remittance",
                     subject_id=document.trace_number, message_id=message.id, first_message_id=known.message_id)
        return
    remittance = Remittance(partner_id=partner.id, message_id=message.id, trace_number=document.trace_number,
                            payment_amount=document.payment_amount, payment_method=document.payment_method[:8],
                            payment_date=document.payment_date, payer_name=(document.payer_name or "")[:60] or None,
                            payee_name=(document.payee_name or "")[:60] or None)
    session.add(remittance)
    touched: set[int] = set()
    for line in document.lines:
        row = _line(session, line)
        remittance.lines.append(row)
        if row.invoice_id is not None:
            touched.add(row.invoice_id)
    session.flush()
    audit.record(session, "remittance.received", actor="worker", subject_type="remittance",
                 subject_id=remittance.trace_number, amount=str(remittance.payment_amount),
                 lines=len(remittance.lines), message_id=message.id)
    _check_total(session, remittance)
    for row in remittance.lines:
        if row.invoice_id is None and LineKind(row.kind) in ON_AN_INVOICE:
            _unknown(session, remittance, row)
    for invoice_id in touched:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        standing = invoice_standing(session, invoice)
        audit.record(session, "purchase_order.payment_received", actor="worker", subject_type="purchase_order",
                     subject_id=invoice.po_number, invoice=invoice.invoice_number,
                     trace_number=remittance.trace_number, status=standing.status.value,
                     received=str(standing.received), short_by=str(standing.short_by))
        if standing.status is not PaymentStatus.UNPAID:
            resolve_cause_gone(session, ("invoice_overdue",), cause=f"paid ({standing.status.value}) by remittance "
                               f"{remittance.trace_number}", subject_type="invoice", subject_id=invoice.invoice_number)


def _line(session: Session, line: RemittanceLineDocument) -> RemittanceLine:
    reference = line.invoice_number
    invoice = _invoice(session, reference)
    kind, matched_by = LineKind.INVOICE, "invoice_number"
    if invoice is None:
        read = read_reference(reference)
        kind = read.kind
        if read.kind is not LineKind.INVOICE and read.invoice_number is not None:
            invoice = _invoice(session, read.invoice_number)
        if invoice is None and kind in ON_AN_INVOICE and line.po_number:
            invoice, matched_by = _by_po(session, line.po_number, line.amount_invoiced), "po_number"
    return RemittanceLine(
        reference=reference[:80], kind=kind.value, po_number=(line.po_number or "")[:22] or None,
        amount_paid=line.amount_paid, amount_invoiced=line.amount_invoiced, discount_amount=line.discount_amount,
        invoice_date=line.invoice_date,
        adjustments=[{"amount": str(adjustment.amount), "code": adjustment.reason_code}
                     for adjustment in line.adjustments],
        invoice_id=None if invoice is None else invoice.id, matched_by=None if invoice is None else matched_by)


def _invoice(session: Session, number: str) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.invoice_number == number)).first()


def _by_po(session: Session, po_number: str, amount_invoiced: Decimal | None) -> Invoice | None:
    """The PO's one invoice, or of several the one for the line's invoiced amount."""
    invoices = list(session.scalars(select(Invoice).where(Invoice.po_number == po_number)))
    if len(invoices) == 1:
        return invoices[0]
    same_amount = [invoice for invoice in invoices if invoice.total_amount == amount_invoiced]
    return same_amount[0] if len(same_amount) == 1 else None


def _check_total(session: Session, remittance: Remittance) -> None:
    lines = sum((row.amount_paid for row in remittance.lines), Decimal(0))
    if lines != remittance.payment_amount:
        record_exception(
            session, "unreconciled_payment",
            f"Remittance {remittance.trace_number} pays {remittance.payment_amount} (BPR02) but its lines add up to "
            f"{lines}: the deposit and the lines disagree by {remittance.payment_amount - lines}. Ask Amazon's "
            "payee support which is right before posting it.",
            subject_type="remittance", subject_id=remittance.trace_number, key="total")


def _unknown(session: Session, remittance: Remittance, row: RemittanceLine) -> None:
    po = f" for PO {row.po_number}" if row.po_number else ""
    record_exception(
        session, "unreconciled_payment",
        f"Remittance {remittance.trace_number} has a line {row.reference}{po} of {row.amount_paid} that matches no "
        "invoice of ours (by invoice number, shortage suffix or PO number). Find the invoice it pays (an invoice "
        "sent outside the gateway, a typing error at Amazon) before the month is closed.",
        subject_type="remittance", subject_id=remittance.trace_number, key=row.reference, po_number=row.po_number,
        detail={"reference": row.reference, "amount": str(row.amount_paid)})


def paid_lines(session: Session, invoice: Invoice) -> list[PaidLine]:
    rows = session.execute(select(RemittanceLine, Remittance.trace_number, Remittance.payment_date)
                           .join(Remittance, Remittance.id == RemittanceLine.remittance_id)
                           .where(RemittanceLine.invoice_id == invoice.id)
                           .order_by(Remittance.received_at, RemittanceLine.id))
    return [PaidLine(trace, paid_on, LineKind(row.kind), row.reference, row.amount_paid,
                     tuple((Decimal(entry["amount"]), entry["code"]) for entry in row.adjustments))
            for row, trace, paid_on in rows]


def invoice_standing(session: Session, invoice: Invoice) -> PaymentStanding:
    """Where the invoice's payment stands now."""
    return payment_standing(invoice.total_amount, paid_lines(session, invoice))
