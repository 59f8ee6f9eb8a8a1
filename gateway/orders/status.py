"""Where a purchase order's status, and each of its lines', is changed: the one owner.

A PO's life::

    received --(IMS created the sales order)--> sales_order_created --(allocation)--> allocated
       |                                                                               partially_allocated
       |--(IMS refused, or a change it refused)--> held --(replay)--> received          backordered
       |                                                  \\--(replay)--> change_pending unavailable
       |--(860 before the IMS answered / after) ---------------------> change_pending   cancelled
       \\--(860 cancels every line before the IMS has it)--> cancelled

Every allocation the IMS reports (create answer, change answer, callback) decides the
status again with :func:`status_of_allocation`. A line is ``open`` (sendable, waiting for
the IMS), ``held`` (cannot be sent: see its exception), then takes the status the IMS
reports for it (the vocabulary of ``docs/ims-api.yaml``). Modules that change a status
call :func:`move` or :func:`move_line`; nothing else assigns ``.status``.
"""
from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from gateway.models import PurchaseOrder, PurchaseOrderLine

# audit subject_type of a PO's timeline; subject_id is the PO number.
TIMELINE = "purchase_order"


class PurchaseOrderStatus(StrEnum):
    RECEIVED = "received"  # stored, sales order not created yet
    HELD = "held"  # not (or no longer) in step with the IMS: see the PO's exceptions
    SALES_ORDER_CREATED = "sales_order_created"
    CHANGE_PENDING = "change_pending"  # an 860 changed the PO; the IMS order is not updated yet
    ALLOCATED = "allocated"
    PARTIALLY_ALLOCATED = "partially_allocated"
    BACKORDERED = "backordered"
    UNAVAILABLE = "unavailable"
    CANCELLED = "cancelled"


class LineStatus(StrEnum):
    OPEN = "open"  # mapped and sendable; the IMS has not answered for it yet
    HELD = "held"  # cannot go to the IMS (unknown identifier, cost or unit problem): see its exception
    # As the IMS reports the line (docs/ims-api.yaml, SalesOrderLine.status):
    ALLOCATED = "allocated"
    PARTIALLY_ALLOCATED = "partially_allocated"
    BACKORDERED = "backordered"
    UNAVAILABLE = "unavailable"
    CANCELLED = "cancelled"


# The IMS's own line statuses, for reading its answers.
IMS_LINE_STATUSES = frozenset({LineStatus.ALLOCATED, LineStatus.PARTIALLY_ALLOCATED, LineStatus.BACKORDERED,
                               LineStatus.UNAVAILABLE, LineStatus.CANCELLED})
# A PO in one of these never gets an 855 (it was cancelled before we acknowledged).
NOT_ACKNOWLEDGED = frozenset({PurchaseOrderStatus.CANCELLED})


def move(purchase_order: PurchaseOrder, status: PurchaseOrderStatus) -> None:
    purchase_order.status = PurchaseOrderStatus(status).value


def move_line(line: PurchaseOrderLine, status: LineStatus) -> None:
    line.status = LineStatus(status).value


def status_of_allocation(order_cancelled: bool, lines: Iterable[tuple[LineStatus, int, int, int]]) -> PurchaseOrderStatus:
    """The PO's status an IMS allocation gives: ``lines`` are (status, ordered, allocated, backordered)."""
    live = [line for line in lines if line[0] is not LineStatus.CANCELLED]
    if order_cancelled or not live:
        return PurchaseOrderStatus.CANCELLED
    allocated, ordered = sum(line[2] for line in live), sum(line[1] for line in live)
    if allocated >= ordered:
        return PurchaseOrderStatus.ALLOCATED
    if allocated:
        return PurchaseOrderStatus.PARTIALLY_ALLOCATED
    return PurchaseOrderStatus.BACKORDERED if any(line[3] for line in live) else PurchaseOrderStatus.UNAVAILABLE
