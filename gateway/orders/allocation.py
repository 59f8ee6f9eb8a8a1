"""Allocation: what the IMS holds for each line of a purchase order, as the gateway keeps it.

The IMS reports it in three ways (the create answer, a change answer, the allocation
callback), always as the whole sales order with a ``revision`` that grows with every
change. Callbacks may arrive late or twice, so an older revision never overwrites a newer
one. The 855 is built from what is stored here: only allocated eaches are accepted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from gateway.platform import audit
from gateway.models import PurchaseOrder
from gateway.orders.status import (
    IMS_LINE_STATUSES,
    SHIPPING_STARTED,
    TIMELINE,
    LineStatus,
    PurchaseOrderStatus,
    move,
    move_line,
    status_of_allocation,
)

MAX_COUNT = 2**31 - 1  # the largest INTEGER on PostgreSQL: the type of the columns the counts go to


class InvalidAllocation(ValueError):
    """A sales order body that breaks docs/ims-api.yaml; the message names the field."""


@dataclass(frozen=True, slots=True)
class LineAllocation:
    line_number: str
    sku: str
    ordered: int
    allocated: int
    backordered: int
    backorder_ship_date: date | None
    status: LineStatus  # one of IMS_LINE_STATUSES


@dataclass(frozen=True, slots=True)
class SalesOrderAllocation:
    """A ``SalesOrder`` of the IMS contract, reduced to what the gateway keeps."""

    po_number: str
    vendor_code: str | None
    status: str  # open, cancelled, shipped
    revision: int
    lines: tuple[LineAllocation, ...]

    @classmethod
    def from_json(cls, body: Any) -> SalesOrderAllocation:
        """Read a sales order as the IMS sends it; raises :class:`InvalidAllocation`."""
        order = _object(body, "")
        lines = order.get("lines")
        if not isinstance(lines, list):
            raise InvalidAllocation("/lines must be an array")
        return cls(
            po_number=_text(order, "po_number", ""),
            vendor_code=_vendor_code(order),
            status=_text(order, "status", ""),
            revision=_count(order, "revision", "", minimum=1),
            lines=tuple(_line(_object(line, f"/lines/{index}"), f"/lines/{index}") for index, line in enumerate(lines)),
        )

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def shipped(self) -> bool:
        """The IMS says the order has shipped: an 856 must reach the gateway (and Amazon) soon."""
        return self.status == "shipped"

    @property
    def order_status(self) -> PurchaseOrderStatus:
        """The purchase order's status this allocation gives."""
        return status_of_allocation(self.cancelled, ((line.status, line.ordered, line.allocated, line.backordered)
                                                     for line in self.lines))


def _object(value: Any, pointer: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidAllocation(f"{pointer or '/'} must be a JSON object")
    return value


def _text(value: dict[str, Any], name: str, pointer: str) -> str:
    # Printable: a NUL reached PostgreSQL, which refuses it in a query (a 500, not a 422).
    if not isinstance(value.get(name), str) or not value[name] or not value[name].isprintable():
        raise InvalidAllocation(f"{pointer}/{name} must be a non-empty string of printable characters")
    return value[name]


def _vendor_code(order: dict[str, Any]) -> str | None:
    """Optional, and may be empty; when a string, printable like every text (see ``_text``)."""
    code = order.get("vendor_code")
    if not isinstance(code, str):
        return None
    if not code.isprintable():
        raise InvalidAllocation("/vendor_code must be printable characters")
    return code


def _count(value: dict[str, Any], name: str, pointer: str, minimum: int = 0) -> int:
    number = value.get(name)
    # At most MAX_COUNT: counts and the revision are INTEGER columns, and a larger number was a database error.
    if isinstance(number, bool) or not isinstance(number, int) or not minimum <= number <= MAX_COUNT:
        raise InvalidAllocation(f"{pointer}/{name} must be a whole number from {minimum} to {MAX_COUNT}")
    return number


def _line(value: dict[str, Any], pointer: str) -> LineAllocation:
    ship_date = value.get("backorder_ship_date")
    try:
        parsed_date = None if ship_date is None else date.fromisoformat(ship_date)
    except (TypeError, ValueError):
        raise InvalidAllocation(f"{pointer}/backorder_ship_date must be a date YYYY-MM-DD or null") from None
    return LineAllocation(
        line_number=_text(value, "line_number", pointer),
        sku=_text(value, "sku", pointer),
        ordered=_count(value, "ordered", pointer),
        allocated=_count(value, "allocated", pointer),
        backordered=_count(value, "backordered", pointer),
        backorder_ship_date=parsed_date,
        status=_line_status(value, pointer),
    )


def _line_status(value: dict[str, Any], pointer: str) -> LineStatus:
    text = _text(value, "status", pointer)
    if text not in IMS_LINE_STATUSES:
        raise InvalidAllocation(f"{pointer}/status must be one of {', '.join(sorted(IMS_LINE_STATUSES))}, not {text!r}")
    return LineStatus(text)


def store_allocation(session: Session, purchase_order: PurchaseOrder, allocation: SalesOrderAllocation,
                     *, source: str) -> bool:
    """Keep the allocation per line unless a newer (or the same) revision is already stored.

    Returns True when something was stored. Nothing is stored for a PO whose 860 change
    has not reached the IMS yet: the IMS does not know the change, and the change task
    reads the order afresh once it does. The caller holds the PO's row locked
    (``with_for_update``) since before it loaded it: otherwise two writers could both read
    the same stored revision and the older allocation overwrite the newer.
    """
    if purchase_order.status == PurchaseOrderStatus.CHANGE_PENDING:
        return False
    if purchase_order.ims_revision is not None and allocation.revision <= purchase_order.ims_revision:
        if allocation.revision < purchase_order.ims_revision:
            audit.record(session, "purchase_order.allocation_ignored", subject_type=TIMELINE,
                         subject_id=purchase_order.po_number, source=source, revision=allocation.revision,
                         stored_revision=purchase_order.ims_revision)
        return False
    lines = {line.line_number: line for line in purchase_order.lines}
    for reported in allocation.lines:
        line = lines.get(reported.line_number)
        if line is None:
            continue  # the IMS only has lines we sent; anything else is not ours to store
        line.allocated, line.backordered = reported.allocated, reported.backordered
        line.backorder_ship_date = reported.backorder_ship_date
        move_line(line, reported.status)
    purchase_order.ims_order_id = allocation.po_number
    purchase_order.ims_revision = allocation.revision
    if allocation.shipped and purchase_order.ims_shipped_at is None:
        purchase_order.ims_shipped_at = datetime.now(timezone.utc)  # the 856 must follow (gateway.shipping.watch)
    if purchase_order.status not in SHIPPING_STARTED:
        move(purchase_order, allocation.order_status)
    audit.record(session, "purchase_order.allocation_received", subject_type=TIMELINE,
                 subject_id=purchase_order.po_number, source=source, revision=allocation.revision,
                 status=allocation.order_status.value,
                 lines=[{"line_number": line.line_number, "allocated": line.allocated,
                         "backordered": line.backordered, "status": line.status.value} for line in allocation.lines])
    return True
