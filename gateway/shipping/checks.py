"""Is a shipment right for Amazon? Every check before an 856 is sent, as one pure function.

Each rule is one Amazon charges for (../shared rules in docs/amazon-vendor-rules.md):
an SSCC that is malformed or reused within 365 days, more shipped than was accepted,
eaches shipped against a line ordered in cases, an item not on its PO, a ship-to that is
not the PO's, a BOL that is missing, a date or used before, a ship date outside the past
7 days or the next 2. :func:`check_shipment` returns every problem at once, each naming
the carton or line and the SSCC or PO it is about, so the IMS fixes them in one go.
:func:`replacement_refusal` says why a changed shipment cannot replace the one sent.

Pure: the facts (the POs' lines, the SSCCs and BOLs already used, the warehouses, the
time) are looked up by the caller and handed in.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from gateway.platform.json_reading import Problem
from gateway.shipping.report import ShipmentReport
from gateway.shipping.sscc import check_sscc, sscc_reused

PAST_DAYS, AHEAD_DAYS = 7, 2  # Amazon: the ship date lies within the past 7 days or up to 2 days ahead
REPLACEMENT_DAYS = 7  # a replacement ASN is accepted within 7 days of the original
# A BOL that reads as a date (Amazon refuses those): 2026-12-02, 20261202, 12/02/2026, 02.12.26...
DATE_LIKE = re.compile(r"(\d{4}[-/.]?\d{2}[-/.]?\d{2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})")


@dataclass(frozen=True, slots=True)
class LineFacts:
    """A PO line as the shipment is checked against it; quantities in the line's unit."""

    line_number: str
    sku: str | None
    unit: str  # EA or CA, as Amazon ordered
    pack_size: int | None  # eaches per case, for a CA line
    accepted: Decimal  # what the latest 855 accepted
    shipped_elsewhere: Decimal  # already shipped by other shipments
    perishable: bool = False


@dataclass(frozen=True, slots=True)
class OrderFacts:
    po_number: str
    ship_to: str | None
    acknowledged: bool  # an 855 was sent: without one nothing is accepted
    cancelled: bool
    lines: Mapping[str, LineFacts]


@dataclass(frozen=True, slots=True)
class ShipmentFacts:
    now: datetime
    warehouses: frozenset[str]
    orders: Mapping[str, OrderFacts]  # by PO number: the shipment's POs the gateway knows
    sscc_last_used: Mapping[str, date] = field(default_factory=dict)  # by other shipments
    bill_of_lading_used_by: str | None = None  # another shipment with the same BOL


def check_shipment(report: ShipmentReport, facts: ShipmentFacts) -> list[Problem]:
    """Every problem with ``report`` for Amazon; an empty list means the 856 may be sent."""
    problems: list[Problem] = []
    problems += _header(report, facts)
    problems += _containers(report, facts)
    problems += _quantities(report, facts)
    return problems


def replacement_refusal(report: ShipmentReport, previous: ShipmentReport, previous_shipped_at: datetime,
                        now: datetime) -> str | None:
    """Why ``report`` cannot replace the shipment already sent, or None when it may.

    Amazon takes a replacement ASN only before the goods arrive, within 7 days, and only
    with quantities lowered: a higher quantity or a line not shipped before is a new shipment.
    """
    arrival = previous.estimated_delivery_date
    if arrival is not None and now.date() >= arrival:
        return (f"shipment {report.shipment_id} was due to arrive on {arrival.isoformat()}: "
                "Amazon takes a replacement ASN only before arrival")
    if now - previous_shipped_at > timedelta(days=REPLACEMENT_DAYS):
        return (f"shipment {report.shipment_id} left on {previous_shipped_at:%Y-%m-%d}, more than {REPLACEMENT_DAYS} "
                "days ago: Amazon takes a replacement ASN only within 7 days")
    before, after = _eaches_by_line(previous), _eaches_by_line(report)
    for (po_number, line_number), eaches in sorted(after.items()):
        shipped = before.get((po_number, line_number))
        if shipped is None:
            return (f"PO {po_number} line {line_number} was not in shipment {report.shipment_id}: a replacement "
                    "may only lower quantities; send a new shipment for it")
        if eaches > shipped:
            return (f"PO {po_number} line {line_number}: {eaches} eaches where shipment {report.shipment_id} had "
                    f"{shipped}; a replacement may only lower quantities")
    return None


def quantity_in_unit(eaches: int, unit: str, pack_size: int | None) -> Decimal:
    """Eaches as the PO line's unit counts them: cases for a CA line (possibly a fraction, which checks refuse)."""
    if unit == "CA" and pack_size:
        return Decimal(eaches) / Decimal(pack_size)
    return Decimal(eaches)


def _header(report: ShipmentReport, facts: ShipmentFacts) -> list[Problem]:
    problems = []
    if report.ship_from not in facts.warehouses:
        problems.append(Problem("/ship_from", f"warehouse {report.ship_from!r} is not known to the gateway: add it with "
                                              f"`edi-gateway warehouses add {report.ship_from} ...`"))
    today = facts.now.date()
    if not today - timedelta(days=PAST_DAYS) <= report.ship_date <= today + timedelta(days=AHEAD_DAYS):
        problems.append(Problem("/ship_date", f"{report.ship_date.isoformat()} is not within the past {PAST_DAYS} days "
                                              f"or the next {AHEAD_DAYS} (today is {today.isoformat()})"))
    if report.shipped_at is not None and abs(report.shipped_at.date() - report.ship_date) > timedelta(days=1):
        problems.append(Problem("/shipped_at", f"{report.shipped_at:%Y-%m-%dT%H:%MZ} is not on the ship date "
                                               f"{report.ship_date.isoformat()}"))
    if report.estimated_delivery_date is not None and report.estimated_delivery_date < report.ship_date:
        problems.append(Problem("/estimated_delivery_date", f"{report.estimated_delivery_date.isoformat()} is before "
                                                            f"the ship date {report.ship_date.isoformat()}"))
    bol = report.bill_of_lading
    if len(bol) < 2:
        problems.append(Problem("/bill_of_lading", f"{bol!r} is one character: Amazon refuses such a bill of lading"))
    elif DATE_LIKE.fullmatch(bol):
        problems.append(Problem("/bill_of_lading", f"{bol!r} is a date, not a bill of lading number"))
    if facts.bill_of_lading_used_by is not None:
        problems.append(Problem("/bill_of_lading", f"{bol} is already the bill of lading of shipment "
                                                   f"{facts.bill_of_lading_used_by}: each shipment has its own"))
    if report.pallets and not report.pro_number:
        problems.append(Problem("/pro_number", "a truck load (pallets) needs the carrier's PRO number"))
    if report.carton_count is not None and report.carton_count != len(report.cartons):
        problems.append(Problem("/carton_count", f"says {report.carton_count} cartons, the shipment lists "
                                                 f"{len(report.cartons)}"))
    if report.pallet_count is not None and report.pallet_count != len(report.pallets):
        problems.append(Problem("/pallet_count", f"says {report.pallet_count} pallets, the shipment lists "
                                                 f"{len(report.pallets)}"))
    return problems


def _containers(report: ShipmentReport, facts: ShipmentFacts) -> list[Problem]:
    """SSCCs (valid, once in the shipment, not reused in 365 days), pallets, and each carton's PO."""
    problems = []
    first_seen: dict[str, str] = {}

    def sscc_problems(sscc: str, pointer: str, what: str) -> None:
        wrong = check_sscc(sscc)
        if wrong is not None:
            problems.append(Problem(pointer, f"{what}: SSCC {sscc} is not valid: {wrong}"))
            return
        if sscc in first_seen:
            problems.append(Problem(pointer, f"{what}: SSCC {sscc} is also {first_seen[sscc]}; each label has its own"))
            return
        first_seen[sscc] = what
        used_on = sscc_reused(sscc, facts.sscc_last_used, facts.now.date())
        if used_on is not None:
            problems.append(Problem(pointer, f"{what}: SSCC {sscc} was shipped on {used_on.isoformat()}; Amazon "
                                             "forbids reusing an SSCC within 365 days"))

    pallet_ids: dict[str, int] = {}
    for index, pallet in enumerate(report.pallets):
        what = f"pallet {pallet.pallet_id}"
        if pallet.pallet_id in pallet_ids:
            problems.append(Problem(f"/pallets/{index}/pallet_id", f"{what} is listed twice"))
        pallet_ids.setdefault(pallet.pallet_id, index)
        if pallet.sscc is not None:
            sscc_problems(pallet.sscc, f"/pallets/{index}/sscc", what)
    loaded = {carton.pallet_id for carton in report.cartons}
    for pallet_id, index in pallet_ids.items():
        if pallet_id not in loaded:
            problems.append(Problem(f"/pallets/{index}", f"pallet {pallet_id} carries no carton"))
    for index, carton in enumerate(report.cartons):
        what = f"carton {index + 1} (SSCC {carton.sscc})"
        sscc_problems(carton.sscc, f"/cartons/{index}/sscc", f"carton {index + 1}")
        if carton.pallet_id is not None and carton.pallet_id not in pallet_ids:
            problems.append(Problem(f"/cartons/{index}/pallet_id", f"{what}: pallet {carton.pallet_id} is not in the "
                                                                   "shipment's pallets"))
        order = facts.orders.get(carton.po_number)
        pointer = f"/cartons/{index}/po_number"
        if order is None:
            problems.append(Problem(pointer, f"{what}: PO {carton.po_number} is not a purchase order the gateway has"))
            continue
        if order.cancelled:
            problems.append(Problem(pointer, f"{what}: PO {carton.po_number} is cancelled"))
        elif not order.acknowledged:
            problems.append(Problem(pointer, f"{what}: PO {carton.po_number} has no 855 yet, so nothing of it is "
                                             "accepted to ship"))
        if order.ship_to != report.ship_to:
            problems.append(Problem(pointer, f"{what}: PO {carton.po_number} ships to {order.ship_to}, the shipment "
                                             f"to {report.ship_to}: one shipment goes to one fulfilment centre"))
        for item_index, item in enumerate(carton.items):
            line = order.lines.get(item.line_number)
            item_pointer = f"/cartons/{index}/items/{item_index}"
            if line is None:
                problems.append(Problem(f"{item_pointer}/line_number", f"{what}: PO {carton.po_number} has no line "
                                                                       f"{item.line_number}"))
                continue
            if line.sku != item.sku:
                problems.append(Problem(f"{item_pointer}/sku", f"{what}: PO {carton.po_number} line {item.line_number} "
                                                               f"is SKU {line.sku}, not {item.sku}"))
            if line.unit == "CA" and line.pack_size and item.eaches % line.pack_size:
                problems.append(Problem(f"{item_pointer}/quantity", f"{what}: PO {carton.po_number} line "
                                        f"{item.line_number} was ordered in cases of {line.pack_size}; {item.eaches} "
                                        "eaches is not whole cases, and the 856 must state whole cases"))
            if line.perishable and (item.lot_number is None or item.expiry_date is None):
                problems.append(Problem(item_pointer, f"{what}: {item.sku} is perishable: give its lot_number and "
                                                      "expiry_date"))
            if item.expiry_date is not None and item.expiry_date <= report.ship_date:
                problems.append(Problem(f"{item_pointer}/expiry_date", f"{what}: {item.sku} expires "
                                                                       f"{item.expiry_date.isoformat()}, by the ship date"))
    return problems


def _quantities(report: ShipmentReport, facts: ShipmentFacts) -> list[Problem]:
    """Per PO line, over the whole shipment: never above accepted minus already shipped, in the line's unit."""
    problems = []
    first_carton: dict[tuple[str, str], int] = {}
    for index, carton in enumerate(report.cartons):
        for item in carton.items:
            first_carton.setdefault((carton.po_number, item.line_number), index)
    for (po_number, line_number), eaches in sorted(_eaches_by_line(report).items()):
        order = facts.orders.get(po_number)
        line = order.lines.get(line_number) if order else None
        if order is None or line is None or not order.acknowledged or order.cancelled:
            continue  # already a problem of its carton
        pointer = f"/cartons/{first_carton[(po_number, line_number)]}"
        where = f"PO {po_number} line {line_number} ({line.sku})"
        quantity = quantity_in_unit(eaches, line.unit, line.pack_size)
        left = line.accepted - line.shipped_elsewhere
        if quantity > left:
            problems.append(Problem(pointer, f"{where}: ships {_plain(quantity)} {line.unit}, but only {_plain(left)} "
                                             f"{line.unit} is left to ship (accepted {_plain(line.accepted)}, shipped "
                                             f"before {_plain(line.shipped_elsewhere)})"))
    return problems


def _eaches_by_line(report: ShipmentReport) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for carton in report.cartons:
        for item in carton.items:
            totals[(carton.po_number, item.line_number)] += item.eaches
    return dict(totals)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
