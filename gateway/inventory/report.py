"""The IMS's stock report as it arrives (docs/ims-api.yaml ``StockReport``), read into typed
values; every problem is collected with its JSON Pointer. Pure.

``ship_from`` (optional, our addition to the contract) names the warehouse the report
counts; absent, the IMS reports one total over its locations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gateway.platform.json_reading import JsonObject, Problem

# 20 MB is the largest body the gateway reads; a stock entry is about 130 bytes of JSON.
MAX_ITEMS = 200_000
SHIP_FROM = re.compile(r"[A-Za-z0-9-]{1,20}")
FIELDS = ("as_of", "complete", "items", "ship_from")
REQUIRED = ("as_of", "complete", "items")
ITEM_FIELDS = ("sku", "on_hand", "reserved", "allocated", "available", "discontinued", "restock_date", "locations")
ITEM_REQUIRED = ("sku", "on_hand", "reserved", "allocated", "available", "discontinued", "restock_date")


@dataclass(frozen=True, slots=True)
class StockItem:
    sku: str
    on_hand: int
    reserved: int  # held for other channels
    allocated: int  # to open sales orders
    discontinued: bool
    restock_date: date | None


@dataclass(frozen=True, slots=True)
class StockReportBody:
    as_of: datetime
    complete: bool  # every SKU the IMS stocks (at ship_from), or only changed ones
    ship_from: str  # "" when the IMS reports one total
    items: tuple[StockItem, ...]


def read_stock_report(body: Any) -> tuple[StockReportBody | None, list[Problem]]:
    """The body as a report, or every contract problem found (then no report)."""
    problems: list[Problem] = []
    root = JsonObject(body, "", problems, FIELDS, REQUIRED)
    if not root.ok:
        return None, problems
    as_of = root.moment("as_of")
    complete = root.value.get("complete")
    if not isinstance(complete, bool):
        root.fail("complete", "must be true (every SKU) or false (only the SKUs listed)")
    ship_from = root.text("ship_from", max_length=20, pattern=SHIP_FROM, shape="a warehouse code",
                          nullable=True) if root.present("ship_from") else None
    items: list[StockItem] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(root.array("items", maximum=MAX_ITEMS)):
        item = _item(raw, f"/items/{index}", problems)
        if item is None:
            continue
        if item.sku in seen:
            problems.append(Problem(f"/items/{index}/sku", f"{item.sku!r} is listed twice (first at /items/{seen[item.sku]})"))
            continue
        seen[item.sku] = index
        items.append(item)
    if problems:
        return None, problems
    assert as_of is not None and isinstance(complete, bool)
    return StockReportBody(as_of, complete, ship_from or "", tuple(items)), []


def _item(raw: Any, pointer: str, problems: list[Problem]) -> StockItem | None:
    value = JsonObject(raw, pointer, problems, ITEM_FIELDS, ITEM_REQUIRED)
    if not value.ok:
        return None
    sku = value.text("sku", max_length=64)
    on_hand = value.count("on_hand", minimum=0)
    reserved = value.count("reserved", minimum=0)
    allocated = value.count("allocated", minimum=0)
    value.count("available", minimum=0)  # the IMS's own figure; the gateway computes its own (availability)
    discontinued = value.value.get("discontinued")
    if not isinstance(discontinued, bool):
        value.fail("discontinued", "must be true or false")
    restock_date = value.day("restock_date", nullable=True)
    if value.present("locations") and not isinstance(value.value["locations"], list):
        value.fail("locations", "must be an array")
    if sku is None or on_hand is None or reserved is None or allocated is None or not isinstance(discontinued, bool):
        return None
    return StockItem(sku, on_hand, reserved, allocated, discontinued, restock_date)
