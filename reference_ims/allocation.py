"""The allocation rule, free of I/O so it can be checked with a table of cases.

Amazon is only told (855) what the IMS allocated, so the rule is strict: an order line
may take stock that is on hand, not reserved for another channel and not allocated to
another order; nothing else. What it cannot have is backordered when the order allows
back orders and more can come, and is otherwise unavailable (the gateway rejects it).
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class LineStatus(StrEnum):
    ALLOCATED = "allocated"
    PARTIALLY_ALLOCATED = "partially_allocated"
    BACKORDERED = "backordered"
    UNAVAILABLE = "unavailable"
    CANCELLED = "cancelled"


class UnavailableReason(StrEnum):
    OUT_OF_STOCK = "out_of_stock"  # no free stock and the order allows no back order
    DISCONTINUED = "discontinued"  # no more will come, so nothing can be backordered
    UNKNOWN_SKU = "unknown_sku"


@dataclass(frozen=True, slots=True)
class StockPosition:
    """What the allocation rule needs to know about one SKU (all locations together)."""

    on_hand: int
    reserved: int  # held for other channels: never allocated here
    discontinued: bool = False
    restock_date: date | None = None

    @property
    def capacity(self) -> int:
        """How much may be allocated to orders in total."""
        return max(0, self.on_hand - self.reserved)


@dataclass(frozen=True, slots=True)
class LineAllocation:
    """What happens to an order line: for an open line, the three quantities add up to
    the ordered quantity."""

    allocated: int
    backordered: int
    unavailable: int
    backorder_ship_date: date | None
    unavailable_reason: UnavailableReason | None
    status: LineStatus


CANCELLED_LINE = LineAllocation(0, 0, 0, None, None, LineStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class Demand:
    """An open order line asking for one SKU; ``key`` identifies it to the caller."""

    key: Hashable
    ordered: int
    allocated: int


def allocatable_quantity(ordered: int, already_allocated: int, stock: StockPosition, allocated_to_others: int) -> int:
    """How much more a line may take now: min(ordered - already allocated, free stock), never negative.

    Free stock is on_hand - reserved - allocated to other orders - what this line already
    holds: a line topping up must not count its own allocation as free a second time.
    """
    free = stock.on_hand - stock.reserved - allocated_to_others - already_allocated
    return max(0, min(ordered - already_allocated, free))


def reallocate(stock: StockPosition, demands: Sequence[Demand]) -> dict[Hashable, int]:
    """The allocated quantity of every open line of one SKU, ``demands`` oldest first.

    Allocations are sticky, because the gateway may already have accepted them to Amazon:
    a line keeps what it holds while the stock is there. Stock that is gone (fewer on
    hand, more reserved, a lower ordered quantity) is released from the newest lines
    first; free stock goes to the oldest lines first.
    """
    held = [min(demand.allocated, demand.ordered) for demand in demands]
    excess = sum(held) - stock.capacity
    for index in reversed(range(len(held))):
        if excess <= 0:
            break
        released = min(held[index], excess)
        held[index] -= released
        excess -= released
    total = sum(held)
    for index, demand in enumerate(demands):
        extra = allocatable_quantity(demand.ordered, held[index], stock, total - held[index])
        held[index] += extra
        total += extra
    return {demand.key: quantity for demand, quantity in zip(demands, held)}


def settle_line(ordered: int, allocated: int, stock: StockPosition | None, backorder_allowed: bool) -> LineAllocation:
    """Split what is not allocated into backordered or unavailable, and name the line's status.

    ``stock`` is None for a SKU the IMS does not know. A backorder is expected to ship on
    the SKU's restock date when one is set.
    """
    remainder = ordered - allocated
    backordered, unavailable, ship_date, reason = 0, 0, None, None
    if remainder > 0:
        if stock is None:
            unavailable, reason = remainder, UnavailableReason.UNKNOWN_SKU
        elif stock.discontinued:
            unavailable, reason = remainder, UnavailableReason.DISCONTINUED
        elif not backorder_allowed:
            unavailable, reason = remainder, UnavailableReason.OUT_OF_STOCK
        else:
            backordered, ship_date = remainder, stock.restock_date
    if allocated == ordered:
        status = LineStatus.ALLOCATED
    elif allocated > 0:
        status = LineStatus.PARTIALLY_ALLOCATED
    elif backordered > 0:
        status = LineStatus.BACKORDERED
    else:
        status = LineStatus.UNAVAILABLE
    return LineAllocation(allocated, backordered, unavailable, ship_date, reason, status)
