"""The IMS's shipment as it arrives (docs/ims-api.yaml ``Shipment``), read into typed values.

Reading only checks the contract's shapes (types, lengths, patterns, required fields);
whether the shipment is right for Amazon (SSCCs, quantities, ship-to, BOL) is
``gateway.shipping.checks``. Every problem is collected, each with a JSON Pointer to the
value, so the IMS hears of all of them in one 422. Pure: a JSON value in, a report or
problems out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from gateway.platform.json_reading import JsonObject, Problem

SHIPMENT_ID = re.compile(r"[A-Za-z0-9-]{1,30}")
SCAC = re.compile(r"[A-Z]{2,4}")
PO_NUMBER = re.compile(r"[A-Za-z0-9]{1,22}")
SSCC_SHAPE = re.compile(r"[0-9]{18}")
WEIGHT_UNITS = ("LB", "KG")
# A truck carries at most a few thousand cartons; far more is a mistake or an attack, and
# every carton becomes rows and segments.
MAX_CARTONS = 10_000
MAX_ITEMS_PER_CARTON = 200

FIELDS = ("shipment_id", "ship_date", "shipped_at", "estimated_delivery_date", "ship_from", "ship_to", "carrier_scac",
          "bill_of_lading", "pro_number", "pallets", "cartons", "weight_unit", "carton_count", "pallet_count")
REQUIRED = ("shipment_id", "ship_date", "estimated_delivery_date", "ship_from", "ship_to", "carrier_scac",
            "bill_of_lading", "pro_number", "pallets", "cartons")
PALLET_FIELDS = ("pallet_id", "sscc")
CARTON_FIELDS = ("sscc", "pallet_id", "po_number", "items", "weight")
CARTON_REQUIRED = ("sscc", "pallet_id", "po_number", "items")
ITEM_FIELDS = ("line_number", "sku", "quantity", "lot_number", "expiry_date")


@dataclass(frozen=True, slots=True)
class ReportedItem:
    line_number: str
    sku: str
    eaches: int
    lot_number: str | None
    expiry_date: date | None


@dataclass(frozen=True, slots=True)
class ReportedCarton:
    sscc: str
    pallet_id: str | None
    po_number: str
    items: tuple[ReportedItem, ...]
    weight: Decimal | None


@dataclass(frozen=True, slots=True)
class ReportedPallet:
    pallet_id: str
    sscc: str | None


@dataclass(frozen=True, slots=True)
class ShipmentReport:
    shipment_id: str
    ship_date: date
    shipped_at: datetime | None  # None: the IMS did not say (older IMS); the gateway uses when it arrived
    estimated_delivery_date: date | None
    ship_from: str
    ship_to: str
    carrier_scac: str
    bill_of_lading: str
    pro_number: str | None
    weight_unit: str
    carton_count: int | None
    pallet_count: int | None
    pallets: tuple[ReportedPallet, ...]
    cartons: tuple[ReportedCarton, ...]

    @property
    def po_numbers(self) -> list[str]:
        """The shipment's POs, in the order their first carton came."""
        return list(dict.fromkeys(carton.po_number for carton in self.cartons))


def read_shipment(body: Any) -> tuple[ShipmentReport | None, list[Problem]]:
    """The body as a report, or every contract problem found (then no report)."""
    problems: list[Problem] = []
    root = JsonObject(body, "", problems, FIELDS, REQUIRED)
    if not root.ok:
        return None, problems
    shipment_id = root.text("shipment_id", pattern=SHIPMENT_ID, shape="1 to 30 letters, digits or hyphens")
    ship_date = root.day("ship_date")
    shipped_at = root.moment("shipped_at") if root.present("shipped_at") else None
    estimated = root.day("estimated_delivery_date", nullable=True)
    ship_from = root.text("ship_from", max_length=20)
    ship_to = root.text("ship_to", max_length=32)
    scac = root.text("carrier_scac", pattern=SCAC, shape="2 to 4 capital letters (a Standard Carrier Alpha Code)")
    bill_of_lading = root.text("bill_of_lading", max_length=30)
    pro_number = root.text("pro_number", max_length=30, nullable=True)
    weight_unit = root.text("weight_unit", pattern=re.compile("|".join(WEIGHT_UNITS)), shape="LB or KG") \
        if root.present("weight_unit") else "LB"
    carton_count = root.count("carton_count", minimum=1, nullable=True) if root.present("carton_count") else None
    pallet_count = root.count("pallet_count", minimum=0, nullable=True) if root.present("pallet_count") else None
    pallets = tuple(pallet for index, raw in enumerate(root.array("pallets", maximum=MAX_CARTONS))
                    if (pallet := _pallet(raw, f"/pallets/{index}", problems)) is not None)
    cartons = tuple(carton for index, raw in enumerate(root.array("cartons", minimum=1, maximum=MAX_CARTONS))
                    if (carton := _carton(raw, f"/cartons/{index}", problems)) is not None)
    if problems:
        return None, problems
    assert shipment_id and ship_date and ship_from and ship_to and scac and bill_of_lading and weight_unit
    return ShipmentReport(shipment_id, ship_date, shipped_at, estimated, ship_from, ship_to, scac, bill_of_lading,
                          pro_number, weight_unit, carton_count, pallet_count, pallets, cartons), []


def _pallet(raw: Any, pointer: str, problems: list[Problem]) -> ReportedPallet | None:
    value = JsonObject(raw, pointer, problems, PALLET_FIELDS, PALLET_FIELDS)
    if not value.ok:
        return None
    pallet_id = value.text("pallet_id", max_length=64)
    sscc = value.text("sscc", pattern=SSCC_SHAPE, shape="18 digits (an SSCC-18)", nullable=True)
    return ReportedPallet(pallet_id, sscc) if pallet_id else None


def _carton(raw: Any, pointer: str, problems: list[Problem]) -> ReportedCarton | None:
    value = JsonObject(raw, pointer, problems, CARTON_FIELDS, CARTON_REQUIRED)
    if not value.ok:
        return None
    sscc = value.text("sscc", pattern=SSCC_SHAPE, shape="18 digits (an SSCC-18)")
    pallet_id = value.text("pallet_id", max_length=64, nullable=True)
    po_number = value.text("po_number", pattern=PO_NUMBER, shape="1 to 22 letters or digits (Amazon's PO number)")
    weight = value.weight("weight") if value.present("weight") else None
    items = tuple(item for index, raw_item in enumerate(value.array("items", minimum=1, maximum=MAX_ITEMS_PER_CARTON))
                  if (item := _item(raw_item, f"{pointer}/items/{index}", problems)) is not None)
    if not (sscc and po_number and items):
        return None
    return ReportedCarton(sscc, pallet_id, po_number, items, weight)


def _item(raw: Any, pointer: str, problems: list[Problem]) -> ReportedItem | None:
    value = JsonObject(raw, pointer, problems, ITEM_FIELDS, ITEM_FIELDS)
    if not value.ok:
        return None
    line_number = value.text("line_number", max_length=20)
    sku = value.text("sku", max_length=64)
    eaches = value.count("quantity", minimum=1)
    lot = value.text("lot_number", max_length=30, nullable=True)
    expiry = value.day("expiry_date", nullable=True)
    if not (line_number and sku and eaches):
        return None
    return ReportedItem(line_number, sku, eaches, lot, expiry)
