"""Amazon 850 (X12 4010) -> ``PurchaseOrder``.

Reads the segments Amazon's retail 850 guide uses and ignores the rest (FOB, PKG, N9,
CTT...): whether a set is well-formed is the validator's question, this map only asks
what the order says. Segments are visited once and PO1 lines are built as they close,
so a 10,000-line order translates in one pass.

``purchase_order_json`` gives the same order as its canonical JSON without building the
documents, for ``edi-gateway x12 to-json``: a 200,000-line order is then written in
about half the time, most of it saved on frozen dataclasses made and then walked.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar, cast

from edi_maps.amazon.elements import (
    TranslationError,
    code,
    decimal_value,
    optional_whole_number,
    product_identifiers,
    required_text,
    transaction_set_header,
    x12_date,
)
from edi_maps.canonical_json import JsonValue, to_json_dict
from edi_maps.documents import (
    IdentifierQualifier,
    OrderType,
    ProductIdentifier,
    Purpose,
    PurchaseOrder,
    PurchaseOrderLine,
    UnitOfMeasure,
)
from edi_maps.x12.segment import Segment

DO_NOT_DELIVER_BEFORE = "064"
DO_NOT_DELIVER_AFTER = "063"

_UNITS = {unit.value: unit for unit in UnitOfMeasure}
_IDENTIFIER_QUALIFIERS = {qualifier.value: qualifier for qualifier in IdentifierQualifier}

Line = TypeVar("Line")


def purchase_order_from_segments(segments: Iterable[Segment]) -> PurchaseOrder:
    """Translate one 850 transaction set (ST..SE inclusive) into a ``PurchaseOrder``.

    Raises ``TranslationError`` when something the order cannot do without is missing
    or unreadable (BEG, the ship-to FC, the delivery window, a PO1's quantity, unit,
    cost or identifier). A missing REF*IA gives ``vendor_code=None``; a missing CSH
    means back orders are not allowed, the safe reading of Amazon's policy.
    """
    order, lines = _translate(segments, _line)
    return replace(order, lines=tuple(lines))


def purchase_order_json(segments: Iterable[Segment]) -> dict[str, JsonValue]:
    """``to_json_dict(purchase_order_from_segments(segments))``, the same faults raised
    the same way, but each line goes straight from its PO1 to its JSON."""
    order, lines = _translate(segments, _line_json)
    document = to_json_dict(order)
    # The order was made with no lines; the key keeps its place. (A list of dicts of JSON
    # is JSON; mypy cannot see it through list's invariance.)
    document["lines"] = cast(list[JsonValue], lines)
    return document


def _translate(segments: Iterable[Segment],
               line: Callable[[Segment, Segment | None], Line]) -> tuple[PurchaseOrder, list[Line]]:
    """The order with no lines, and its lines each made by ``line`` from its PO1 and PO4."""
    iterator = iter(segments)
    header = transaction_set_header(iterator, "850")
    beg = csh = ship_to = before = after = None
    vendor_code = None
    lines: list[Line] = []
    po1 = po4 = None
    for segment in iterator:
        tag = segment.elements[0]
        if tag == "PO1":
            if po1 is not None:
                lines.append(line(po1, po4))
            po1, po4 = segment, None
        elif tag == "PO4":
            if po1 is None:
                raise TranslationError("PO4 outside a PO1 loop", segment)
            po4 = segment
        elif po1 is not None:
            continue  # the rest of the detail area (PID, CTT, SE...) carries nothing we map
        elif tag == "BEG":
            beg = segment
        elif tag == "REF" and segment[1] == "IA":
            vendor_code = segment[2] or None
        elif tag == "CSH":
            csh = segment
        elif tag == "DTM":
            if segment[1] == DO_NOT_DELIVER_BEFORE:
                before = segment
            elif segment[1] == DO_NOT_DELIVER_AFTER:
                after = segment
        elif tag == "N1" and segment[1] == "ST":
            ship_to = segment
    if po1 is not None:
        lines.append(line(po1, po4))

    if beg is None:
        raise TranslationError("850 has no BEG segment", header)
    if ship_to is None:
        raise TranslationError("850 has no N1*ST ship-to", header)
    if before is None:
        raise TranslationError("850 has no DTM*064 do-not-deliver-before date", header)
    if after is None:
        raise TranslationError("850 has no DTM*063 do-not-deliver-after date", header)
    if not lines:
        raise TranslationError("850 has no PO1 line", header)
    order = PurchaseOrder(
        po_number=required_text(beg, 3, "PO number"),
        purpose=code(beg, 1, Purpose, "purpose"),
        order_type=code(beg, 2, OrderType, "order type"),
        order_date=x12_date(beg, 5, "order date"),
        vendor_code=vendor_code,
        do_not_deliver_before=x12_date(before, 2, "do-not-deliver-before date"),
        do_not_deliver_after=x12_date(after, 2, "do-not-deliver-after date"),
        ship_to=required_text(ship_to, 4, "ship-to fulfilment centre code"),
        backorder_allowed=csh is not None and _backorder_allowed(csh),
        lines=(),
    )
    return order, lines


def _backorder_allowed(csh: Segment) -> bool:
    policy = csh[1]
    if policy == "Y":
        return True
    if policy == "N":
        return False
    raise TranslationError(f"CSH01 back-order policy {policy!r} is not Y or N", csh)


def _line(po1: Segment, po4: Segment | None) -> PurchaseOrderLine:
    """One PO1 (with its PO4), elements checked in the order they appear.

    Amazon's usual line (one identifier pair, every element sound) is checked inline,
    without the helpers' calls (most of a large order's translation time); any other line,
    and any line with a fault, goes the long way, so a fault is reported exactly as there.
    """
    usual = _usual_line(po1)
    if usual is None:
        return _checked_line(po1, po4)
    quantity, unit_cost = usual
    elements = po1.elements
    return PurchaseOrderLine(
        line_number=elements[1],
        quantity=quantity,
        unit=_UNITS[elements[3]],
        unit_cost=unit_cost,
        identifier=ProductIdentifier(_IDENTIFIER_QUALIFIERS[elements[6]], elements[7]),
        pack_size=None if po4 is None else optional_whole_number(po4, 1, "pack size"),
    )


def _line_json(po1: Segment, po4: Segment | None) -> dict[str, JsonValue]:
    """``to_json_dict(_line(po1, po4))``: for the usual line, written from the elements
    (the unit and qualifier codes are their enums' values)."""
    usual = _usual_line(po1)
    if usual is None:
        return to_json_dict(_checked_line(po1, po4))
    quantity, unit_cost = usual
    elements = po1.elements
    return {
        "line_number": elements[1],
        "quantity": format(quantity, "f"),  # as canonical JSON writes a Decimal
        "unit": elements[3],
        "unit_cost": format(unit_cost, "f"),
        "identifier": {"qualifier": elements[6], "value": elements[7]},
        "other_identifiers": [],
        "pack_size": None if po4 is None else optional_whole_number(po4, 1, "pack size"),
    }


def _usual_line(po1: Segment) -> tuple[Decimal, Decimal] | None:
    """The quantity and unit cost of a PO1 in Amazon's usual shape with nothing wrong:
    8 elements, a line number, a unit and a qualifier we know, an identifier, a quantity
    above zero and a cost not below it. ``None`` for any other PO1, which the long way
    then checks; a quantity or cost that is not a number raises here, as it would there
    (the elements before it are sound)."""
    elements = po1.elements
    if (len(elements) == 8 and elements[1] and elements[7] and elements[3] in _UNITS
            and elements[6] in _IDENTIFIER_QUALIFIERS):
        quantity = decimal_value(po1, 2, "quantity")
        if quantity > 0:
            unit_cost = decimal_value(po1, 4, "unit cost")
            if unit_cost >= 0:
                return quantity, unit_cost
    return None


def _checked_line(po1: Segment, po4: Segment | None) -> PurchaseOrderLine:
    """Any PO1 the long way: each element checked in turn, the first fault raised."""
    line_number = required_text(po1, 1, "line number")
    quantity = decimal_value(po1, 2, "quantity")
    if quantity <= 0:
        raise TranslationError(f"PO102 quantity {po1[2]!r} must be greater than zero", po1)
    unit = code(po1, 3, UnitOfMeasure, "unit")
    unit_cost = decimal_value(po1, 4, "unit cost")
    if unit_cost < 0:
        raise TranslationError(f"PO104 unit cost {po1[4]!r} must not be negative", po1)
    identifiers = product_identifiers(po1, 6)
    if not identifiers:
        raise TranslationError("PO1 has no product identifier (PO106/PO107)", po1)
    return PurchaseOrderLine(
        line_number=line_number,
        quantity=quantity,
        unit=unit,
        unit_cost=unit_cost,
        identifier=identifiers[0],
        other_identifiers=identifiers[1:],
        pack_size=None if po4 is None else optional_whole_number(po4, 1, "pack size"),
    )
