"""The allocation rule, case by case: Amazon may only be promised what these allow."""
from datetime import date

import pytest

from reference_ims.allocation import (
    Demand,
    LineStatus,
    StockPosition,
    UnavailableReason,
    allocatable_quantity,
    reallocate,
    settle_line,
)

RESTOCK = date(2026, 12, 20)


@pytest.mark.parametrize(
    ("case", "ordered", "already", "stock", "others", "expected"),
    [
        ("full", 10, 0, StockPosition(on_hand=100, reserved=0), 0, 10),
        ("partial", 10, 0, StockPosition(on_hand=4, reserved=0), 0, 4),
        ("nothing on hand", 10, 0, StockPosition(on_hand=0, reserved=0), 0, 0),
        ("reserved stock is not allocated", 10, 0, StockPosition(on_hand=50, reserved=10), 0, 10),
        ("reserved stock caps the line", 60, 0, StockPosition(on_hand=50, reserved=10), 0, 40),
        ("fully reserved (ACME-SOAP-03)", 5, 0, StockPosition(on_hand=8, reserved=8), 0, 0),
        ("reserved above on hand", 5, 0, StockPosition(on_hand=3, reserved=8), 0, 0),
        ("other orders hold stock", 10, 0, StockPosition(on_hand=12, reserved=0), 8, 4),
        ("other orders hold it all", 10, 0, StockPosition(on_hand=12, reserved=2), 10, 0),
        ("tops up what the line holds", 10, 6, StockPosition(on_hand=20, reserved=0), 0, 4),
        ("its own allocation is not free stock", 10, 6, StockPosition(on_hand=8, reserved=0), 0, 2),
        ("already complete", 10, 10, StockPosition(on_hand=20, reserved=0), 0, 0),
        ("discontinued stock on hand may still go", 5, 0, StockPosition(on_hand=3, reserved=0, discontinued=True), 0, 3),
    ],
)
def test_allocatable_quantity(case, ordered, already, stock, others, expected):
    assert allocatable_quantity(ordered, already, stock, others) == expected, case


@pytest.mark.parametrize(
    ("case", "ordered", "allocated", "stock", "backorder_allowed", "expected"),
    [
        ("full", 10, 10, StockPosition(100, 0), True,
         (10, 0, 0, None, None, LineStatus.ALLOCATED)),
        ("partial, rest backordered without a date", 10, 4, StockPosition(4, 0), True,
         (4, 6, 0, None, None, LineStatus.PARTIALLY_ALLOCATED)),
        ("restock date becomes the backorder ship date", 10, 4, StockPosition(4, 0, restock_date=RESTOCK), True,
         (4, 6, 0, RESTOCK, None, LineStatus.PARTIALLY_ALLOCATED)),
        ("nothing free, all backordered", 5, 0, StockPosition(8, 8, restock_date=RESTOCK), True,
         (0, 5, 0, RESTOCK, None, LineStatus.BACKORDERED)),
        ("no back orders allowed", 10, 4, StockPosition(4, 0, restock_date=RESTOCK), False,
         (4, 0, 6, None, UnavailableReason.OUT_OF_STOCK, LineStatus.PARTIALLY_ALLOCATED)),
        ("discontinued: never backordered", 10, 3, StockPosition(3, 0, discontinued=True, restock_date=RESTOCK), True,
         (3, 0, 7, None, UnavailableReason.DISCONTINUED, LineStatus.PARTIALLY_ALLOCATED)),
        ("discontinued and gone", 10, 0, StockPosition(0, 0, discontinued=True), True,
         (0, 0, 10, None, UnavailableReason.DISCONTINUED, LineStatus.UNAVAILABLE)),
        ("unknown SKU", 2, 0, None, True,
         (0, 0, 2, None, UnavailableReason.UNKNOWN_SKU, LineStatus.UNAVAILABLE)),
    ],
)
def test_settle_line(case, ordered, allocated, stock, backorder_allowed, expected):
    line = settle_line(ordered, allocated, stock, backorder_allowed)
    got = (line.allocated, line.backordered, line.unavailable, line.backorder_ship_date,
           line.unavailable_reason, line.status)
    assert got == expected, case
    assert line.allocated + line.backordered + line.unavailable == ordered


@pytest.mark.parametrize(
    ("case", "stock", "demands", "expected"),
    [
        ("oldest first", StockPosition(10, 0),
         [Demand("old", 6, 0), Demand("new", 6, 0)], {"old": 6, "new": 4}),
        ("never the reserved stock", StockPosition(8, 8),
         [Demand("a", 5, 0)], {"a": 0}),
        ("held allocations are kept over older backorders", StockPosition(10, 0),
         [Demand("old", 10, 2), Demand("new", 8, 8)], {"old": 2, "new": 8}),
        ("arriving stock fills backorders oldest first", StockPosition(25, 0),
         [Demand("old", 10, 2), Demand("new", 20, 8)], {"old": 10, "new": 15}),
        ("stock taken away is released from the newest", StockPosition(10, 3),
         [Demand("old", 5, 5), Demand("new", 5, 5)], {"old": 5, "new": 2}),
        ("a lower ordered quantity releases the surplus to others", StockPosition(10, 0),
         [Demand("old", 3, 8), Demand("new", 5, 2)], {"old": 3, "new": 5}),
        ("no demands", StockPosition(10, 0), [], {}),
    ],
)
def test_reallocate(case, stock, demands, expected):
    result = reallocate(stock, demands)
    assert result == expected, case
    assert sum(result.values()) <= stock.capacity
