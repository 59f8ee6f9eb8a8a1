"""820 -> Remittance."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from edi_maps.amazon import TranslationError, remittance_from_segments
from edi_maps.documents import Adjustment, Remittance, RemittanceLine

from .conftest import amazon_sets, one_set


def test_remittance_sample_ties_payments_and_the_deduction_to_invoice_and_po() -> None:
    (transaction_set,) = amazon_sets("820-remittance.edi")

    remittance = remittance_from_segments(transaction_set.segments)

    assert remittance == Remittance(
        payment_amount=Decimal("2090.25"),
        payment_method="ACH",
        payment_date=date(2026, 12, 15),
        trace_number="AMZPAY0001",
        payer_name="AMAZON.COM",
        payee_name="ACME BRANDS LTD",
        payee_id="ACMEB",
        lines=(
            RemittanceLine(
                invoice_number="INV-1001",
                po_number="2XK7QP9M",
                amount_paid=Decimal("1200.00"),
                amount_invoiced=Decimal("1250.00"),
                discount_amount=None,
                invoice_date=date(2026, 12, 3),
                adjustments=(Adjustment(Decimal("-50.00"), "CS"),),
            ),
            RemittanceLine(
                invoice_number="INV-1002",
                po_number="3MZQ81RT",
                amount_paid=Decimal("890.25"),
                amount_invoiced=Decimal("890.25"),
                discount_amount=None,
                invoice_date=date(2026, 12, 4),
            ),
        ),
    )


def test_remittance_sample_reconciles() -> None:
    """The short payment equals the deduction and the lines add up to the payment: the
    numbers finance will check survive translation exactly."""
    remittance = remittance_from_segments(amazon_sets("820-remittance.edi")[0].segments)
    short_paid, paid = remittance.lines

    assert short_paid.amount_invoiced - short_paid.amount_paid == Decimal("50.00")
    assert sum(adjustment.amount for adjustment in short_paid.adjustments) == Decimal("-50.00")
    assert paid.amount_invoiced == paid.amount_paid
    assert sum(line.amount_paid for line in remittance.lines) == remittance.payment_amount


HEADER = ("BPR*C*10.00*C*ACH", "TRN*1*T1")


def test_optional_parts_missing() -> None:
    remittance = remittance_from_segments(one_set("RA", "820", *HEADER, "RMR*IV*INV-9*PO*10.00").segments)

    assert remittance.payment_date is None
    assert (remittance.payer_name, remittance.payee_name, remittance.payee_id) == (None, None, None)
    assert remittance.lines == (
        RemittanceLine("INV-9", None, Decimal("10.00"), None, None, None),
    )


@pytest.mark.parametrize(
    ("body", "segment_number", "message"),
    [
        (["TRN*1*T1"], 3, "820 has no BPR segment"),
        (["BPR*C*10.00*C*ACH"], 3, "820 has no TRN trace number"),
        ([*HEADER, "ADX*-5.00*CS"], 6, "ADX adjustment outside an RMR loop"),
        ([*HEADER, "RMR*CR*CM-1*PO*10.00"], 6, "RMR01 'CR' is not IV (invoice number)"),
        ([*HEADER, "RMR*IV*INV-9*PO*ten"], 6, "RMR04 amount paid 'ten' is not a decimal number"),
        ([*HEADER, "RMR*IV*INV-9*PO*10.00", "ADX*-5,00*CS"], 7, "ADX01 adjustment amount '-5,00' is not a decimal number"),
        ([*HEADER, "RMR*IV*INV-9*PO*10.00", "DTM*003*20261301"], 7, "DTM02 invoice date '20261301' is not a valid date (CCYYMMDD)"),
        (["BPR*C*10.00*C*ACH************2026121", "TRN*1*T1"], 4, "BPR16 payment date '2026121' is not a valid date (CCYYMMDD)"),
    ],
)
def test_translation_errors_name_the_segment(body: list[str], segment_number: int, message: str) -> None:
    with pytest.raises(TranslationError) as raised:
        remittance_from_segments(one_set("RA", "820", *body).segments)

    assert (raised.value.segment_number, raised.value.reason) == (segment_number, message)
