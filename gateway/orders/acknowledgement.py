"""The 855: built from what the IMS allocated, sent in time, re-sent after changes.

``acknowledge_purchase_order`` is the entry point (a worker task; the sales-order task calls
``acknowledge`` in its own transaction once the IMS has answered). It waits until
the IMS has answered for every line it was sent, unless the deadline margin has come,
then decides every line with ``gateway.orders.line_outcomes`` and sends the 855 over AS2 with
the tracker expecting Amazon's 997. Each line states Amazon's cost in the PO's unit (per
case for a CA line), also where the catalogue expects another: ``gateway.orders.line_costs``
says why. ``watch_deadlines`` (beat) warns before the deadline
and, by the partner's policy, acknowledges what is known at the margin.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from edi_maps.documents import (
    AcknowledgedQuantity,
    Acknowledgement,
    AcknowledgementLine,
    IdentifierQualifier,
    LineOutcome,
    ProductIdentifier,
    RejectionReason,
    UnitOfMeasure,
    acknowledgement_type,
)
from gateway.platform import audit
from gateway.orders.deadlines import ack_deadline, reack_allowed
from gateway.orders.status import NOT_ACKNOWLEDGED, TIMELINE, LineStatus
from gateway.partners.profile import AcknowledgementSettings, DeadlinePolicy
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.operations.exception_queue import Severity, escalate, open_exceptions, record_exception, resolve_cause_gone
from gateway.orders.line_outcomes import LineFacts, OrderFacts, Outcome, decide_line
from gateway.orders.read_model import an_855_delivered
from gateway.models import CatalogueItem, PurchaseOrder, PurchaseOrderLine, TradingPartner
from gateway.exchange.outbound import QueuedDocument, delivery_of, send_document, start_delivery
from gateway.partners.registry import profile_of

log = structlog.get_logger("gateway.orders.acknowledgement")



def acknowledge_purchase_order(settings: Settings, purchase_order_id: int, *, at_deadline: bool = False,
                               now: datetime | None = None) -> str:
    """Send the PO's 855 if it is due; returns what happened (sent, waiting, unchanged, too-late...)."""
    now = now or datetime.now(timezone.utc)
    with session_scope(settings) as session:
        # Locked (PostgreSQL) until the 855 is stored: two workers acknowledging the PO at
        # once (its sales order created, an allocation callback) would both send a first 855.
        po = session.get(PurchaseOrder, purchase_order_id, with_for_update=True)
        if po is None:  # as in create_sales_order and update_sales_order: a task for no PO does nothing
            return "missing"
        result, queued = acknowledge(session, settings, po, at_deadline=at_deadline, now=now)
    if queued is not None:
        start_delivery(settings, queued)
        log.info("855 queued", po=po.po_number, message=queued.message_id, result=result)
    return result


def acknowledge(session: Session, settings: Settings, po: PurchaseOrder, *, at_deadline: bool = False,
                now: datetime) -> tuple[str, QueuedDocument | None]:
    """Decide the PO's 855 and queue it in the caller's transaction, if it is due; returns what
    happened and the 855 to start delivering once the transaction has committed.

    The caller holds the PO locked (``with_for_update``), as ``acknowledge_purchase_order`` does.
    """
    partner = existing(session, TradingPartner, po.partner_id)
    policy = profile_of(partner).acknowledgement
    if po.status in NOT_ACKNOWLEDGED:
        return "not-acknowledged", None
    if not at_deadline and any(line.status == LineStatus.OPEN for line in po.lines):
        return "waiting", None
    first = po.ack_sent_at is None
    if not first and not reack_allowed(po.received_at, now, policy):
        audit.record(session, "purchase_order.reack_too_late", subject_type=TIMELINE, subject_id=po.po_number)
        return "too-late", None
    skus = {line.sku for line in po.lines if line.sku}
    catalogue = {item.sku: item for item in
                 session.scalars(select(CatalogueItem).where(CatalogueItem.sku.in_(skus)))}
    decided = {line.id: _outcomes(po, line, catalogue.get(line.sku) if line.sku else None, policy, now.date())
               for line in po.lines}
    if not first and all(_essence(_as_json(decided[line.id])) == _essence(line.outcomes)
                         and line.acknowledged_unit_cost == line.unit_cost for line in po.lines):
        return "unchanged", None
    queued = _send(session, settings, po, partner, decided, now)
    verb = "sent" if first else "resent"
    audit.record(session, f"purchase_order.855_{verb}", subject_type=TIMELINE, subject_id=po.po_number,
                 message_id=queued.message_id, at_deadline=at_deadline,
                 lines={line.line_number: line.outcomes for line in po.lines})
    return verb, queued


def watch_deadlines(settings: Settings, now: datetime | None = None) -> dict[str, list[str]]:
    """Warn about POs whose 855 Amazon does not have yet as the deadline nears; at the margin
    act on the policy.

    Amazon has an 855 when its MDN came back, not when we sent it: a PO whose 855 is
    sent but not delivered (being retried, or failed) is warned about like one not sent,
    and its delivery exception turns critical once the last warning is due. Warnings
    whose PO has since had an 855 delivered (or was cancelled) resolve here.
    """
    now = now or datetime.now(timezone.utc)
    acted: dict[str, list[str]] = {"warned": [], "acknowledged": [], "late": [], "resolved": []}
    due = []
    with session_scope(settings) as session:
        pos = session.scalars(select(PurchaseOrder).where(PurchaseOrder.status.not_in(NOT_ACKNOWLEDGED),
                                                          ~an_855_delivered())
                              .options(selectinload(PurchaseOrder.ack_message))).all()
        for po in pos:
            policy = profile_of(existing(session, TradingPartner, po.partner_id)).acknowledgement
            deadline = ack_deadline(po.received_at, policy)
            po.ack_due_at = deadline
            left = deadline - now
            state = _not_delivered_yet(po)
            if left <= timedelta(0):
                record_exception(session, "ack_late", f"PO {po.po_number}: 855 not delivered, due {deadline:%Y-%m-%d %H:%M} "
                                                      f"UTC; {state}",
                                 subject_type=TIMELINE, subject_id=po.po_number, po_number=po.po_number)
                acted["late"].append(po.po_number)
                _escalate_delivery(session, po, f"the 855 deadline ({deadline:%Y-%m-%d %H:%M} UTC) has passed")
                continue
            for hours in sorted(policy.warn_hours):
                if left <= timedelta(hours=hours):
                    record_exception(
                        session, "ack_deadline_approaching",
                        f"PO {po.po_number}: 855 due in {left.total_seconds() / 3600:.1f} h "
                        f"({deadline:%Y-%m-%d %H:%M} UTC); {state}",
                        subject_type=TIMELINE, subject_id=po.po_number, po_number=po.po_number, key=f"{hours:g}h")
                    acted["warned"].append(po.po_number)
                    if hours == min(policy.warn_hours):
                        _escalate_delivery(session, po, f"the 855 is due in {left.total_seconds() / 3600:.1f} h")
                    break
            if (po.ack_sent_at is None and left <= timedelta(hours=policy.margin_hours)
                    and policy.on_deadline is DeadlinePolicy.ACKNOWLEDGE):
                due.append(po.id)
        acted["resolved"] = _resolve_answered_warnings(session)
    for purchase_order_id in due:
        result = acknowledge_purchase_order(settings, purchase_order_id, at_deadline=True, now=now)
        if result == "sent":
            acted["acknowledged"].append(str(purchase_order_id))
    return acted


def _not_delivered_yet(po: PurchaseOrder) -> str:
    """Why Amazon does not have the PO's 855, in words for the warning."""
    if po.ack_message is None:
        return f"855 not sent, PO {po.status}"
    delivery = delivery_of(po.ack_message)
    error = f" ({po.ack_message.error})" if po.ack_message.error else ""
    return f"855 sent {po.ack_sent_at:%Y-%m-%d %H:%M} UTC, not delivered: {delivery}{error}"


def _escalate_delivery(session: Session, po: PurchaseOrder, why: str) -> None:
    """The 855's delivery exception turns critical when the deadline is near or gone."""
    if po.ack_message is None:
        return
    for row in open_exceptions(session, po_number=po.po_number):
        if row.subject_type == "message" and row.subject_id == str(po.ack_message.id):
            escalate(session, row, Severity.CRITICAL, reason=why)


def _resolve_answered_warnings(session: Session) -> list[str]:
    """Resolve "855 due soon" warnings whose PO has had an 855 delivered, or was cancelled."""
    warned = {row.po_number for row in open_exceptions(session) if row.kind == "ack_deadline_approaching"}
    answered = select(PurchaseOrder).where(PurchaseOrder.po_number.in_(warned),
                                           PurchaseOrder.status.in_(NOT_ACKNOWLEDGED) | an_855_delivered())
    resolved = []
    for po in session.scalars(answered):
        cause = (f"PO {po.status}: no 855 is due" if po.status in NOT_ACKNOWLEDGED
                 else "the 855 was delivered (its MDN came back)")
        resolve_cause_gone(session, ("ack_deadline_approaching",), po_number=po.po_number, cause=cause)
        resolved.append(po.po_number)
    return resolved


def _outcomes(po: PurchaseOrder, line: PurchaseOrderLine, item: CatalogueItem | None, policy: AcknowledgementSettings,
              today: date) -> tuple[Outcome, ...]:
    """The line's outcomes now; quantities rejected in an earlier 855 stay rejected."""
    rejections = [o for o in line.outcomes or [] if o["code"] == "rejected"]
    rejected_before = sum((Decimal(str(o["quantity"])) for o in rejections), Decimal(0))
    still_open = max(line.quantity - rejected_before, Decimal(0))
    order = OrderFacts(backorder_allowed=po.backorder_allowed, deliver_not_before=po.ship_not_before,
                       deliver_not_after=po.ship_not_after, today=today, transit_days=policy.transit_days)
    facts = LineFacts(
        ordered=still_open,
        eaches_per_unit=(line.pack_size or 0) if line.unit == UnitOfMeasure.CASE.value else 1,
        in_catalogue=line.sku is not None,
        discontinued=bool(item and item.discontinued),
        allocated_eaches=line.allocated or 0,
        restock_date=line.backorder_ship_date,
    )
    outcomes = decide_line(facts, order) if still_open > 0 else ()
    if rejected_before > 0:
        earlier = rejections[0]
        outcomes = (*outcomes, Outcome(LineOutcome.REJECTED, rejected_before, RejectionReason(earlier["reason"])))
    return _merge_rejections(outcomes)


def _merge_rejections(outcomes: tuple[Outcome, ...]) -> tuple[Outcome, ...]:
    """One rejected outcome per line: the earlier rejection and a new one add up."""
    rejected = [o for o in outcomes if o.outcome is LineOutcome.REJECTED]
    if len(rejected) < 2:
        return outcomes
    kept = [o for o in outcomes if o.outcome is not LineOutcome.REJECTED]
    total = sum((o.quantity for o in rejected), Decimal(0))
    return (*kept, Outcome(LineOutcome.REJECTED, total, rejected[-1].reason))


def _send(session: Session, settings: Settings, po: PurchaseOrder, partner: TradingPartner,
          decided: dict[int, tuple[Outcome, ...]], now: datetime) -> QueuedDocument:
    lines = []
    for line in po.lines:
        unit = UnitOfMeasure(line.unit)
        outcomes = tuple(
            AcknowledgedQuantity(o.outcome, o.quantity, unit, o.ship_date, o.delivery_date, o.reason)
            for o in decided[line.id])
        pack_size = line.pack_size if unit is UnitOfMeasure.CASE else None
        lines.append(AcknowledgementLine(line.line_number, ProductIdentifier(IdentifierQualifier(line.qualifier),
                                                                             line.identifier),
                                         line.quantity, unit, line.unit_cost, outcomes, pack_size))
        line.outcomes = _as_json(decided[line.id])
        line.acknowledged_unit_cost = line.unit_cost
    # BAK04 is the PO's date (BEG05, which our 850 map requires); a PO stored without one states the day it came.
    po_date = po.order_date or po.received_at.date()
    ack = Acknowledgement(po.po_number, acknowledgement_type(tuple(lines)), po_date, tuple(lines))
    # The PO's lines are written before send_document takes the control numbers: business rows
    # first, control numbers last, in every transaction (gateway.exchange.inbound), or two could deadlock.
    session.flush()
    queued = send_document(session, settings, partner, ack, when=now)
    po.ack_sent_at, po.ack_message_id = now, queued.message_id
    return queued


def _as_json(outcomes: tuple[Outcome, ...]) -> list[dict]:
    """The outcomes as the API shows them: ``{"code", "quantity", "reason"}`` (+ dates)."""
    return [{"code": o.outcome.value, "quantity": int(o.quantity) if o.quantity == o.quantity.to_integral() else
             str(o.quantity), "reason": o.reason.value if o.reason else None,
             "ship_date": o.ship_date.isoformat() if o.ship_date else None,
             "delivery_date": o.delivery_date.isoformat() if o.delivery_date else None} for o in outcomes]


def _essence(outcomes: list[dict] | None) -> list[tuple]:
    """What makes an 855 different for Amazon: codes, quantities, reasons (not today's dates)."""
    return [(o["code"], str(o["quantity"]), o["reason"]) for o in outcomes or []]

