"""Invoice (canonical) -> the body of an Amazon retail 810, in X12 004010.

Amazon pays against the 810: its payee system matches each invoice with the PO (BIG04)
and what was received, line by line, and an invoice whose lines, costs or total do not
add up is held. Source followed: Stedi's "Amazon Retail Invoice" guide (X12 810, release
4010, "based on public documentation from Amazon"; Amazon's own guide is given to each
vendor, not published), of which only the overview could be read when this was written:
heading ST, BIG, CUR, the N1 loops (named Remit To and Bill To in the copies read), ITD
(required, once); detail IT1; summary TDS (required), TXI, the SAC loop, CTT (required).
Element choices the overview does not show follow the X12 004010 810. What this writes:

- heading: BIG (invoice date, invoice number, PO date, PO number), CUR*SE with the
  currency, the parties, and one ITD (terms);
- parties: N1*RI remit-to (where Amazon pays, with N3/N4); N1*SF ship-from with its
  address when known; N1*ST**92 the fulfilment centre when known;
- detail: one IT1 per billed PO line, echoing PO101 and the identifier Amazon ordered
  with, the quantity in the PO line's unit and the cost per that unit (per case for CA);
- summary: TDS (the total in cents), one SAC per allowance or charge (the 004010 810
  puts the invoice-level SAC loop after TDS), then CTT with the number of IT1 segments.

Two REFs the overview does not show are written because the canonical invoice carries
them and the 004010 810 heading has REF: REF*IA (the vendor code Amazon ordered under)
and REF*BM (the bill of lading of the shipment billed), each only when known. The guide
has no heading DTM, so no DTM*011 (ship date) is written. ITD: ITD01 08 (basic discount
offered) with ITD03 percent and ITD05 days when the terms carry a discount (X12 requires
ITD05 with ITD03), 05 (discount not applicable) otherwise; ITD02 3 (from the invoice
date); ITD07 the net days.

Amounts are exact: TDS01 and SAC05 are X12 ``N2`` (implied two decimals, written as
cents), so an amount with a fraction of a cent is refused, never rounded; the invoice's
``total_amount`` must equal lines + charges - allowances (X12: TDS01 is the total
"including charges and less allowances"). The pure function takes no clock: the same
invoice always gives the same body.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from edi_maps.amazon.elements import number_text
from edi_maps.amazon.ship_notice import N402_COUNTRIES
from edi_maps.documents import Address, AllowanceOrChargeKind, Invoice, PaymentTerms

TERMS_DISCOUNT_OFFERED = "08"  # ITD01 (X12 element 336): basic discount offered
TERMS_NO_DISCOUNT = "05"  # ITD01: discount not applicable
TERMS_FROM_INVOICE_DATE = "3"  # ITD02 (X12 element 333): the terms run from the invoice date
REF02_MAX_LENGTH = 30  # X12 004010 element 127

_CENT = Decimal("0.01")


def invoice_segments(invoice: Invoice) -> list[Sequence[str]]:
    """The 810 body between ST and SE, in X12 004010.

    Raises ``ValueError`` for an amount with a fraction of a cent (TDS, SAC), a total that
    is not lines + charges - allowances, a discount percent without discount days (X12
    ITD rule L03040513), or a reference longer than 004010's REF02 allows.
    """
    segments: list[Sequence[str]] = [
        ["BIG", invoice.invoice_date.strftime("%Y%m%d"), invoice.invoice_number,
         invoice.po_date.strftime("%Y%m%d"), invoice.po_number],
        ["CUR", "SE", invoice.currency],
    ]
    if invoice.vendor_code:
        segments.append(_ref("IA", invoice.vendor_code))
    if invoice.bill_of_lading:
        segments.append(_ref("BM", invoice.bill_of_lading))
    segments += _party("RI", invoice.remit_to)
    if invoice.ship_from is not None:
        segments += _party("SF", invoice.ship_from)
    if invoice.ship_to:
        segments.append(["N1", "ST", "", "92", invoice.ship_to])
    segments.append(_itd(invoice.terms))
    for line in invoice.lines:
        segments.append(["IT1", line.line_number, number_text(line.quantity), line.unit.value,
                         number_text(line.unit_cost), "", line.identifier.qualifier.value, line.identifier.value])
    segments.append(["TDS", _cents(_checked_total(invoice), "TDS01 total")])
    for entry in invoice.allowances_and_charges:
        segments.append(["SAC", entry.kind.value, entry.code, "", "",
                         _cents(entry.amount, f"SAC05 amount of {entry.kind.name.lower()} {entry.code}")])
    segments.append(["CTT", str(len(invoice.lines))])
    return segments


def invoice_total(invoice: Invoice) -> Decimal:
    """Lines (quantity x unit cost) + charges - allowances: what TDS01 must say."""
    total = sum((line.quantity * line.unit_cost for line in invoice.lines), Decimal(0))
    for entry in invoice.allowances_and_charges:
        total += entry.amount if entry.kind is AllowanceOrChargeKind.CHARGE else -entry.amount
    return total


def _checked_total(invoice: Invoice) -> Decimal:
    computed = invoice_total(invoice)
    if computed != invoice.total_amount:
        raise ValueError(f"invoice {invoice.invoice_number}: total_amount {invoice.total_amount} is not "
                         f"lines + charges - allowances = {computed}")
    return computed


def _cents(amount: Decimal, what: str) -> str:
    """An X12 N2 amount: whole cents, no decimal point; a fraction of a cent is refused."""
    if amount != amount.quantize(_CENT):
        raise ValueError(f"{what} {amount} has more than 2 decimals: an X12 N2 amount is whole cents")
    return str(int(amount.scaleb(2)))


def _itd(terms: PaymentTerms) -> list[str]:
    """ITD: 08 with the discount percent (ITD03) and days (ITD05) when offered, else 05;
    ITD02 3 (from the invoice date) and ITD07 the net days."""
    if terms.discount_percent is None:
        return ["ITD", TERMS_NO_DISCOUNT, TERMS_FROM_INVOICE_DATE, "", "", "", "", str(terms.net_days)]
    if terms.discount_days is None:
        raise ValueError("ITD: a discount percent needs discount days (ITD05)")
    return ["ITD", TERMS_DISCOUNT_OFFERED, TERMS_FROM_INVOICE_DATE, number_text(terms.discount_percent), "",
            str(terms.discount_days), "", str(terms.net_days)]


def _party(code: str, address: Address) -> list[list[str]]:
    """N1 name, N3 street, N4 city/state/postal code/country; as in the 004010 856, the
    state is written (N402) only for the US and Canada, 004010 having no element for others."""
    n4 = ["N4", address.city, "", address.postal_code, address.country]
    if address.state and address.country in N402_COUNTRIES:
        n4[2] = address.state
    return [["N1", code, address.name], ["N3", address.street], n4]


def _ref(qualifier: str, value: str) -> list[str]:
    if len(value) > REF02_MAX_LENGTH:
        raise ValueError(f"REF*{qualifier} value {value!r} is longer than the {REF02_MAX_LENGTH} characters "
                         "REF02 allows in X12 004010")
    return ["REF", qualifier, value]
