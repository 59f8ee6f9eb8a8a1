"""The purchase-order read model: what ops and finance see of a PO, as JSON and as pages.

One place turns the tables (purchase order, lines, exceptions, audit trail, the 855 sent)
into the documented shape of ``GET /api/v1/purchase-orders`` and into what the PO pages
list, so the API and the pages show the same thing. The PO list's filters
(:class:`PurchaseOrderFilter`) are SQL conditions here, not in a view. Reading only:
nothing here changes a row.

Conventions this module relies on (the writers follow them):
- the PO's timeline is its audit events with ``subject_type="purchase_order"`` and
  ``subject_id=<po_number>``, with those of the documents sent about it (their message's
  events, and their X12 group's: the partner's 997);
- an exception is about a line when its ``detail`` carries that line's ``line_number``;
- the latest 855 of a PO is ``PurchaseOrder.ack_message``; its X12 set ``855`` (whose
  ``reference`` is the PO number) in the group that message carried has the partner's 997.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from gateway.catalogue.items import money_text
from gateway.exchange.outbound import Delivery, delivered_at, delivery_is, delivery_of
from gateway.operations.exception_queue import open_exceptions, replay_outcome
from gateway.orders.status import (
    ALLOCATION_REPORTED,
    AWAITING_IMS,
    NOT_ACKNOWLEDGED,
    LineAcknowledgement,
    LineStatus,
    line_status_shown,
)
from gateway.orders.timeline_words import Event, describe
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


Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: list[Item]
    next_cursor: str | None


class PurchaseOrderFilter(StrEnum):
    """Where a PO stands, as the PO list filters it: waiting for the IMS, for our 855, on
    the 855's delivery, on Amazon's 997 for it, or late."""

    AWAITING_IMS = "awaiting-ims"  # received, held, change pending...: no allocation to acknowledge
    AWAITING_855 = "awaiting-855"  # the IMS allocated, no 855 sent yet
    PENDING_855 = "855-pending"  # the latest 855's delivery, as ``Delivery`` says
    RETRYING_855 = "855-retrying"
    DELIVERED_855 = "855-delivered"
    FAILED_855 = "855-failed"
    ACCEPTED_997 = "997-accepted"  # Amazon's 997 for the latest 855 (accepted, or with errors)
    REJECTED_997 = "997-rejected"
    LATE = "late"  # the 855 deadline has passed and Amazon has no 855 of the PO


FILTER_LABELS = {
    PurchaseOrderFilter.AWAITING_IMS: "awaiting IMS",
    PurchaseOrderFilter.AWAITING_855: "awaiting 855",
    PurchaseOrderFilter.PENDING_855: "855 pending",
    PurchaseOrderFilter.RETRYING_855: "855 retrying",
    PurchaseOrderFilter.DELIVERED_855: "855 delivered",
    PurchaseOrderFilter.FAILED_855: "855 failed",
    PurchaseOrderFilter.ACCEPTED_997: "997 accepted",
    PurchaseOrderFilter.REJECTED_997: "997 rejected",
    PurchaseOrderFilter.LATE: "late",
}
_DELIVERY_FILTERS = {PurchaseOrderFilter.PENDING_855: Delivery.PENDING,
                     PurchaseOrderFilter.RETRYING_855: Delivery.RETRYING,
                     PurchaseOrderFilter.DELIVERED_855: Delivery.DELIVERED,
                     PurchaseOrderFilter.FAILED_855: Delivery.FAILED}
# 997 codes (AK5 of the 855's set, else AK9 of its group): E is accepted, with errors noted.
_ACCEPTED_997, _REJECTED_997 = ("A", "E"), ("R",)


@dataclass(frozen=True)
class PurchaseOrderRow:
    """A PO as the PO list shows it: ``owes_855`` while Amazon has no 855 of it (and one is
    due); ``functional_ack`` the code of Amazon's 997 for the latest 855, ``functional_ack_due``
    when that 997 is due (both None until an 855 is sent)."""

    po: PurchaseOrder
    owes_855: bool
    functional_ack: str | None
    functional_ack_due: datetime | None


def purchase_order_filter(which: PurchaseOrderFilter, now: datetime) -> ColumnElement[bool]:
    """The condition on ``PurchaseOrder`` that ``which`` filters by (``now`` tells late)."""
    if which in _DELIVERY_FILTERS:
        return _latest_855_delivery(_DELIVERY_FILTERS[which])
    if which is PurchaseOrderFilter.AWAITING_IMS:
        return PurchaseOrder.status.in_(AWAITING_IMS)
    if which is PurchaseOrderFilter.AWAITING_855:
        return and_(PurchaseOrder.status.in_(ALLOCATION_REPORTED), PurchaseOrder.ack_message_id.is_(None))
    if which is PurchaseOrderFilter.ACCEPTED_997:
        return _latest_855_set().where(_FUNCTIONAL_ACK.in_(_ACCEPTED_997)).exists()
    if which is PurchaseOrderFilter.REJECTED_997:
        return _latest_855_set().where(_FUNCTIONAL_ACK.in_(_REJECTED_997)).exists()
    assert which is PurchaseOrderFilter.LATE, f"no condition for {which}"
    return and_(an_855_owed(), PurchaseOrder.ack_due_at < now)


def list_purchase_orders(
    session: Session, *, status: str | None = None, delivery: Delivery | None = None, since: datetime | None = None,
    limit: int = 50, cursor: str | None = None,
) -> Page[dict[str, Any]]:
    """POs newest first (by receipt), ``limit`` at a time, as the API lists them; ``delivery``
    filters by the latest 855's."""
    query = select(PurchaseOrder).options(selectinload(PurchaseOrder.ack_message))
    if status is not None:
        query = query.where(PurchaseOrder.status == status)
    if delivery is not None:
        query = query.where(_latest_855_delivery(delivery))
    if since is not None:
        query = query.where(PurchaseOrder.received_at >= since)
    rows, next_cursor = _keyset_page(session, query, limit, cursor)
    return Page([purchase_order_summary(row[0]) for row in rows], next_cursor)


def purchase_order_rows(session: Session, *, which: PurchaseOrderFilter | None, now: datetime, limit: int = 50,
                        cursor: str | None = None) -> Page[PurchaseOrderRow]:
    """POs newest first, ``limit`` at a time, as the PO list page shows them."""
    latest_set = _latest_855_set()
    query = select(PurchaseOrder, an_855_owed().label("owes_855"),
                   latest_set.with_only_columns(_FUNCTIONAL_ACK).scalar_subquery(),
                   latest_set.with_only_columns(X12Group.ack_due_at).scalar_subquery(),
                   ).options(selectinload(PurchaseOrder.ack_message))
    if which is not None:
        query = query.where(purchase_order_filter(which, now))
    rows, next_cursor = _keyset_page(session, query, limit, cursor)
    return Page([PurchaseOrderRow(po, bool(owes), code, due) for po, owes, code, due in rows], next_cursor)


def _keyset_page(session: Session, query: Select, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    """One page of ``query`` (whose first column is the ``PurchaseOrder``), newest first.

    Keyset pagination on (received_at, id) rather than an offset: POs arrive while ops page
    through the list, and an offset would then show one twice or skip one.
    """
    query = query.order_by(PurchaseOrder.received_at.desc(), PurchaseOrder.id.desc())
    if cursor is not None:
        received_at, last_id = _decode_cursor(cursor)
        query = query.where(or_(PurchaseOrder.received_at < received_at,
                                and_(PurchaseOrder.received_at == received_at, PurchaseOrder.id < last_id)))
    rows = list(session.execute(query.limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, _encode_cursor(rows[-1][0]) if more else None


def an_855_delivered() -> ColumnElement[bool]:
    """A condition on ``PurchaseOrder``: some 855 of the PO (the first, or a re-send) reached
    Amazon, i.e. its MDN came back. Until then Amazon does not have the PO acknowledged."""
    return exists().where(Message.po_number == PurchaseOrder.po_number, Message.document_type == "855",
                          Message.direction == Direction.OUTBOUND.value, delivery_is(Delivery.DELIVERED))


def an_855_owed() -> ColumnElement[bool]:
    """A condition on ``PurchaseOrder``: Amazon is owed an 855 it does not have (none
    delivered, and the PO was not cancelled before one was due)."""
    return and_(PurchaseOrder.status.not_in(NOT_ACKNOWLEDGED), ~an_855_delivered())


def _latest_855_delivery(delivery: Delivery) -> ColumnElement[bool]:
    return PurchaseOrder.ack_message.has(delivery_is(delivery))


def _latest_855_set() -> Select:
    """The X12 set of the PO's latest 855, correlated to ``PurchaseOrder`` (an 855 message
    carries one group with one set per PO; ``limit(1)`` keeps a scalar subquery of it safe)."""
    return (select(X12Set).join(X12Group, X12Set.group_id == X12Group.id)
            .where(X12Group.message_id == PurchaseOrder.ack_message_id, X12Set.set_id == "855",
                   X12Set.reference == PurchaseOrder.po_number)
            .order_by(X12Set.id.desc()).limit(1))


# The partner's 997 code for a set: its own AK5, else the group's AK9 (a 997 that answers
# the group without listing its sets).
_FUNCTIONAL_ACK = func.coalesce(X12Set.ack_status, X12Group.ack_status)


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
    detail["acknowledgement"].update(_acknowledgement_transport(session, po))
    detail["lines"] = [_line(line, exceptions) for line in po.lines]
    detail["exceptions"] = [exception_json(row) for row in exceptions]
    detail["timeline"] = _timeline_json(timeline(session, po.po_number))
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


def line_status(line: PurchaseOrderLine) -> LineStatus | LineAcknowledgement:
    """The line's status as people read it: what the latest 855 told Amazon, once one did
    (``gateway.orders.status.line_status_shown``)."""
    return line_status_shown(line.status, (outcome["code"] for outcome in line.outcomes or []))


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
        "shipped": quantity_text(line.shipped),
        "invoiced": quantity_text(line.invoiced),
        "status": line_status(line).value,
        "outcomes": [{"code": outcome["code"], "quantity": outcome["quantity"], "reason": outcome.get("reason"),
                      "ship_date": outcome.get("ship_date"), "delivery_date": outcome.get("delivery_date")}
                     for outcome in line.outcomes or []],
        "exceptions": [exception_json(row) for row in exceptions
                       if row.detail.get("line_number") == line.line_number],
    }


def latest_855_functional_ack(session: Session, po: PurchaseOrder) -> tuple[str | None, datetime | None]:
    """Amazon's 997 for the PO's latest 855: its code (None while awaited) and when it is due
    (both None before an 855 is sent)."""
    row = session.execute(_latest_855_set().with_only_columns(_FUNCTIONAL_ACK, X12Group.ack_due_at)
                          .where(PurchaseOrder.id == po.id)).first()
    return (None, None) if row is None else (row[0], row[1])


def _acknowledgement_transport(session: Session, po: PurchaseOrder) -> dict[str, str | None]:
    """How the latest 855 for the PO fared: the partner's MDN and its 997 (null until sent)."""
    return {"mdn_status": None if po.ack_message is None else po.ack_message.mdn_status,
            "functional_ack_status": latest_855_functional_ack(session, po)[0]}


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened to the PO or to a document sent about it, with its sentence.
    ``message_id`` names that document's message (None for the PO's own events)."""

    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]
    message_id: int | None
    text: str


def timeline(session: Session, po_number: str) -> list[TimelineEvent]:
    """The PO's own events, how each document sent about it travelled (queued, built,
    attempts, MDN) and the partner's 997 for it; oldest first."""
    documents = {message_id: (document, mdn_status) for message_id, document, mdn_status in session.execute(
        select(Message.id, Message.document_type, Message.mdn_status)
        .where(Message.po_number == po_number, Message.direction == Direction.OUTBOUND.value))}
    groups = {group_id: message_id for group_id, message_id in session.execute(
        select(X12Group.id, X12Group.message_id).where(X12Group.message_id.in_(documents)))}
    message_ids, group_ids = [str(key) for key in documents], [str(key) for key in groups]
    events = session.scalars(
        select(AuditEvent)
        .where(or_(and_(AuditEvent.subject_type == "purchase_order", AuditEvent.subject_id == po_number),
                   and_(AuditEvent.subject_type == "message", AuditEvent.subject_id.in_(message_ids)),
                   and_(AuditEvent.subject_type == "x12_group", AuditEvent.subject_id.in_(group_ids))))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    found = []
    for event in events:
        message_id = None
        if event.subject_type == "message" and event.subject_id:
            message_id = int(event.subject_id)
        elif event.subject_type == "x12_group" and event.subject_id:
            message_id = groups[int(event.subject_id)]
        about = Event(event.action, event.detail)
        if message_id is not None:
            document, mdn_status = documents[message_id]
            about = Event(event.action, event.detail, document or "document", mdn_status)
        found.append(TimelineEvent(event.at, event.actor, event.action, event.detail, message_id, describe(about)))
    return found


def _timeline_json(events: list[TimelineEvent]) -> list[dict[str, Any]]:
    return [{"at": _instant(event.at), "action": event.action, "detail": event.detail, "text": event.text,
             **({"message_id": event.message_id} if event.message_id is not None else {})} for event in events]


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
