"""Purchase-order intake: an accepted 850 becomes a purchase order, then a sales order in the IMS.

Storing happens in the worker's inbound transaction (:func:`receive_purchase_order`), so
a PO exists exactly when its 850 was recorded. Each line is mapped through the catalogue;
what cannot be mapped, costs what the catalogue does not expect, or comes in cases the
catalogue cannot convert is an exception on the line, visible to operations. Creating the
sales order is a separate task (:func:`create_sales_order`) because the IMS may be slow or
down, and the order must still reach it once it is back. The same task then decides and
queues the 855 from the allocation the IMS answered with (``gateway.orders.acknowledgement``).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from edi_maps import documents
from edi_maps.canonical_json import to_json_dict
from gateway.platform import audit
from gateway.orders.deadlines import ack_deadline
from gateway.partners.registry import profile_of
from gateway.orders.allocation import SalesOrderAllocation, store_allocation
from gateway.orders.line_costs import UNIT_WORDS, cost_difference
from gateway.orders.acknowledgement import acknowledge
from gateway.orders.status import TIMELINE, LineStatus, PurchaseOrderStatus, move, move_line
from gateway.catalogue.items import find_item, find_items, money_text
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.operations.exception_queue import record_exception, resolve_cause_gone
from gateway.ims.client import ImsClient, ImsError, ImsRejected
from gateway.models import CatalogueItem, Message, PurchaseOrder, PurchaseOrderLine, TradingPartner
from gateway.platform.queue import enqueue
from gateway.exchange.outbound import QueuedDocument, start_delivery

log = structlog.get_logger("gateway.orders.intake")

STALLED_AFTER = timedelta(minutes=10)


def receive_purchase_order(session: Session, partner: TradingPartner, message: Message,
                           order: documents.PurchaseOrder) -> PurchaseOrder | None:
    """Store ``order`` with its lines mapped to SKUs; None when this PO number is known.

    An identical re-send (same content hash) is noted on the timeline and nothing more; a
    different one is a ``duplicate_po`` exception and never overwrites the stored PO: the
    855 already went out for what Amazon first sent, and changes come as 860s. (Two copies
    processed at the same instant: one fails on the unique constraint and its message is
    re-run by the recovery sweep, which then finds the PO and notes the duplicate.)
    """
    content_sha256 = hashlib.sha256(
        json.dumps(to_json_dict(order), sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    vendor_code = order.vendor_code or ""
    existing = session.scalars(select(PurchaseOrder).where(
        PurchaseOrder.vendor_code == vendor_code, PurchaseOrder.po_number == order.po_number)).first()
    if existing is not None:
        _note_resend(session, existing, content_sha256, message)
        return None
    # Looked up before the PO is added: the query would flush it, and each line's SKU,
    # eaches and status would then be written twice (an INSERT, then an UPDATE per line).
    catalogue = find_items(session, ((i.qualifier.value, i.value) for ordered in order.lines
                                     for i in (ordered.identifier, *ordered.other_identifiers)))
    received_at = datetime.now(timezone.utc)
    purchase_order = PurchaseOrder(
        partner_id=partner.id, message_id=message.id, vendor_code=vendor_code, po_number=order.po_number,
        order_type=order.order_type.value, order_date=order.order_date, ship_not_before=order.do_not_deliver_before,
        ship_not_after=order.do_not_deliver_after, ship_to=order.ship_to, backorder_allowed=order.backorder_allowed,
        status=PurchaseOrderStatus.RECEIVED.value, content_sha256=content_sha256, received_at=received_at,
        ack_due_at=ack_deadline(received_at, profile_of(partner).acknowledgement),
        lines=[PurchaseOrderLine(line_number=line.line_number, qualifier=line.identifier.qualifier.value,
                                 identifier=line.identifier.value, quantity=line.quantity, unit=line.unit.value,
                                 pack_size=line.pack_size, unit_cost=line.unit_cost)
               for line in order.lines],
    )
    session.add(purchase_order)
    for line, ordered in zip(purchase_order.lines, order.lines):
        _map_line(session, purchase_order, line, ordered, catalogue)
    session.flush()  # the PO's id, which its follow-up tasks are queued with
    held = [line.line_number for line in purchase_order.lines if line.status == LineStatus.HELD]
    audit.record(session, "purchase_order.received", actor="worker", subject_type=TIMELINE,
                 subject_id=order.po_number, message_id=message.id, lines=len(order.lines), held_lines=held)
    return purchase_order


def _note_resend(session: Session, existing: PurchaseOrder, content_sha256: str, message: Message) -> None:
    if existing.content_sha256 == content_sha256:
        audit.record(session, "purchase_order.duplicate_received", actor="worker", subject_type=TIMELINE,
                     subject_id=existing.po_number, message_id=message.id)
        return
    record_exception(
        session, "duplicate_po",
        f"PO {existing.po_number} received again (message {message.id}) with different content; "
        "the first one is kept, changes must come as an 860",
        subject_type=TIMELINE, subject_id=existing.po_number, po_number=existing.po_number,
        key=content_sha256, detail={"message_id": message.id, "content_sha256": content_sha256})
    audit.record(session, "purchase_order.different_resend", actor="worker", subject_type=TIMELINE,
                 subject_id=existing.po_number, message_id=message.id)


def _map_line(session: Session, purchase_order: PurchaseOrder, line: PurchaseOrderLine,
              ordered: documents.PurchaseOrderLine, catalogue: dict[tuple[str, str], CatalogueItem]) -> None:
    """Find the line's SKU in ``catalogue`` (the PO's entries by identifier), check its cost and
    work out its eaches; held when it cannot go to the IMS."""
    identifiers = (ordered.identifier, *ordered.other_identifiers)
    item = next(filter(None, (catalogue.get((i.qualifier.value, i.value.strip())) for i in identifiers)), None)
    if item is None:
        move_line(line, LineStatus.HELD)
        named = ", ".join(f"{i.qualifier.value} {i.value}" for i in identifiers)
        line_exception(session, purchase_order, line, "sku_mismatch", f"{named} is not in the catalogue")
        return
    line.sku = item.sku
    set_eaches(session, purchase_order, line, item.case_pack)
    check_cost(session, purchase_order, line, item)  # after set_eaches: a case is priced by its pack size
    move_line(line, LineStatus.OPEN if line.eaches else LineStatus.HELD)


def check_cost(session: Session, purchase_order: PurchaseOrder, line: PurchaseOrderLine,
               item: CatalogueItem | None) -> None:
    """A cost_mismatch exception when Amazon's cost for the line is not the catalogue's, both
    per the PO's unit (``line_costs``): the 855 states Amazon's cost and the invoice must bill
    it, so finance must know before then. Reads ``line.pack_size``: call after ``set_eaches``."""
    if item is None:
        return
    difference = cost_difference(line.unit_cost, documents.UnitOfMeasure(line.unit), line.pack_size, item.unit_cost)
    if difference is None:
        return
    line_exception(session, purchase_order, line, "cost_mismatch",
                   f"{difference.describe()} for {item.sku}; the 855 states Amazon's "
                   f"{money_text(line.unit_cost)} per {UNIT_WORDS[difference.unit]}",
                   po_number=purchase_order.po_number, **difference.as_detail())


def set_eaches(session: Session, purchase_order: PurchaseOrder, line: PurchaseOrderLine,
               case_pack: int | None) -> None:
    """``line.eaches`` from its quantity and unit; cases use the PO4 pack size, else the catalogue's.

    Cases of a SKU the catalogue has no case pack for, or a PO4 that disagrees with the
    catalogue, are a ``unit_mismatch``: the PO4 still converts the line (it is what Amazon
    will count on receipt), but someone must check. With no pack size at all the line is
    held. ``line.pack_size`` keeps the pack size used.
    """
    if line.unit == documents.UnitOfMeasure.EACH.value:
        line.eaches = int(line.quantity)
        return
    if case_pack is None:
        line_exception(session, purchase_order, line, "unit_mismatch",
                       f"{line.quantity.normalize():f} cases of {line.sku}, which has no case pack in the catalogue")
    elif line.pack_size is not None and line.pack_size != case_pack:
        line_exception(session, purchase_order, line, "unit_mismatch",
                       f"PO4 says {line.pack_size} per case of {line.sku}, the catalogue {case_pack}")
    line.pack_size = line.pack_size or case_pack
    line.eaches = int(line.quantity * line.pack_size) if line.pack_size else None


def line_exception(session: Session, purchase_order: PurchaseOrder, line: PurchaseOrderLine, kind: str,
                   problem: str, **detail: Any) -> None:
    """An exception on one PO line: subject ``purchase_order_line`` <line id>, keyed by line number."""
    if line.id is None:
        session.flush()  # a line just received has its id once it is written
    record_exception(session, kind, f"PO {purchase_order.po_number} line {line.line_number}: {problem}",
                     subject_type="purchase_order_line", subject_id=line.id, po_number=purchase_order.po_number,
                     key=line.line_number, detail={"line_number": line.line_number, "identifier": line.identifier,
                                                   "qualifier": line.qualifier, **detail})


def sales_order_body(purchase_order: PurchaseOrder) -> dict[str, Any] | None:
    """The IMS create request (docs/ims-api.yaml SalesOrderCreate), or None when no line can go."""
    lines = [line for line in purchase_order.lines if line.status == LineStatus.OPEN]
    if not lines:
        return None
    return {
        "po_number": purchase_order.po_number,
        "vendor_code": purchase_order.vendor_code or None,
        "order_type": purchase_order.order_type,
        "ship_to": purchase_order.ship_to,
        "ship_window": ship_window(purchase_order),
        "backorder_allowed": purchase_order.backorder_allowed,
        "lines": [{"line_number": line.line_number, "sku": line.sku, "quantity": line.eaches,
                   "unit_cost": money_text(each_cost(line))} for line in lines],
    }


def each_cost(line: PurchaseOrderLine) -> Decimal:
    """Amazon's cost per each, as the IMS counts the quantity: a case's cost over its pack for a
    line ordered in cases (to 4 decimals, so 40.00 a case of 12 is 3.3333), else as ordered.
    The 855 and the 810 state Amazon's own cost per case; this is only the IMS's view."""
    if line.unit == documents.UnitOfMeasure.CASE.value and line.pack_size:
        return (line.unit_cost / line.pack_size).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return line.unit_cost


def ship_window(purchase_order: PurchaseOrder) -> dict[str, str]:
    not_before, not_after = purchase_order.ship_not_before, purchase_order.ship_not_after
    # An 850 carries both dates (DTM 064 and 063, required by its map); an 860 only replaces them.
    assert not_before is not None and not_after is not None, f"PO {purchase_order.po_number} has no delivery window"
    return {"not_before": not_before.isoformat(), "not_after": not_after.isoformat()}



def create_sales_order(settings: Settings, purchase_order_id: int) -> str:
    """Create the PO's sales order in the IMS and store its allocation; returns the PO status.

    The 855 is decided and queued in the transaction that stores the allocation (a task, a
    transaction and a reload of the PO less per PO than queueing it); if the 855 fails there,
    the allocation is stored alone and the 855 queued as its own task.

    Safe to run twice: a PO already in the IMS is left alone, and the IMS answers a repeated
    create with the order it committed. Raises ``ImsError`` (other than a rejection) when the
    IMS cannot be reached, after recording it, so the task retries.
    """
    with session_scope(settings) as session:
        purchase_order = session.get(PurchaseOrder, purchase_order_id)
        if purchase_order is None or purchase_order.status != PurchaseOrderStatus.RECEIVED:
            return purchase_order.status if purchase_order else "missing"
        po_number, body = purchase_order.po_number, sales_order_body(purchase_order)
        if body is None:
            move(purchase_order, PurchaseOrderStatus.HELD)
            audit.record(session, "purchase_order.held", actor="worker", subject_type=TIMELINE, subject_id=po_number,
                         reason="no line can go to the IMS")
    if body is None:  # nothing to wait for: every line is rejected in the 855 now
        enqueue(settings, "workers.tasks.acknowledge_purchase_order", purchase_order_id=purchase_order_id)
        return PurchaseOrderStatus.HELD
    try:
        with ImsClient.from_settings(settings) as ims:
            try:
                answer = ims.create_sales_order(body)
            except ImsRejected as error:
                if error.status != 409:
                    raise
                # Created earlier from a body an 860 has changed since: that order is ours.
                answer = ims.get_sales_order(po_number)
        allocation = SalesOrderAllocation.from_json(answer)
    except ImsRejected as error:
        record_ims_failure(settings, purchase_order_id, "create", error, held=True)
        return PurchaseOrderStatus.HELD
    except ImsError as error:
        record_ims_failure(settings, purchase_order_id, "create", error, held=False)
        raise
    try:
        status, changed_meanwhile, queued = _store_ims_answer(settings, purchase_order_id, body, allocation,
                                                              with_855=True)
    except Exception:
        # The 855 could not be decided or stored (a map, storage or database error): keep the
        # IMS's answer without it, and let the 855 go on as its own task, with its own retries.
        log.exception("855 not stored with the sales order; queued as its own task", po=po_number)
        status, changed_meanwhile, queued = _store_ims_answer(settings, purchase_order_id, body, allocation,
                                                              with_855=False)
        if not changed_meanwhile:
            enqueue(settings, "workers.tasks.acknowledge_purchase_order", purchase_order_id=purchase_order_id)
    log.info("sales order created", po=po_number, status=status, ack_855="queued" if queued else "not now")
    if changed_meanwhile:
        enqueue(settings, "workers.tasks.update_sales_order", purchase_order_id=purchase_order_id)
    elif queued is not None:
        start_delivery(settings, queued)
    return status


def _store_ims_answer(settings: Settings, purchase_order_id: int, body: dict[str, Any],
                      allocation: SalesOrderAllocation, *,
                      with_855: bool) -> tuple[str, bool, QueuedDocument | None]:
    """Store the IMS's answer to the create and, ``with_855``, decide and queue the 855 in the
    same transaction; returns the PO's status, whether an 860 changed the PO meanwhile (the
    IMS must hear of it first), and the 855 to deliver after the commit.

    Together, a task run again (``acks_late``, after its worker died) finds both stored or
    neither; a worker that dies between the commit and queueing the send leaves the stored
    855 to the stalled-work sweep (``gateway.recovery.sweep``).
    """
    queued = None
    with session_scope(settings) as session:
        # Locked (PostgreSQL) as acknowledge_purchase_order locks it: the 855 is decided here.
        purchase_order = existing(session, PurchaseOrder, purchase_order_id, with_for_update=True)
        po_number = purchase_order.po_number
        audit.record(session, "purchase_order.sales_order_created", actor="worker", subject_type=TIMELINE,
                     subject_id=po_number, revision=allocation.revision)
        ims_answered(session, po_number, "the IMS created the sales order")
        # An 860 may have changed the PO while the create was on its way: then the IMS needs it too.
        changed_meanwhile = sales_order_body(purchase_order) != body
        if changed_meanwhile:
            move(purchase_order, PurchaseOrderStatus.CHANGE_PENDING)
            purchase_order.ims_order_id = allocation.po_number
        else:
            if purchase_order.status == PurchaseOrderStatus.RECEIVED:  # not if a callback stored an allocation first
                move(purchase_order, PurchaseOrderStatus.SALES_ORDER_CREATED)
            # Not flushed in between, so each line is written once with its allocation and its
            # outcomes (one UPDATE, not two): nothing the 855 reads depends on the allocation.
            with session.no_autoflush:
                store_allocation(session, purchase_order, allocation, source="create")
                if with_855:  # the IMS has answered for every line: the 855 can go
                    _, queued = acknowledge(session, settings, purchase_order, now=datetime.now(timezone.utc))
        return purchase_order.status, changed_meanwhile, queued


def ims_answered(session: Session, po_number: str, cause: str) -> None:
    """The IMS has taken the PO's order: its failed calls (an outage, a refusal replayed) are over."""
    resolve_cause_gone(session, ("ims_call_failed",), po_number=po_number, cause=cause)


def record_ims_failure(settings: Settings, purchase_order_id: int, operation: str, error: ImsError, *, held: bool) -> None:
    """Record a failed IMS call as an ``ims_call_failed`` exception and on the timeline.

    A refusal (4xx) holds the PO for a person; an outage leaves it waiting and touches it,
    so the stalled-work sweep does not queue a second task while this one retries.
    """
    detail: dict[str, str | int] = {"operation": operation, "error": str(error)}
    if isinstance(error, ImsRejected):
        detail.update(status=error.status, ims_detail=error.detail)
    with session_scope(settings) as session:
        # The PO locked first, as every task writing it locks it, then the exception.
        purchase_order = existing(session, PurchaseOrder, purchase_order_id, with_for_update=True)
        po_number = purchase_order.po_number
        record_exception(session, "ims_call_failed", f"PO {po_number}: {operation} sales order failed: {error}",
                         subject_type=TIMELINE, subject_id=po_number, po_number=po_number, key=operation,
                         detail=detail)
        audit.record(session, f"purchase_order.ims_{'rejected' if held else 'unavailable'}", actor="worker",
                     subject_type=TIMELINE, subject_id=po_number, **detail)
        if held:
            move(purchase_order, PurchaseOrderStatus.HELD)
        purchase_order.updated_at = datetime.now(timezone.utc)
    log.warning("IMS call failed", po=po_number, operation=operation, error=str(error), held=held)


def requeue_stalled_sales_orders(settings: Settings, stalled_after: timedelta = STALLED_AFTER) -> dict[str, list[int]]:
    """Beat's safety net: POs still waiting for the IMS whose task is gone (retries used up, lost)."""
    cutoff = datetime.now(timezone.utc) - stalled_after
    with session_scope(settings) as session:
        waiting = select(PurchaseOrder.id).where(PurchaseOrder.updated_at < cutoff)
        found = {
            "create_sales_order": list(session.scalars(waiting.where(PurchaseOrder.status == PurchaseOrderStatus.RECEIVED))),
            "update_sales_order": list(session.scalars(waiting.where(PurchaseOrder.status == PurchaseOrderStatus.CHANGE_PENDING))),
        }
    for task, ids in found.items():
        for purchase_order_id in ids:
            enqueue(settings, f"workers.tasks.{task}", purchase_order_id=purchase_order_id)
    if any(found.values()):
        log.warning("re-queued purchase orders waiting for the IMS", **found)
    return found


def catalogue_item_of(session: Session, line: PurchaseOrderLine) -> CatalogueItem | None:
    """The catalogue entry of a mapped line (by its identifier, else by its SKU)."""
    return find_item(session, line.qualifier, line.identifier) or session.scalars(
        select(CatalogueItem).where(CatalogueItem.sku == line.sku)).first()
