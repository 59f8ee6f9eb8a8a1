"""Where a purchase order's status, and each of its lines', is changed: the one owner.

A PO's life::

    received --(IMS created the sales order)--> sales_order_created --(allocation)--> allocated
       |                                                                               partially_allocated
       |--(IMS refused, or a change it refused)--> held --(replay)--> received          backordered
       |                                                  \\--(replay)--> change_pending unavailable
       |--(860 before the IMS answered / after) ---------------------> change_pending   cancelled
       \\--(860 cancels every line before the IMS has it)--> cancelled

    (any acknowledged state) --(a shipment)--> partially_shipped --(all accepted shipped)--> shipped

Once goods have shipped the PO's status follows its shipments (:func:`status_after_shipping`,
moved by ``gateway.shipping``), never an allocation the IMS reports after.

Every allocation the IMS reports (create answer, change answer, callback) decides the
status again with :func:`status_of_allocation`. A line is ``open`` (sendable, waiting for
the IMS), ``held`` (cannot be sent: see its exception), then takes the status the IMS
reports for it (the vocabulary of ``docs/ims-api.yaml``). Modules that change a status
call :func:`move` or :func:`move_line`; nothing else assigns ``.status``.

What people read of a line (the PO page, the API) is :func:`line_status_shown`: once an
855 stated the line, what that 855 told Amazon (:class:`LineAcknowledgement`, derived
from the line's outcomes, never stored), else the stored status. The stored status stays
the line's place in the IMS work (the IMS may still allocate a line the 855 rejected:
rejections are final for Amazon all the same), so it is not moved when an 855 goes out.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from edi_maps.documents import LineOutcome
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
    PARTIALLY_SHIPPED = "partially_shipped"  # some accepted quantity has shipped (an 856 went out)
    SHIPPED = "shipped"  # everything accepted has shipped


class LineStatus(StrEnum):
    OPEN = "open"  # mapped and sendable; the IMS has not answered for it yet
    HELD = "held"  # cannot go to the IMS (unknown identifier, cost or unit problem): see its exception
    # As the IMS reports the line (docs/ims-api.yaml, SalesOrderLine.status):
    ALLOCATED = "allocated"
    PARTIALLY_ALLOCATED = "partially_allocated"
    BACKORDERED = "backordered"
    UNAVAILABLE = "unavailable"
    CANCELLED = "cancelled"


class LineAcknowledgement(StrEnum):
    """What the latest 855 told Amazon of a line, in one word (from its outcomes)."""

    ACCEPTED = "accepted"  # all of it
    PARTIALLY_ACCEPTED = "partially_accepted"  # some accepted, the rest backordered or rejected
    BACKORDERED = "backordered"  # none accepted, some backordered (the rest, if any, rejected)
    REJECTED = "rejected"  # all of it: Amazon will not receive the line


# The IMS's own line statuses, for reading its answers.
IMS_LINE_STATUSES = frozenset({LineStatus.ALLOCATED, LineStatus.PARTIALLY_ALLOCATED, LineStatus.BACKORDERED,
                               LineStatus.UNAVAILABLE, LineStatus.CANCELLED})
# A PO in one of these never gets an 855 (it was cancelled before we acknowledged).
NOT_ACKNOWLEDGED = frozenset({PurchaseOrderStatus.CANCELLED})
# The IMS (or a person, for a held PO) has yet to answer: no allocation to acknowledge from.
AWAITING_IMS = frozenset({PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.HELD,
                          PurchaseOrderStatus.SALES_ORDER_CREATED, PurchaseOrderStatus.CHANGE_PENDING})
# The IMS reported its allocation: the 855 can say what is accepted.
ALLOCATION_REPORTED = frozenset({PurchaseOrderStatus.ALLOCATED, PurchaseOrderStatus.PARTIALLY_ALLOCATED,
                                 PurchaseOrderStatus.BACKORDERED, PurchaseOrderStatus.UNAVAILABLE})


# Goods have left: the PO's status is its shipments', whatever the IMS reports of its allocation after.
SHIPPING_STARTED = frozenset({PurchaseOrderStatus.PARTIALLY_SHIPPED, PurchaseOrderStatus.SHIPPED})


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


def acknowledged_as(outcome_codes: Iterable[str]) -> LineAcknowledgement | None:
    """One word for a line's 855 outcomes (``accepted``, ``backordered``, ``rejected`` codes);
    None when no 855 stated the line yet."""
    codes = {LineOutcome(code) for code in outcome_codes}
    if not codes:
        return None
    if codes == {LineOutcome.ACCEPTED}:
        return LineAcknowledgement.ACCEPTED
    if LineOutcome.ACCEPTED in codes:
        return LineAcknowledgement.PARTIALLY_ACCEPTED
    if LineOutcome.BACKORDERED in codes:
        return LineAcknowledgement.BACKORDERED
    return LineAcknowledgement.REJECTED


def line_status_shown(status: str, outcome_codes: Iterable[str]) -> LineStatus | LineAcknowledgement:
    """The status people read for a line: what the latest 855 told Amazon once one stated it,
    so a line rejected to Amazon never reads ``held`` or ``allocated``; before, the line's own.

    A line Amazon cancelled (860) reads ``cancelled`` whatever an earlier 855 said: Amazon's
    cancellation came after, and Amazon knows it.
    """
    stored = LineStatus(status)
    if stored is LineStatus.CANCELLED:
        return stored
    return acknowledged_as(outcome_codes) or stored


def status_after_shipping(lines: Iterable[tuple[Decimal, Decimal]]) -> PurchaseOrderStatus | None:
    """The PO's status from its lines' (accepted, shipped), in the PO's units: shipped once
    every accepted quantity has, partially shipped once any has; None while nothing has."""
    lines = list(lines)
    if not any(shipped > 0 for _, shipped in lines):
        return None
    if all(shipped >= accepted for accepted, shipped in lines):
        return PurchaseOrderStatus.SHIPPED
    return PurchaseOrderStatus.PARTIALLY_SHIPPED


def accepted_quantity(outcomes: Iterable[dict[str, Any]]) -> Decimal:
    """What the latest 855 accepted of a line (its ``accepted`` outcomes), in the line's unit."""
    return sum((Decimal(str(o["quantity"])) for o in outcomes if o["code"] == LineOutcome.ACCEPTED.value), Decimal(0))


def allocation_status(purchase_order: PurchaseOrder) -> PurchaseOrderStatus:
    """The status the PO's stored allocation gives, for a PO no longer shipped (a replacement
    856 took all of it off the truck)."""
    return status_of_allocation(False, ((LineStatus(line.status), line.eaches or 0, line.allocated or 0,
                                         line.backordered or 0) for line in purchase_order.lines))
