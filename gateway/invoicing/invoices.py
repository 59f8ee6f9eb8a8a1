"""An invoice becomes an 810 to Amazon: checked, stored, sent at once.

Two ways in, one way out:
- :func:`receive_invoice` (``POST /api/v1/ims/invoices``): the IMS's invoice, idempotent on
  its number (unique forever: a different body under a known number is refused);
- :func:`invoice_delivered_shipments` (beat): for a partner whose profile has
  ``invoicing.automatic``, one invoice per PO of each shipment whose 856 Amazon has (a
  verified MDN), for what shipped and is not invoiced, at the acknowledged costs, numbered
  from ``invoicing.number_prefix`` and a sequence.
Both store the invoice, move the PO lines' invoiced quantities and hand the canonical
:class:`~edi_maps.documents.Invoice` to ``gateway.exchange.outbound.send_document`` in the
same transaction; the send is queued once it has committed.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from edi_maps.documents import (
    Address,
    AllowanceOrCharge,
    AllowanceOrChargeKind,
    IdentifierQualifier,
    PaymentTerms,
    ProductIdentifier,
    UnitOfMeasure,
)
from edi_maps.documents import Invoice as InvoiceDocument
from edi_maps.documents import InvoiceLine as InvoiceDocumentLine
from gateway.exchange.control_numbers import next_control_number
from gateway.exchange.outbound import Delivery, QueuedDocument, delivery_is, send_document, start_delivery
from gateway.invoicing.checks import BilledLine, InvoiceFacts, LineFacts, billed_lines, check_invoice, invoice_total
from gateway.invoicing.remit_to import NOT_SET, remit_to
from gateway.invoicing.report import InvoiceReport, ReportedAdjustment, read_invoice
from gateway.models import (
    Invoice,
    InvoiceLine,
    Message,
    PurchaseOrder,
    Shipment,
    ShipmentCarton,
    TradingPartner,
    Warehouse,
    X12Group,
    X12Set,
)
from gateway.operations.exception_queue import resolve_cause_gone
from gateway.orders.status import TIMELINE, PurchaseOrderStatus
from gateway.partners.profile import InvoicingSettings
from gateway.partners.registry import profile_of
from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.platform.json_reading import BodyConflict, BodyRefused, Problem
from gateway.shipping.checks import quantity_in_unit

log = structlog.get_logger("gateway.invoicing.invoices")

# Subject type of an invoice's own history in the audit trail; subject_id is the invoice number.
INVOICE = "invoice"


class Received(StrEnum):
    ACCEPTED = "accepted"  # new: stored and its 810 queued
    UNCHANGED = "unchanged"  # the same body again: nothing to do


class InvoiceInvalid(BodyRefused):
    """The invoice breaks the contract or Amazon's rules; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("invoice", problems)


class InvoiceConflict(BodyConflict):
    """The invoice number was used before with a different body (numbers are unique forever)."""


@dataclass(frozen=True, slots=True)
class InvoiceReceipt:
    outcome: Received
    invoice_number: str
    queued: QueuedDocument | None


def receive_invoice(settings: Settings, body: Any, *, actor: str, now: datetime | None = None) -> InvoiceReceipt:
    """Check, store and send the 810 for an invoice the IMS posts; raises :class:`InvoiceInvalid`
    (422) or :class:`InvoiceConflict` (409)."""
    now = now or datetime.now(timezone.utc)
    report, problems = read_invoice(body)
    if report is None:
        raise InvoiceInvalid(problems)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    with session_scope(settings) as session:
        known = session.scalars(select(Invoice).where(Invoice.invoice_number == report.invoice_number)).first()
        if known is not None and known.body_sha256 == digest:
            return InvoiceReceipt(Received.UNCHANGED, report.invoice_number, None)
        if known is not None:
            raise InvoiceConflict(f"invoice number {report.invoice_number} was used on {known.created_at:%Y-%m-%d} "
                                  f"for PO {known.po_number}; Amazon rejects a number used before: give a new one")
        po = _purchase_order(session, report.po_number)
        facts = _facts(session, po, report.shipment_id) if po is not None else None
        problems = check_invoice(report, facts)
        if po is not None and remit_to(session) is None:
            problems.append(Problem("", NOT_SET))
        if problems:
            raise InvoiceInvalid(problems)
        assert po is not None and facts is not None
        shipment = _shipment(session, report.shipment_id)
        queued = _store_and_send(session, settings, po, report, billed_lines(report, facts), shipment,
                                 source="ims", body=body, digest=digest, actor=actor, now=now)
    start_delivery(settings, queued)
    return InvoiceReceipt(Received.ACCEPTED, report.invoice_number, queued)


def invoice_delivered_shipments(settings: Settings, now: datetime | None = None) -> list[str]:
    """Invoice what shipped in each delivered 856 (partners with ``invoicing.automatic``);
    returns the invoice numbers made. Safe to run twice, or in two workers at once: a shipment
    being invoiced is locked, and a line already invoiced is not invoiced again."""
    now = now or datetime.now(timezone.utc)
    made: list[str] = []
    queued_all: list[QueuedDocument] = []
    with session_scope(settings) as session:
        if remit_to(session) is None:
            return made
        invoiced = select(Invoice.shipment_ref).where(Invoice.shipment_ref.is_not(None))
        delivered = (select(Shipment).join(Message, Message.id == Shipment.asn_message_id)
                     .where(delivery_is(Delivery.DELIVERED), Shipment.id.not_in(invoiced))
                     .options(selectinload(Shipment.cartons).selectinload(ShipmentCarton.items))
                     # Two workers running the beat task at once: each shipment is invoiced by one.
                     .with_for_update(of=Shipment, skip_locked=True))
        for shipment in session.scalars(delivered):
            policy = profile_of(existing(session, TradingPartner, shipment.partner_id)).invoicing
            if not policy.automatic:
                continue
            for po_number in shipment.po_numbers:
                po = _purchase_order(session, po_number)
                if po is None:
                    continue
                lines = _uninvoiced_lines(session, shipment, po)
                if not lines or invoice_total(lines, ()) <= 0:
                    continue
                number = _next_number(session, policy)
                report = InvoiceReport(number, now.date(), po_number, shipment.shipment_id, policy.currency, (), (),
                                       invoice_total(lines, ()))
                queued_all.append(_store_and_send(session, settings, po, report, lines, shipment, source="automatic",
                                                  body=None, digest=None, actor="gateway", now=now))
                made.append(number)
    for queued in queued_all:
        start_delivery(settings, queued)
    return made


def _uninvoiced_lines(session: Session, shipment: Shipment, po: PurchaseOrder) -> list[BilledLine]:
    """What this shipment carried of each PO line, up to what is not invoiced yet, at the acknowledged cost."""
    shipped: dict[int, int] = {}
    for carton in shipment.cartons:
        if carton.po_number == po.po_number:
            for item in carton.items:
                shipped[item.purchase_order_line_id] = shipped.get(item.purchase_order_line_id, 0) + item.eaches
    facts = _facts(session, po, None)
    billed = []
    for line in po.lines:
        known = facts.lines[line.line_number]
        if line.id not in shipped or known.acknowledged_cost is None:
            continue
        quantity = min(quantity_in_unit(shipped[line.id], line.unit, line.pack_size),
                       known.shipped - known.invoiced_elsewhere)
        if quantity > 0:
            billed.append(BilledLine(line.line_number, quantity, line.unit, known.acknowledged_cost))
    return billed


def _next_number(session: Session, policy: InvoicingSettings) -> str:
    """The next automatic invoice number not used by any invoice (the IMS's included)."""
    while True:
        number = f"{policy.number_prefix}{next_control_number(session, 'invoices', 'invoice'):08d}"
        if session.scalar(select(func.count()).where(Invoice.invoice_number == number)) == 0:
            return number


def _purchase_order(session: Session, po_number: str) -> PurchaseOrder | None:
    """The PO by number (the newest where two vendor codes share one)."""
    return session.scalars(select(PurchaseOrder).where(PurchaseOrder.po_number == po_number)
                           .options(selectinload(PurchaseOrder.lines))
                           .order_by(PurchaseOrder.received_at.desc())).first()


def _shipment(session: Session, shipment_id: str | None) -> Shipment | None:
    if shipment_id is None:
        return None
    return session.scalars(select(Shipment).where(Shipment.shipment_id == shipment_id)).first()


def _facts(session: Session, po: PurchaseOrder, shipment_id: str | None) -> InvoiceFacts:
    partner = existing(session, TradingPartner, po.partner_id)
    invoiced = invoiced_by_line(session, [line.id for line in po.lines])
    shipment_problem = None
    if shipment_id is not None:
        shipment = _shipment(session, shipment_id)
        if shipment is None:
            shipment_problem = f"shipment {shipment_id} is not a shipment the gateway has"
        elif po.po_number not in shipment.po_numbers:
            shipment_problem = f"shipment {shipment_id} does not carry PO {po.po_number}"
    return InvoiceFacts(
        po_number=po.po_number, po_date=po.order_date or po.received_at.date(),
        currency=profile_of(partner).invoicing.currency, cancelled=po.status == PurchaseOrderStatus.CANCELLED,
        lines={line.line_number: LineFacts(line.line_number, line.sku, line.unit, line.pack_size,
                                           line.acknowledged_unit_cost, line.shipped,
                                           invoiced.get(line.id, Decimal(0))) for line in po.lines},
        shipment_problem=shipment_problem)


def rejected_810s() -> Select[int]:
    """The invoices whose 810 Amazon's 997 rejected (AK5 R, else AK9 R): Amazon does not have them."""
    code = func.coalesce(X12Set.ack_status, X12Group.ack_status)
    return (select(Invoice.id).join(X12Group, X12Group.message_id == Invoice.message_id)
            .join(X12Set, X12Set.group_id == X12Group.id).where(X12Set.set_id == "810", code == "R"))


def invoiced_by_line(session: Session, line_ids: list[int]) -> dict[int, Decimal]:
    """What each PO line is invoiced for, in its unit, over the invoices Amazon has not rejected:
    a 997-rejected 810 bills nothing, so its goods may be invoiced again under a new number."""
    rows = session.execute(select(InvoiceLine.purchase_order_line_id, func.sum(InvoiceLine.quantity))
                           .where(InvoiceLine.purchase_order_line_id.in_(line_ids),
                                  InvoiceLine.invoice_id.not_in(rejected_810s()))
                           .group_by(InvoiceLine.purchase_order_line_id))
    return {line_id: Decimal(total) for line_id, total in rows}


def recount_invoiced(session: Session, po: PurchaseOrder) -> None:
    """Set each line's ``invoiced`` from the invoices Amazon has not rejected."""
    invoiced = invoiced_by_line(session, [line.id for line in po.lines])
    for line in po.lines:
        line.invoiced = invoiced.get(line.id, Decimal(0))


def _store_and_send(session: Session, settings: Settings, po: PurchaseOrder, report: InvoiceReport,
                    lines: list[BilledLine], shipment: Shipment | None, *, source: str, body: Any,
                    digest: str | None, actor: str, now: datetime) -> QueuedDocument:
    by_number = {line.line_number: line for line in po.lines}
    total = invoice_total(lines, report.adjustments)
    invoice = Invoice(
        invoice_number=report.invoice_number, partner_id=po.partner_id, purchase_order_id=po.id,
        po_number=po.po_number, shipment_ref=shipment.id if shipment else None, invoice_date=report.invoice_date,
        currency=report.currency, total_amount=total, source=source, body=body, body_sha256=digest, created_at=now,
        allowances_and_charges=[{"kind": a.kind, "code": a.code, "amount": str(a.amount)} for a in report.adjustments],
        lines=[InvoiceLine(purchase_order_line_id=by_number[line.line_number].id, line_number=line.line_number,
                           sku=by_number[line.line_number].sku or "", quantity=line.quantity, unit=line.unit,
                           unit_cost=line.unit_cost) for line in lines])
    session.add(invoice)
    session.flush()
    recount_invoiced(session, po)
    partner = existing(session, TradingPartner, po.partner_id)
    queued = send_document(session, settings, partner, _document(session, po, invoice, lines, report.adjustments,
                                                                  shipment, profile_of(partner).invoicing), when=now)
    invoice.message_id = queued.message_id
    audit.record(session, f"invoice.{source}", actor=actor, subject_type=INVOICE, subject_id=invoice.invoice_number,
                 po_number=po.po_number, total=str(total), message_id=queued.message_id)
    audit.record(session, "purchase_order.810_sent", actor=actor, subject_type=TIMELINE, subject_id=po.po_number,
                 invoice_number=invoice.invoice_number, total=str(total), currency=invoice.currency,
                 message_id=queued.message_id)
    resolve_cause_gone(session, ("shipped_not_invoiced",), po_number=po.po_number,
                       cause=f"invoice {invoice.invoice_number} was queued")
    log.info("810 queued", invoice=invoice.invoice_number, po=po.po_number, source=source)
    return queued


def _document(session: Session, po: PurchaseOrder, invoice: Invoice, lines: list[BilledLine],
              adjustments: tuple[ReportedAdjustment, ...], shipment: Shipment | None,
              policy: InvoicingSettings) -> InvoiceDocument:
    """The canonical 810: each line with the identifier Amazon ordered by, in the PO's unit."""
    by_number = {line.line_number: line for line in po.lines}
    address = remit_to(session)
    assert address is not None  # checked before
    warehouse = session.scalars(select(Warehouse).where(Warehouse.code == shipment.ship_from)).first() \
        if shipment else None
    return InvoiceDocument(
        invoice_number=invoice.invoice_number, invoice_date=invoice.invoice_date, po_number=po.po_number,
        po_date=po.order_date or po.received_at.date(), vendor_code=po.vendor_code or None, currency=invoice.currency,
        remit_to=address,
        ship_from=Address(warehouse.name, warehouse.street, warehouse.city, warehouse.state, warehouse.postal_code,
                          warehouse.country) if warehouse else None,
        ship_to=po.ship_to, terms=PaymentTerms(
            policy.terms_net_days,
            None if policy.terms_discount_percent is None else Decimal(policy.terms_discount_percent),
            policy.terms_discount_days),
        shipment_id=shipment.shipment_id if shipment else None,
        bill_of_lading=shipment.bill_of_lading if shipment else None,
        lines=tuple(InvoiceDocumentLine(
            line.line_number, ProductIdentifier(IdentifierQualifier(by_number[line.line_number].qualifier),
                                                by_number[line.line_number].identifier),
            line.quantity, UnitOfMeasure(line.unit), line.unit_cost) for line in lines),
        allowances_and_charges=tuple(AllowanceOrCharge(
            AllowanceOrChargeKind.ALLOWANCE if a.kind == "allowance" else AllowanceOrChargeKind.CHARGE, a.code,
            a.amount) for a in adjustments),
        total_amount=invoice.total_amount)
