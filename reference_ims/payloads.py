"""JSON in and out, shaped as docs/ims-api.yaml says.

Requests are checked field by field and every problem is reported with a JSON Pointer,
so the gateway's operators read exactly which value the IMS refused. Unknown fields are
refused too: a gateway drifting from the contract should fail loudly here, in tests,
rather than have a field silently ignored.
"""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from reference_ims.orders import LineChange, NewLine, NewOrder, OrderChange, SalesOrder, ShipWindow
from reference_ims.shipping import ShipOptions, Shipment, ShipmentRecord
from reference_ims.stock import DEFAULT_LOCATION, StockLevel, StockUpdate

ORDER_TYPES = ("NE", "RO", "NP", "CN")
PO_NUMBER = re.compile(r"[A-Za-z0-9]{1,22}")
MONEY = re.compile(r"[0-9]+(\.[0-9]+)?")
SCAC = re.compile(r"[A-Z]{2,4}")

_T = TypeVar("_T")


class InvalidPayload(ValueError):
    """The body breaks the contract; ``errors`` holds (JSON Pointer, detail) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{pointer or '/'}: {detail}" for pointer, detail in errors))


def canonical_json(body: Any) -> str:
    """One text per JSON value whatever its key order or spacing: how a retried create is recognised."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def is_po_number(value: str) -> bool:
    return PO_NUMBER.fullmatch(value) is not None


# --- requests -----------------------------------------------------------------------


class _Fields:
    """Reads the fields of one JSON object, collecting problems instead of stopping at the first."""

    def __init__(self, value: Any, pointer: str, errors: list[tuple[str, str]], known: tuple[str, ...]) -> None:
        self.pointer, self.errors = pointer, errors
        self.data = value if isinstance(value, dict) else {}
        if not isinstance(value, dict):
            self.fail("", "must be a JSON object")
        for name in self.data.keys() - set(known):
            self.fail(name, "is not a field of this object")

    def fail(self, name: str, detail: str) -> None:
        self.errors.append((f"{self.pointer}/{name}" if name else self.pointer, detail))

    def has(self, name: str) -> bool:
        return name in self.data

    def required(self, name: str) -> bool:
        """True when the field is there; records its absence otherwise."""
        if name not in self.data:
            self.fail(name, "is required")
        return name in self.data

    def raw(self, name: str) -> Any:
        if name not in self.data:
            self.fail(name, "is required")
        return self.data.get(name)

    def text(self, name: str, *, nullable: bool = False, max_length: int = 64) -> str | None:
        value = self.raw(name)
        if value is None and nullable and name in self.data:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > max_length:
            if name in self.data:
                self.fail(name, f"must be a non-empty string of at most {max_length} characters")
            return None
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        value = self.raw(name)
        if value not in choices:
            if name in self.data:
                self.fail(name, f"must be one of {', '.join(choices)}")
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.raw(name)
        if not isinstance(value, bool):
            if name in self.data:
                self.fail(name, "must be true or false")
            return None
        return value

    def count(self, name: str, minimum: int) -> int | None:
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            if name in self.data:
                self.fail(name, f"must be a whole number of at least {minimum}")
            return None
        return value

    def day(self, name: str, *, nullable: bool = False) -> date | None:
        value = self.raw(name)
        if value is None and nullable and name in self.data:
            return None
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        if name in self.data:
            self.fail(name, "must be a date YYYY-MM-DD")
        return None

    def money(self, name: str) -> Decimal | None:
        value = self.raw(name)
        if not isinstance(value, str) or MONEY.fullmatch(value) is None:
            if name in self.data:
                self.fail(name, 'must be a decimal string such as "12.50"')
            return None
        return Decimal(value)

    def array(self, name: str) -> list[Any]:
        value = self.raw(name)
        if not isinstance(value, list) or not value:
            if name in self.data:
                self.fail(name, "must be a non-empty array")
            return []
        return value


def _given(value: _T | None) -> _T:
    """A value read from a request that had no errors: every missing or bad one was reported."""
    assert value is not None, "a missing value was not reported as an error"
    return value


def _ship_window(value: Any, pointer: str, errors: list[tuple[str, str]]) -> ShipWindow | None:
    fields = _Fields(value, pointer, errors, ("not_before", "not_after"))
    not_before, not_after = fields.day("not_before"), fields.day("not_after")
    if not_before is None or not_after is None:
        return None
    if not_after < not_before:
        fields.fail("not_after", "is before not_before")
        return None
    return ShipWindow(not_before, not_after)


def _unique_line_numbers(lines: list[Any], errors: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for index, line in enumerate(lines):
        number = line.get("line_number") if isinstance(line, dict) else None
        if not isinstance(number, str):
            continue
        if number in seen:
            errors.append((f"/lines/{index}/line_number", f"line {number} appears twice"))
        seen.add(number)


def parse_new_order(body: Any, idempotency_key: str | None) -> NewOrder:
    """The create body, checked; the Idempotency-Key header must equal its po_number."""
    errors: list[tuple[str, str]] = []
    fields = _Fields(body, "", errors, (
        "po_number", "vendor_code", "order_type", "ship_to", "ship_window", "backorder_allowed", "lines"))
    po_number = fields.text("po_number", max_length=22)
    if po_number is not None and not is_po_number(po_number):
        fields.fail("po_number", "must be 1 to 22 letters and digits")
    if po_number is not None and idempotency_key != po_number:
        fields.fail("po_number", f"must equal the Idempotency-Key header ({idempotency_key or 'missing'})")
    vendor_code = fields.text("vendor_code", nullable=True)
    order_type = fields.choice("order_type", ORDER_TYPES)
    ship_to = fields.text("ship_to", max_length=16)
    ship_window = _ship_window(fields.data["ship_window"], "/ship_window", errors) if fields.required("ship_window") else None
    backorder_allowed = fields.boolean("backorder_allowed")
    raw_lines = fields.array("lines")
    lines = [_new_line(raw, f"/lines/{index}", errors) for index, raw in enumerate(raw_lines)]
    _unique_line_numbers(raw_lines, errors)
    if errors:
        raise InvalidPayload(errors)
    return NewOrder(_given(po_number), vendor_code, _given(order_type), _given(ship_to), _given(ship_window),
                    _given(backorder_allowed), tuple(_given(line) for line in lines))


def _new_line(raw: Any, pointer: str, errors: list[tuple[str, str]]) -> NewLine | None:
    """One line of a new order, or None when a value is missing or bad (reported in ``errors``)."""
    line = _Fields(raw, pointer, errors, ("line_number", "sku", "quantity", "unit_cost"))
    number, sku = line.text("line_number", max_length=20), line.text("sku")
    quantity, unit_cost = line.count("quantity", 1), line.money("unit_cost")
    if number is None or sku is None or quantity is None or unit_cost is None:
        return None
    return NewLine(number, sku, quantity, unit_cost)


def parse_order_change(body: Any) -> OrderChange:
    errors: list[tuple[str, str]] = []
    fields = _Fields(body, "", errors, ("ship_window", "lines"))
    if isinstance(body, dict) and not body:
        errors.append(("", "name at least one of ship_window and lines"))
    ship_window = _ship_window(fields.data["ship_window"], "/ship_window", errors) if fields.has("ship_window") else None
    raw_lines = fields.array("lines") if fields.has("lines") else []
    changes = [_line_change(raw, f"/lines/{index}", errors) for index, raw in enumerate(raw_lines)]
    _unique_line_numbers(raw_lines, errors)
    if errors:
        raise InvalidPayload(errors)
    return OrderChange(ship_window, tuple(_given(change) for change in changes))


def _line_change(raw: Any, pointer: str, errors: list[tuple[str, str]]) -> LineChange | None:
    """One line of an order change, or None when it is not usable (reported in ``errors``)."""
    line = _Fields(raw, pointer, errors, ("line_number", "quantity", "cancelled"))
    number = line.text("line_number", max_length=20)
    if line.has("quantity") == line.has("cancelled"):
        line.fail("", "give either quantity or cancelled: true")
        return None
    if line.has("cancelled"):
        if line.data["cancelled"] is not True:
            line.fail("cancelled", "can only be true")
        quantity, cancelled = None, True
    else:
        quantity, cancelled = line.count("quantity", 1), False
    return None if number is None else LineChange(number, quantity, cancelled)


def parse_stock_update(body: Any) -> StockUpdate:
    errors: list[tuple[str, str]] = []
    fields = _Fields(body, "", errors, ("on_hand", "reserved", "restock_date", "discontinued", "location", "case_pack"))
    on_hand, reserved = fields.count("on_hand", 0), fields.count("reserved", 0)
    restock_date = fields.day("restock_date", nullable=True) if fields.has("restock_date") else None
    discontinued = fields.boolean("discontinued") if fields.has("discontinued") else False
    location = fields.text("location", max_length=32) if fields.has("location") else DEFAULT_LOCATION
    case_pack = fields.count("case_pack", 1) if fields.has("case_pack") else 1
    if errors:
        raise InvalidPayload(errors)
    return StockUpdate(on_hand=_given(on_hand), reserved=_given(reserved), restock_date=restock_date,
                       discontinued=_given(discontinued), location=_given(location), case_pack=_given(case_pack))


def parse_ship_request(body: Any, defaults: ShipOptions) -> ShipOptions:
    """The optional body of the sandbox's ``POST /api/v1/sales-orders/{po_number}/shipments``.

    Every field falls back to ``defaults``; ``shipped_at`` must carry its offset, because
    Amazon's 30-minute clock for the 856 starts at that instant.
    """
    errors: list[tuple[str, str]] = []
    fields = _Fields(body, "", errors, ("ship_from", "carrier_scac", "pallets", "shipped_at"))
    ship_from = fields.text("ship_from", max_length=32) if fields.has("ship_from") else defaults.ship_from
    carrier_scac = fields.text("carrier_scac", max_length=4) if fields.has("carrier_scac") else defaults.carrier_scac
    if fields.has("carrier_scac") and carrier_scac is not None and SCAC.fullmatch(carrier_scac) is None:
        fields.fail("carrier_scac", "must be a Standard Carrier Alpha Code: 2 to 4 capital letters")
    pallets = fields.boolean("pallets") if fields.has("pallets") else defaults.pallets
    shipped_at = _instant(fields, "shipped_at") if fields.has("shipped_at") else defaults.shipped_at
    if errors:
        raise InvalidPayload(errors)
    return ShipOptions(ship_from=_given(ship_from), carrier_scac=_given(carrier_scac), pallets=_given(pallets),
                       shipped_at=_given(shipped_at))


def _instant(fields: _Fields, name: str) -> datetime | None:
    value = fields.raw(name)
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        fields.fail(name, "must be a date-time with its offset, e.g. 2026-12-02T14:30:00Z")
        return None
    return parsed.astimezone(UTC)


# --- responses ----------------------------------------------------------------------


def order_json(order: SalesOrder) -> dict[str, Any]:
    return {
        "po_number": order.po_number,
        "vendor_code": order.vendor_code,
        "order_type": order.order_type,
        "ship_to": order.ship_to,
        "ship_window": {
            "not_before": order.ship_window.not_before.isoformat(),
            "not_after": order.ship_window.not_after.isoformat(),
        },
        "backorder_allowed": order.backorder_allowed,
        "status": order.status,
        "revision": order.revision,
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
        "lines": [
            {
                "line_number": line.line_number,
                "sku": line.sku,
                "unit_cost": format(line.unit_cost, "f"),
                "ordered": line.ordered,
                "allocated": line.allocation.allocated,
                "backordered": line.allocation.backordered,
                "unavailable": line.allocation.unavailable,
                "backorder_ship_date": _iso(line.allocation.backorder_ship_date),
                "unavailable_reason": line.allocation.unavailable_reason,
                "status": line.allocation.status,
            }
            for line in order.lines
        ],
    }


def stock_json(level: StockLevel) -> dict[str, Any]:
    return {
        "sku": level.sku,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "allocated": level.allocated,
        "available": level.available,
        "discontinued": level.discontinued,
        "restock_date": _iso(level.restock_date),
        "locations": [
            {"location": place.location, "on_hand": place.on_hand, "reserved": place.reserved}
            for place in level.locations
        ],
    }


def shipment_json(shipment: Shipment) -> dict[str, Any]:
    """The ``Shipment`` body of docs/ims-api.yaml, exactly as it is posted to the gateway."""
    options = shipment.options
    return {
        "shipment_id": shipment.shipment_id,
        "ship_date": options.ship_date.isoformat(),
        "shipped_at": options.shipped_at.isoformat().replace("+00:00", "Z"),
        "estimated_delivery_date": options.estimated_delivery_date.isoformat(),
        "ship_from": options.ship_from,
        "ship_to": shipment.ship_to,
        "carrier_scac": options.carrier_scac,
        "bill_of_lading": shipment.bill_of_lading,
        "pro_number": shipment.pro_number,
        "carton_count": len(shipment.cartons),
        "pallet_count": len(shipment.pallets),
        "pallets": [{"pallet_id": pallet_id, "sscc": sscc} for pallet_id, sscc in shipment.pallets],
        "cartons": [
            {
                "sscc": carton.sscc,
                "pallet_id": carton.pallet_id,
                "po_number": shipment.po_number,
                "items": [{"line_number": carton.line_number, "sku": carton.sku, "quantity": carton.quantity,
                           "lot_number": None, "expiry_date": None}],
            }
            for carton in shipment.cartons
        ],
    }


def shipment_record_json(record: ShipmentRecord) -> dict[str, Any]:
    """A stored shipment with what the gateway answered to it (sandbox extension)."""
    answer: Any = record.gateway_answer
    if answer is not None:
        try:
            answer = json.loads(answer)
        except ValueError:
            pass  # not JSON: shown as the text it was
    return {
        "shipment_id": record.shipment_id,
        "created_at": record.created_at.isoformat(),
        "shipment": record.body,
        "gateway": {
            "state": record.state,
            "attempts": record.attempts,
            "status": record.gateway_status,
            "answer": answer,
            "answered_at": record.answered_at.isoformat() if record.answered_at else None,
        },
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
