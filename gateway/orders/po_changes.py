"""860 purchase-order changes: new quantities and prices, cancelled lines, a moved window.

A change is applied to the stored PO in the worker's inbound transaction
(:func:`apply_po_change`); the IMS order is brought in step by a task
(:func:`update_sales_order`) that reads the order from the IMS and sends only what differs.
Comparing with what the IMS holds, rather than replaying the 860, makes the task safe to
repeat and lets it pick up changes that arrived while the create was still on its way.
Every change is a new promise to Amazon, so the task then queues the re-acknowledgement
(``workers.tasks.acknowledge_purchase_order``, the 855 engine).

What the gateway cannot apply (an added line, a date for one line) becomes a
``po_change_not_applied`` exception: Amazon expects it in the next 855, so operations must
arrange it by hand before that, not find it in a chargeback.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from edi_maps import documents
from edi_maps.documents import ChangeType, Purpose
from gateway.platform import audit
from gateway.orders.allocation import SalesOrderAllocation, store_allocation
from gateway.orders.status import TIMELINE, LineStatus, PurchaseOrderStatus, move, move_line
from gateway.catalogue.items import money_text
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.operations.exception_queue import record_exception
from gateway.ims.client import ImsClient, ImsError, ImsRejected
from gateway.orders.intake import (
    catalogue_item_of,
    check_cost,
    ims_answered,
    record_ims_failure,
    set_eaches,
    ship_window,
)
from gateway.models import Message, PurchaseOrder, PurchaseOrderLine, TradingPartner
from gateway.platform.queue import enqueue

log = structlog.get_logger("gateway.orders.po_changes")

# POC02 change types that carry a new quantity (POC03) or a new unit price (POC06).
QUANTITY_CHANGES = (ChangeType.QUANTITY_DECREASE, ChangeType.QUANTITY_INCREASE, ChangeType.CHANGES_TO_LINE_ITEMS,
                    ChangeType.PRICE_AND_QUANTITY_CHANGE, ChangeType.RESCHEDULE_AND_QUANTITY_CHANGE,
                    ChangeType.REPLACE_ALL_VALUES)
PRICE_CHANGES = (ChangeType.PRICE_CHANGE, ChangeType.PRICE_AND_QUANTITY_CHANGE, ChangeType.PRICE_AND_RESCHEDULE_CHANGE,
                 ChangeType.CHANGES_TO_LINE_ITEMS, ChangeType.REPLACE_ALL_VALUES)
DO_NOT_DELIVER_BEFORE, DO_NOT_DELIVER_AFTER = "064", "063"


def apply_po_change(session: Session, partner: TradingPartner, message: Message,
                    change: documents.PoChange) -> PurchaseOrder | None:
    """Apply ``change`` to the stored PO; returns the PO when something changed, for
    :func:`update_sales_order` to follow up (IMS order, re-acknowledgement).

    A repeated 860 changes nothing and makes nothing due. What cannot be applied is listed
    on the timeline event and raised as one exception per distinct set of such changes.
    """
    # Locked (PostgreSQL) as the sales-order task locks it: a change that task cannot see yet
    # would otherwise be missed by both (the PO never marked for the IMS to be told).
    purchase_order = session.scalars(select(PurchaseOrder).where(
        PurchaseOrder.partner_id == partner.id, PurchaseOrder.po_number == change.po_number)
        .order_by(PurchaseOrder.id).with_for_update()).first()
    if purchase_order is None:
        record_exception(session, "unknown_po_change", f"860 for PO {change.po_number}, which was never received",
                         subject_type=TIMELINE, subject_id=change.po_number, po_number=change.po_number,
                         detail={"message_id": message.id})
        return None
    applied: list[dict[str, Any]] = []
    not_applied: list[dict[str, Any]] = []
    lines = {line.line_number: line for line in purchase_order.lines}
    if change.purpose == Purpose.CANCELLATION:
        applied += [_cancel(line) for line in purchase_order.lines if line.status != LineStatus.CANCELLED]
    applied += _move_window(purchase_order, change.dates)
    for requested in change.lines:
        line = lines.get(requested.line_number)
        if requested.change_type == ChangeType.ADD_ITEMS:
            not_applied.append(_refused(requested, "adding a line is not supported: add it to the IMS order and "
                                                   "the 855 by hand, or ask Amazon for a new PO"))
        elif line is None or line.status == LineStatus.CANCELLED:
            not_applied.append(_refused(requested, "no such line" if line is None else "the line is cancelled"))
        elif requested.change_type == ChangeType.DELETE_ITEMS:
            applied.append(_cancel(line))
        else:
            applied += _change_line(session, purchase_order, line, requested)
            if requested.dates:
                not_applied.append(_refused(requested, "dates for one line are not kept: the PO's delivery "
                                                       "window applies to every line"))
    timeline = {"actor": "worker", "subject_type": TIMELINE, "subject_id": purchase_order.po_number}
    if not_applied:
        _raise_not_applied(session, purchase_order, message, not_applied)
    if not applied:
        audit.record(session, "purchase_order.change_unchanged", message_id=message.id, not_applied=not_applied,
                     **timeline)
        return None
    audit.record(session, "purchase_order.change_applied", message_id=message.id, changes=applied,
                 not_applied=not_applied, **timeline)
    if purchase_order.ims_order_id is not None:
        move(purchase_order, PurchaseOrderStatus.CHANGE_PENDING)
    elif (purchase_order.status == PurchaseOrderStatus.RECEIVED
          and all(line.status == LineStatus.CANCELLED for line in purchase_order.lines)):
        move(purchase_order, PurchaseOrderStatus.CANCELLED)
    return purchase_order


def _refused(requested: documents.PoChangeLine, reason: str) -> dict[str, Any]:
    """A POC loop the gateway did not apply, in the words operations read."""
    identifier = requested.identifier
    return {"line_number": requested.line_number, "change": requested.change_type.value,
            "identifier": f"{identifier.qualifier.value} {identifier.value}" if identifier else None,
            "quantity": None if requested.quantity is None else format(requested.quantity.normalize(), "f"),
            "reason": reason}


def _raise_not_applied(session: Session, purchase_order: PurchaseOrder, message: Message,
                       not_applied: list[dict[str, Any]]) -> None:
    """One exception per distinct set of refused changes: the same 860 again bumps it."""
    key = hashlib.sha256(json.dumps(not_applied, sort_keys=True).encode()).hexdigest()[:16]
    listed = "; ".join(f"line {item['line_number']} ({item['change']}): {item['reason']}" for item in not_applied)
    record_exception(session, "po_change_not_applied",
                     f"PO {purchase_order.po_number}: 860 changes not applied, the next 855 will not show them: "
                     f"{listed}"[:2000],
                     subject_type=TIMELINE, subject_id=purchase_order.po_number, po_number=purchase_order.po_number,
                     key=key, detail={"message_id": message.id, "not_applied": not_applied})


def _change_line(session: Session, purchase_order: PurchaseOrder, line: PurchaseOrderLine,
                 requested: documents.PoChangeLine) -> list[dict[str, Any]]:
    """The new quantity and unit price of one line, as far as its change type carries them."""
    applied: list[dict[str, Any]] = []
    priced_as = (line.unit, line.pack_size, line.unit_cost)
    if requested.change_type in QUANTITY_CHANGES and requested.quantity is not None:
        applied += _change_quantity(session, purchase_order, line, requested, requested.quantity)
    if requested.change_type in PRICE_CHANGES and requested.unit_price is not None:
        applied += _change_price(line, requested.unit_price)
    if line.sku is not None and (line.unit, line.pack_size, line.unit_cost) != priced_as:
        # Once, after both: the cost is compared in the PO's unit, which the change may have moved too.
        check_cost(session, purchase_order, line, catalogue_item_of(session, line))
    return applied


def _cancel(line: PurchaseOrderLine) -> dict[str, Any]:
    move_line(line, LineStatus.CANCELLED)
    return {"line_number": line.line_number, "cancelled": True}


def _move_window(purchase_order: PurchaseOrder, dates: tuple[documents.QualifiedDate, ...]) -> list[dict[str, Any]]:
    window = {"not_before": purchase_order.ship_not_before, "not_after": purchase_order.ship_not_after}
    for moved in dates:
        if moved.qualifier == DO_NOT_DELIVER_BEFORE:
            window["not_before"] = moved.date
        elif moved.qualifier == DO_NOT_DELIVER_AFTER:
            window["not_after"] = moved.date
    if (window["not_before"], window["not_after"]) == (purchase_order.ship_not_before, purchase_order.ship_not_after):
        return []
    purchase_order.ship_not_before, purchase_order.ship_not_after = window["not_before"], window["not_after"]
    return [{"ship_window": {name: _iso(value) for name, value in window.items()}}]


def _change_quantity(session: Session, purchase_order: PurchaseOrder, line: PurchaseOrderLine,
                     requested: documents.PoChangeLine, quantity: Decimal) -> list[dict[str, Any]]:
    unit = requested.unit.value if requested.unit else line.unit
    pack_size = requested.pack_size or (line.pack_size if unit == line.unit else None)
    if (quantity, unit, pack_size) == (line.quantity, line.unit, line.pack_size):
        return []
    line.quantity, line.unit, line.pack_size = quantity, unit, pack_size
    if line.sku is not None:
        item = catalogue_item_of(session, line)
        set_eaches(session, purchase_order, line, item.case_pack if item else None)
        if line.status == LineStatus.HELD and line.eaches and purchase_order.ims_order_id is None:
            move_line(line, LineStatus.OPEN)  # the change made it sendable before the order went out
    return [{"line_number": line.line_number, "quantity": format(line.quantity.normalize(), "f"), "unit": unit,
             "eaches": line.eaches}]


def _change_price(line: PurchaseOrderLine, unit_price: Decimal) -> list[dict[str, Any]]:
    """Amazon's new cost for the line: the 855 must state it and the invoice bill it."""
    if unit_price == line.unit_cost:
        return []
    line.unit_cost = unit_price
    return [{"line_number": line.line_number, "unit_cost": money_text(unit_price)}]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def update_sales_order(settings: Settings, purchase_order_id: int) -> str:
    """Bring the IMS order in step with the changed PO, then queue the re-acknowledgement.

    Reads the order from the IMS, then cancels it (every line it has is cancelled here),
    or PATCHes the lines and window that differ, or does nothing when they agree. A PO not
    in the IMS needs no call (its create sends it as it now stands). Returns the PO
    status. Raises ``ImsError`` (other than a rejection) after recording it, so the task
    retries; a rejection holds the PO and acknowledges nothing.
    """
    with session_scope(settings) as session:
        purchase_order = session.get(PurchaseOrder, purchase_order_id)
        if purchase_order is None:
            return "missing"
        status, po_number = purchase_order.status, purchase_order.po_number
        wanted = {line.line_number: (line.status == LineStatus.CANCELLED, line.eaches) for line in purchase_order.lines}
        window = ship_window(purchase_order)
    if status == PurchaseOrderStatus.CHANGE_PENDING:
        status = _send_change(settings, purchase_order_id, po_number, wanted, window)
    if status != PurchaseOrderStatus.HELD:
        enqueue(settings, "workers.tasks.acknowledge_purchase_order", purchase_order_id=purchase_order_id)
    return status


def _send_change(settings: Settings, purchase_order_id: int, po_number: str,
                 wanted: dict[str, tuple[bool, int | None]], window: dict[str, str]) -> str:
    try:
        with ImsClient.from_settings(settings) as ims:
            order = ims.get_sales_order(po_number)
            current = SalesOrderAllocation.from_json(order)
            cancelled, change = _difference(current, wanted, window, order.get("ship_window"))
            if cancelled and not current.cancelled:
                answer, action = ims.cancel_sales_order(po_number), "cancelled"
            elif change:
                answer, action = ims.update_sales_order(po_number, change), "updated"
            else:
                answer, action = None, "unchanged"
        allocation = SalesOrderAllocation.from_json(answer) if answer is not None else current
    except ImsRejected as error:
        record_ims_failure(settings, purchase_order_id, "update", error, held=True)
        return PurchaseOrderStatus.HELD
    except ImsError as error:
        record_ims_failure(settings, purchase_order_id, "update", error, held=False)
        raise
    with session_scope(settings) as session:
        # Locked (PostgreSQL) before its stored revision is read, as every writer of an allocation does.
        purchase_order = existing(session, PurchaseOrder, purchase_order_id, with_for_update=True)
        audit.record(session, f"purchase_order.sales_order_{action}", actor="worker", subject_type=TIMELINE,
                     subject_id=po_number, change=change if action == "updated" else None)
        ims_answered(session, po_number, f"the IMS {action if action != 'unchanged' else 'confirmed'} the sales order")
        move(purchase_order, allocation.order_status)  # the change is in the IMS: the allocation speaks again
        store_allocation(session, purchase_order, allocation, source="change")
        status = purchase_order.status
    log.info("sales order brought in step with the PO", po=po_number, action=action, status=status)
    return status


def _difference(current: SalesOrderAllocation, wanted: dict[str, tuple[bool, int | None]],
                window: dict[str, str], current_window: Any) -> tuple[bool, dict[str, Any]]:
    """(cancel the whole order?, the PATCH body for what differs) between the IMS and the PO."""
    changes: list[dict[str, Any]] = []
    for line in current.lines:
        is_cancelled, eaches = wanted.get(line.line_number, (False, None))
        if line.status == LineStatus.CANCELLED:
            continue  # a cancelled line cannot change again
        if is_cancelled:
            changes.append({"line_number": line.line_number, "cancelled": True})
        elif eaches and eaches != line.ordered:
            changes.append({"line_number": line.line_number, "quantity": eaches})
    every_line_cancelled = all(wanted.get(line.line_number, (False, None))[0] for line in current.lines)
    change: dict[str, Any] = {"lines": changes} if changes else {}
    if current_window != window:
        change["ship_window"] = window
    return every_line_cancelled, change
