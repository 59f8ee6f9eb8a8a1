"""Is an invoice right for Amazon? Every check before an 810 is sent, as one pure function.

Amazon rejects or short-pays an invoice whose quantity exceeds what it received, whose
cost differs from the acknowledged cost, whose number was used before or whose total is
zero (docs/amazon-vendor-rules.md, "810 invoice"). :func:`check_invoice` returns every
problem at once, each naming the line and PO; :func:`billed_lines` and
:func:`invoice_total` say what the 810 will bill, in the PO's units at the acknowledged
costs, the one arithmetic the checks, the 810 and the automatic invoices share.

Pure: the facts (the PO's lines with what shipped, was invoiced and acknowledged) are
looked up by the caller and handed in.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from gateway.invoicing.report import InvoiceReport, ReportedAdjustment
from gateway.platform.json_reading import Problem
from gateway.shipping.checks import quantity_in_unit

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class LineFacts:
    """A PO line as an invoice is checked against it; quantities and cost in the line's unit."""

    line_number: str
    sku: str | None
    unit: str  # EA or CA, as Amazon ordered
    pack_size: int | None  # eaches per case, for a CA line
    acknowledged_cost: Decimal | None  # what the last 855 stated, per ``unit``; None before an 855
    shipped: Decimal
    invoiced_elsewhere: Decimal  # by other invoices


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    po_number: str
    po_date: date
    currency: str  # the currency the partner invoices in (the PO's)
    cancelled: bool
    lines: Mapping[str, LineFacts]
    shipment_problem: str | None = None  # the named shipment is unknown or does not carry the PO


@dataclass(frozen=True, slots=True)
class BilledLine:
    """An IT1 as it will be sent: quantity in the PO line's unit at the acknowledged cost."""

    line_number: str
    quantity: Decimal
    unit: str
    unit_cost: Decimal


def check_invoice(report: InvoiceReport, facts: InvoiceFacts | None) -> list[Problem]:
    """Every problem with ``report`` for Amazon; an empty list means the 810 may be sent.

    ``facts`` None: the gateway has no such PO.
    """
    if facts is None:
        return [Problem("/po_number", f"PO {report.po_number} is not a purchase order the gateway has")]
    problems: list[Problem] = []
    po = f"PO {report.po_number}"
    if facts.cancelled:
        problems.append(Problem("/po_number", f"{po} is cancelled"))
    if report.invoice_date < facts.po_date:
        problems.append(Problem("/invoice_date", f"{report.invoice_date.isoformat()} is before the date of {po} "
                                                 f"({facts.po_date.isoformat()})"))
    if report.currency != facts.currency:
        problems.append(Problem("/currency", f"{report.currency} is not the currency of {po} ({facts.currency})"))
    if facts.shipment_problem is not None:
        problems.append(Problem("/shipment_id", facts.shipment_problem))
    seen: set[str] = set()
    for index, line in enumerate(report.lines):
        pointer, where = f"/lines/{index}", f"{po} line {line.line_number}"
        if line.line_number in seen:
            problems.append(Problem(f"{pointer}/line_number", f"{where} is billed twice in this invoice"))
            continue
        seen.add(line.line_number)
        known = facts.lines.get(line.line_number)
        if known is None:
            problems.append(Problem(f"{pointer}/line_number", f"{po} has no line {line.line_number}"))
            continue
        if known.sku != line.sku:
            problems.append(Problem(f"{pointer}/sku", f"{where} is SKU {known.sku}, not {line.sku}"))
        if known.acknowledged_cost is None:
            problems.append(Problem(pointer, f"{where} was never acknowledged (no 855 stated it), so nothing of it "
                                             "can be invoiced"))
            continue
        if line.unit_cost != known.acknowledged_cost:
            problems.append(Problem(f"{pointer}/unit_cost", f"{where}: {_money(line.unit_cost)} per {known.unit} is "
                                                            f"not the acknowledged {_money(known.acknowledged_cost)} "
                                                            f"per {known.unit}; Amazon holds payment for it"))
        if known.unit == "CA" and known.pack_size and line.eaches % known.pack_size:
            problems.append(Problem(f"{pointer}/quantity", f"{where} was ordered in cases of {known.pack_size}; "
                                                           f"{line.eaches} eaches is not whole cases"))
            continue
        quantity = quantity_in_unit(line.eaches, known.unit, known.pack_size)
        left = known.shipped - known.invoiced_elsewhere
        if quantity > left:
            problems.append(Problem(f"{pointer}/quantity", f"{where}: bills {_plain(quantity)} {known.unit}, but only "
                                                           f"{_plain(left)} {known.unit} shipped and is not invoiced "
                                                           f"(shipped {_plain(known.shipped)}, invoiced before "
                                                           f"{_plain(known.invoiced_elsewhere)})"))
    for index, adjustment in enumerate(report.adjustments):
        if adjustment.amount != adjustment.amount.quantize(CENT):
            problems.append(Problem(f"/allowances_and_charges/{index}/amount",
                                    f"{adjustment.amount} has more than 2 decimals"))
    if problems:
        return problems
    total = invoice_total(billed_lines(report, facts), report.adjustments)
    if report.total_amount != total:
        problems.append(Problem("/total_amount", f"{_money(report.total_amount)} is not the lines plus charges minus "
                                                 f"allowances, {_money(total)}"))
    elif total <= 0:
        problems.append(Problem("/total_amount", f"the total is {_money(total)}: Amazon rejects an invoice that is "
                                                 "not above zero"))
    return problems


def billed_lines(report: InvoiceReport, facts: InvoiceFacts) -> list[BilledLine]:
    """The report's lines as the 810 bills them (call once :func:`check_invoice` passed)."""
    billed = []
    for line in report.lines:
        known = facts.lines[line.line_number]
        assert known.acknowledged_cost is not None
        billed.append(BilledLine(line.line_number, quantity_in_unit(line.eaches, known.unit, known.pack_size), known.unit,
                                 known.acknowledged_cost))
    return billed


def line_amount(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """What a line bills: quantity x cost, rounded half up to the cent."""
    return (quantity * unit_cost).quantize(CENT, ROUND_HALF_UP)


def invoice_total(lines: Sequence[BilledLine], adjustments: Sequence[ReportedAdjustment]) -> Decimal:
    """Lines (quantity x cost, each rounded half up to the cent) + charges - allowances."""
    amount = sum((line_amount(line.quantity, line.unit_cost) for line in lines), Decimal(0))
    for adjustment in adjustments:
        amount += adjustment.amount if adjustment.kind == "charge" else -adjustment.amount
    return amount.quantize(CENT)


def _money(amount: Decimal) -> str:
    return format(amount.quantize(CENT) if amount == amount.quantize(CENT) else amount.normalize(), "f")


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
