"""The purchase-order read model: what ops and finance see of a PO, as JSON.

One place turns the tables (purchase order, lines, exceptions, audit trail, the 855 sent)
into the documented shape of ``GET /api/v1/purchase-orders``, so the API, and later the
dashboard, show the same thing. Reading only: nothing here changes a row.

Conventions this module relies on (the writers follow them):
- the PO's timeline is its audit events with ``subject_type="purchase_order"`` and
  ``subject_id=<po_number>``;
- an exception is about a line when its ``detail`` carries that line's ``line_number``;
- the 855 sent for a PO is the outbound X12 set ``855`` whose ``reference`` is the PO number.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from gateway.catalogue.items import money_text
from gateway.exchange.outbound import Delivery, delivered_at, delivery_is, delivery_of
from gateway.operations.exception_queue import open_exceptions, replay_outcome
from gateway.models import (
    AuditEvent,
    Direction,
    Message,
    OperationalException,
    PurchaseOrder,
    PurchaseOrderLine,
    X12Group,
    X12Set,
)

# A cursor is base64 of an ISO time with offset, "|" and a row id: about 70 characters.
MAX_CURSOR_LENGTH = 128
MAX_ROW_ID = 2**31 - 1  # the largest INTEGER on PostgreSQL: the type of purchase_order.id


class BadCursor(ValueError):
    """A ``cursor`` that this module did not make (or that was altered)."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def list_purchase_orders(
    session: Session, *, status: str | None = None, delivery: Delivery | None = None, since: datetime | None = None,
    limit: int = 50, cursor: str | None = None,
) -> Page:
    """POs newest first (by receipt), ``limit`` at a time; ``delivery`` filters by the latest 855's.

    Keyset pagination on (received_at, id) rather than an offset: POs arrive while ops page
    through the list, and an offset would then show one twice or skip one.
    """
    query = (select(PurchaseOrder).options(selectinload(PurchaseOrder.ack_message))
             .order_by(PurchaseOrder.received_at.desc(), PurchaseOrder.id.desc()))
    if status is not None:
        query = query.where(PurchaseOrder.status == status)
    if delivery is not None:
        query = query.join(PurchaseOrder.ack_message).where(delivery_is(delivery))
    if since is not None:
        query = query.where(PurchaseOrder.received_at >= since)
    if cursor is not None:
        received_at, last_id = _decode_cursor(cursor)
        query = query.where(or_(PurchaseOrder.received_at < received_at,
                                and_(PurchaseOrder.received_at == received_at, PurchaseOrder.id < last_id)))
    rows = list(session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(rows[-1]) if more else None
    return Page([purchase_order_summary(row) for row in rows], next_cursor)


def an_855_delivered() -> ColumnElement[bool]:
    """A condition on ``PurchaseOrder``: some 855 of the PO (the first, or a re-send) reached
    Amazon, i.e. its MDN came back. Until then Amazon does not have the PO acknowledged."""
    return exists().where(Message.po_number == PurchaseOrder.po_number, Message.document_type == "855",
                          Message.direction == Direction.OUTBOUND.value, delivery_is(Delivery.DELIVERED))


def find_purchase_orders(session: Session, po_number: str, vendor_code: str | None = None) -> list[PurchaseOrder]:
    """Every PO with this number (one in practice: Amazon numbers are unique across vendor codes)."""
    query = select(PurchaseOrder).where(PurchaseOrder.po_number == po_number)
    if vendor_code is not None:
        query = query.where(PurchaseOrder.vendor_code == vendor_code)
    return list(session.scalars(query.options(selectinload(PurchaseOrder.lines)).order_by(PurchaseOrder.id)))


def purchase_order_summary(po: PurchaseOrder) -> dict[str, Any]:
    """The fields of a PO shown in the list: enough to pick one, no lines."""
    return {
        "po_number": po.po_number,
        "vendor_code": po.vendor_code,
        "order_type": po.order_type,
        "order_date": _date(po.order_date),
        "status": po.status,
        "ship_window": {"not_before": _date(po.ship_not_before), "not_after": _date(po.ship_not_after)},
        "ship_to": po.ship_to,
        "backorder_allowed": po.backorder_allowed,
        "received_at": _instant(po.received_at),
        "acknowledgement": acknowledgement_state(po),
    }


def acknowledgement_state(po: PurchaseOrder) -> dict[str, Any]:
    """The 855 as Amazon has it: due, sent, and delivered (a positive MDN with our MIC) or not.

    ``delivery`` is null until an 855 is sent; ``error`` is the last failed attempt's.
    """
    message = po.ack_message
    return {
        "due_at": _instant(po.ack_due_at),
        "sent_at": _instant(po.ack_sent_at),
        "delivered_at": None if message is None else _instant(delivered_at(message)),
        "delivery": None if message is None else delivery_of(message).value,
        "attempts": 0 if message is None else message.attempts,
        "error": None if message is None else message.error,
    }


def purchase_order_detail(session: Session, po: PurchaseOrder) -> dict[str, Any]:
    """The whole PO: lines with SKUs, allocation and 855 outcomes, open exceptions, timeline."""
    exceptions = open_exceptions(session, po_number=po.po_number)
    detail = purchase_order_summary(po)
    detail["ims_order_id"] = po.ims_order_id
    detail["updated_at"] = _instant(po.updated_at)
    detail["acknowledgement"].update(_acknowledgement_transport(session, po.po_number))
    detail["lines"] = [_line(line, exceptions) for line in po.lines]
    detail["exceptions"] = [exception_json(row) for row in exceptions]
    detail["timeline"] = _timeline(session, po.po_number)
    return detail


def exception_json(row: OperationalException) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "severity": row.severity,
        "status": row.status,
        "message": row.message,
        "po_number": row.po_number,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "detail": row.detail,
        "count": row.count,
        "owner": row.owner,
        "first_seen": _instant(row.first_seen),
        "last_seen": _instant(row.last_seen),
        "resolved_at": _instant(row.resolved_at),
        "replay": replay_outcome(row),
    }


def _line(line: PurchaseOrderLine, exceptions: list[OperationalException]) -> dict[str, Any]:
    return {
        "line_number": line.line_number,
        "identifier": {"qualifier": line.qualifier, "value": line.identifier},
        "quantity": quantity_text(line.quantity),
        "unit": line.unit,
        "pack_size": line.pack_size,
        "unit_cost": money_text(line.unit_cost),
        "acknowledged_unit_cost": None if line.acknowledged_unit_cost is None else money_text(
            line.acknowledged_unit_cost),
        "sku": line.sku,
        "eaches": line.eaches,
        "allocated": line.allocated,
        "backordered": line.backordered,
        "backorder_ship_date": _date(line.backorder_ship_date),
        "status": line.status,
        "outcomes": [{"code": outcome["code"], "quantity": outcome["quantity"], "reason": outcome.get("reason")}
                     for outcome in line.outcomes or []],
        "exceptions": [exception_json(row) for row in exceptions
                       if row.detail.get("line_number") == line.line_number],
    }


def _acknowledgement_transport(session: Session, po_number: str) -> dict[str, str | None]:
    """How the latest 855 for the PO fared: the partner's MDN and its 997 (null until sent)."""
    sent = session.execute(
        select(Message.mdn_status, X12Set.ack_status)
        .join(X12Group, X12Set.group_id == X12Group.id)
        .join(Message, X12Group.message_id == Message.id)
        .where(X12Set.set_id == "855", X12Set.reference == po_number,
               X12Group.direction == Direction.OUTBOUND.value)
        .order_by(X12Set.id.desc())
        .limit(1)
    ).first()
    mdn_status, ack_status = sent if sent is not None else (None, None)
    return {"mdn_status": mdn_status, "functional_ack_status": ack_status}


def _timeline(session: Session, po_number: str) -> list[dict[str, Any]]:
    """The PO's own events, and how each document sent about it travelled (built, attempts, MDN)."""
    documents = [str(message_id) for message_id in session.scalars(
        select(Message.id).where(Message.po_number == po_number, Message.direction == Direction.OUTBOUND.value))]
    events = session.scalars(
        select(AuditEvent)
        .where(or_(and_(AuditEvent.subject_type == "purchase_order", AuditEvent.subject_id == po_number),
                   and_(AuditEvent.subject_type == "message", AuditEvent.subject_id.in_(documents))))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [{"at": _instant(event.at), "action": event.action, "detail": event.detail,
             **({"message_id": int(event.subject_id)} if event.subject_type == "message" and event.subject_id else {})}
            for event in events]


def quantity_text(quantity: Decimal) -> str:
    """12.00 -> "12", 2.50 -> "2.5": whole in practice, a string like money in case it is not."""
    return format(quantity.normalize(), "f")


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _encode_cursor(po: PurchaseOrder) -> str:
    raw = f"{po.received_at.isoformat()}|{po.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The receipt time and id a cursor names; BadCursor for anything ``_encode_cursor`` cannot have made.

    The values go into a query, so they are bounded here: an id past the database's
    integer and a time that leaves the calendar once converted to UTC were errors of the
    database driver (a 500), not a BadCursor.
    """
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor("not a cursor from a previous page")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        received_at, _, last_id = raw.partition("|")
        instant, row_id = datetime.fromisoformat(received_at), int(last_id)
        if instant.tzinfo is not None:
            instant = instant.astimezone(timezone.utc)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
        raise BadCursor("not a cursor from a previous page") from error
    if not 0 < row_id <= MAX_ROW_ID:
        raise BadCursor("not a cursor from a previous page")
    return instant, row_id
