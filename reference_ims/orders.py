"""Sales orders as the reference IMS sees them: what the gateway asks for, and what it gets back."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reference_ims.allocation import LineAllocation


@dataclass(frozen=True, slots=True)
class ShipWindow:
    not_before: date
    not_after: date


@dataclass(frozen=True, slots=True)
class NewLine:
    line_number: str
    sku: str
    quantity: int  # eaches
    unit_cost: Decimal


@dataclass(frozen=True, slots=True)
class NewOrder:
    """The body of ``POST /api/v1/sales-orders``."""

    po_number: str
    vendor_code: str | None
    order_type: str
    ship_to: str
    ship_window: ShipWindow
    backorder_allowed: bool
    lines: tuple[NewLine, ...]


@dataclass(frozen=True, slots=True)
class LineChange:
    """A new quantity for a line, or its cancellation (then ``quantity`` is None)."""

    line_number: str
    quantity: int | None
    cancelled: bool


@dataclass(frozen=True, slots=True)
class OrderChange:
    """The body of ``PATCH /api/v1/sales-orders/{po_number}``."""

    ship_window: ShipWindow | None
    lines: tuple[LineChange, ...]


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_number: str
    sku: str
    unit_cost: Decimal
    ordered: int
    allocation: LineAllocation


@dataclass(frozen=True, slots=True)
class SalesOrder:
    """An order with its current allocation, as answered to the gateway."""

    po_number: str
    vendor_code: str | None
    order_type: str
    ship_to: str
    ship_window: ShipWindow
    backorder_allowed: bool
    status: str  # open, cancelled or shipped (final; the sandbox's shipments)
    revision: int
    created_at: datetime
    updated_at: datetime
    lines: tuple[OrderLine, ...]
