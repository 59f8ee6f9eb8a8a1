"""InventoryAdvice (canonical) -> the body of an Amazon retail 846, in X12 004010.

Amazon plans what it orders from the vendor's 846: per product, how many eaches one
ship-from can ship now and, when it is out, when more is expected. Source followed:
Stedi's "Amazon Retail Inventory Inquiry/Advice" overview (X12 846, release 4010, based on
public documentation from Amazon; Amazon's own guide is given to each vendor, not
published), which shows BIA, DTM, N1, LIN and QTY. Element choices the overview does not
show follow the X12 004010 846. What this writes:

- heading: BIA01 00 (original), BIA02 the report type (the profile's
  ``inventory.report_type``, MM by default: check it against the guide Amazon gives the
  vendor), BIA03 the advice's reference (1-30 characters, 004010's element 127), BIA04
  and BIA05 the instant the quantities were computed, in UTC (CCYYMMDD, HHMM);
- the ship-from, only when the advice names a warehouse (``ship_from_code``): N1*SF with
  the warehouse's name (its code when the name is not known), N103 92 (assigned by buyer)
  and N104 the code, then N3/N4 when its address is known; N402 carries the state only for
  the US and Canada, as in the 004010 856 and 810 (004010 has no element for others'). An
  address without a code is not written: an IMS reporting one total has no ship-from;
- per item one LIN loop, in the order the 004010 846 puts its segments: LIN with LIN01
  empty and the product's identifier pairs from LIN02 (at most seven: one per qualifier
  the canonical ``IdentifierQualifier`` knows, though 004010 allows fifteen), DTM*018
  with the restock date when known (X12 element 374 code 018, "Available": the date more
  can be shipped), then QTY*33 with the quantity in eaches (element 673 code 33,
  "Quantity Available for Sale (stock quantity)"; QTY03 EA);
- summary: CTT with the number of LIN segments.

Refused with a ``ValueError`` naming the field: no items, a reference that is not 1-30
characters, a report type that is not 2 characters, a warehouse code that is not 2-80
characters (N104, element 67), an item with no identifier or more than seven, an
identifier value that is not 1-48 characters (element 234), a quantity that is not a
whole number of eaches >= 0 or longer than QTY02's 15 digits. The pure function takes no
clock: the same advice always gives the same body.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from edi_maps.amazon.ship_notice import N402_COUNTRIES
from edi_maps.documents import Address, InventoryAdvice, InventoryItem

PURPOSE_ORIGINAL = "00"  # BIA01 (X12 element 353)
SHIP_FROM = "SF"  # N101 (element 98)
ASSIGNED_BY_BUYER = "92"  # N103 (element 66): the warehouse code as Amazon knows it
AVAILABLE = "018"  # DTM01 (element 374): the date the product is available again
AVAILABLE_FOR_SALE = "33"  # QTY01 (element 673): quantity available for sale
EACH = "EA"  # QTY03-01 (element 355)

REFERENCE_LENGTH = (1, 30)  # BIA03, element 127 in 004010
REPORT_TYPE_LENGTH = 2  # BIA02, element 755
SHIP_FROM_CODE_LENGTH = (2, 80)  # N104, element 67
IDENTIFIER_LENGTH = (1, 48)  # LIN03 and every other product id, element 234
MAX_IDENTIFIERS = 7  # one per IdentifierQualifier
QUANTITY_DIGITS = 15  # QTY02, element 380


def inventory_advice_segments(advice: InventoryAdvice, report_type: str = "MM") -> list[Sequence[str]]:
    """The 846 body between ST and SE, in X12 004010; ``report_type`` is BIA02.

    Raises ``ValueError`` naming the field for an advice 004010 cannot carry (see the
    module docstring).
    """
    if not advice.items:
        raise ValueError(f"846 {advice.reference!r}: items is empty; an advice reports at least one product")
    _check_length("BIA03 reference", advice.reference, REFERENCE_LENGTH)
    if len(report_type) != REPORT_TYPE_LENGTH:
        raise ValueError(f"BIA02 report_type {report_type!r} is not {REPORT_TYPE_LENGTH} characters")
    as_of = _utc(advice.as_of)
    segments: list[Sequence[str]] = [
        ["BIA", PURPOSE_ORIGINAL, report_type, advice.reference, as_of.strftime("%Y%m%d"), as_of.strftime("%H%M")],
    ]
    if advice.ship_from_code is not None:
        segments += _ship_from(advice.ship_from_code, advice.ship_from)
    for number, item in enumerate(advice.items, start=1):
        segments.append(_lin(item, number))
        if item.restock_date is not None:
            segments.append(["DTM", AVAILABLE, item.restock_date.strftime("%Y%m%d")])
        segments.append(["QTY", AVAILABLE_FOR_SALE, _quantity(item, number), EACH])
    segments.append(["CTT", str(len(advice.items))])
    return segments


def _ship_from(code: str, address: Address | None) -> list[list[str]]:
    """N1*SF (name or code, 92, code), then N3/N4 when the address is known."""
    _check_length("N104 ship_from_code", code, SHIP_FROM_CODE_LENGTH)
    if address is None:
        return [["N1", SHIP_FROM, code, ASSIGNED_BY_BUYER, code]]
    n4 = ["N4", address.city, "", address.postal_code, address.country]
    if address.state and address.country in N402_COUNTRIES:
        n4[2] = address.state
    return [["N1", SHIP_FROM, address.name or code, ASSIGNED_BY_BUYER, code], ["N3", address.street], n4]


def _lin(item: InventoryItem, number: int) -> list[str]:
    """LIN with LIN01 empty and the item's identifier pairs."""
    if not item.identifiers or len(item.identifiers) > MAX_IDENTIFIERS:
        raise ValueError(f"item {number}: identifiers has {len(item.identifiers)} pairs; a LIN carries "
                         f"1 to {MAX_IDENTIFIERS}")
    lin = ["LIN", ""]
    for identifier in item.identifiers:
        _check_length(f"item {number}: LIN identifier {identifier.qualifier.value}", identifier.value,
                      IDENTIFIER_LENGTH)
        lin += [identifier.qualifier.value, identifier.value]
    return lin


def _quantity(item: InventoryItem, number: int) -> str:
    """QTY02: a whole number of eaches, 0 or more, at most 15 digits."""
    quantity = item.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise ValueError(f"item {number}: quantity {quantity!r} is not a whole number of eaches >= 0")
    text = str(quantity)
    if len(text) > QUANTITY_DIGITS:
        raise ValueError(f"item {number}: quantity {quantity} is longer than QTY02's {QUANTITY_DIGITS} digits")
    return text


def _check_length(what: str, value: str, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= len(value) <= high:
        raise ValueError(f"{what} {value!r} is not {low}-{high} characters")


def _utc(moment: datetime) -> datetime:
    """``as_of`` in UTC; a naive datetime is taken to be UTC already."""
    return moment if moment.tzinfo is None else moment.astimezone(timezone.utc)
