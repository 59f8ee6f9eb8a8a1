"""What a remittance line's reference means, and where an invoice's payment stands: tables."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gateway.finance.month_close import month_bounds
from gateway.finance.payments import PaidLine, PaymentStatus, payment_standing
from gateway.finance.references import LineKind, read_reference


@pytest.mark.parametrize(("reference", "kind", "invoice"), [
    ("INV-1001", LineKind.INVOICE, "INV-1001"),
    ("INV-1001SC", LineKind.SHORTAGE, "INV-1001"),
    ("INV-1001SCR", LineKind.SHORTAGE_REVERSAL, "INV-1001"),
    ("INV-1001SCRSC", LineKind.SHORTAGE_REVISED, "INV-1001"),
    ("INV-1001SCRSCR", LineKind.SHORTAGE_REVERSAL, "INV-1001"),  # the revision reversed
    ("INV-1001SCRSCRSC", LineKind.SHORTAGE_REVISED, "INV-1001"),
    ("INV123-SC", LineKind.SHORTAGE, "INV123"),  # some remittances write a hyphen
    ("4471203VCBSINV", LineKind.CHARGEBACK, None),
    ("IPAPUS1234567", LineKind.PRICE_PROTECTION, None),
    ("IPAPUS123456", LineKind.INVOICE, "IPAPUS123456"),  # 6 digits: not a price-protection note
    ("161017_PROVISION_FOR_RECEIVABLES", LineKind.PROVISION, None),
    ("161017-PROVISION FOR RECEIVABLES", LineKind.PROVISION, None),
    ("161017_PROVISION_FOR_RECEIVABLESR", LineKind.PROVISION_REVERSAL, None),
    ("AB12-34567890", LineKind.COOP, None),
    ("  INV-7 ", LineKind.INVOICE, "INV-7"),
])
def test_a_reference_says_what_the_line_is(reference, kind, invoice):
    read = read_reference(reference)
    assert (read.kind, read.invoice_number) == (kind, invoice)


TOTAL = Decimal("1250.00")


def line(amount: str, kind: LineKind = LineKind.INVOICE, trace: str = "T1", adjustments=()) -> PaidLine:
    return PaidLine(trace, date(2026, 12, 15), kind, "INV-1", Decimal(amount),
                    tuple((Decimal(a), code) for a, code in adjustments))


def test_no_line_is_unpaid():
    standing = payment_standing(TOTAL, [])
    assert (standing.status, standing.received, standing.payments) == (PaymentStatus.UNPAID, 0, ())


def test_paid_in_full():
    assert payment_standing(TOTAL, [line("1250.00")]).status is PaymentStatus.PAID


def test_short_paid_with_the_adjustment_that_explains_it():
    standing = payment_standing(TOTAL, [line("1200.00", adjustments=[("-50.00", "CS")])])
    assert (standing.status, standing.short_by) == (PaymentStatus.SHORT_PAID, Decimal("50.00"))
    [payment] = standing.payments
    [deduction] = payment.deductions
    assert (deduction.code, deduction.amount) == ("CS", Decimal("50.00")) and deduction.description == (
        "adjustment, reason code CS")


def test_an_adjustment_code_x12_names_is_said_in_words():
    standing = payment_standing(TOTAL, [line("1240.00", adjustments=[("-10.00", "06")])])
    assert standing.payments[0].deductions[0].description == "adjustment: quantity contested (X12 426 code 06)"


def test_a_shortage_claim_short_pays_and_its_reversal_cancels_it():
    claimed = payment_standing(TOTAL, [line("1250.00"), line("-30.00", LineKind.SHORTAGE, "T2")])
    assert (claimed.status, claimed.short_by) == (PaymentStatus.SHORT_PAID, Decimal("30.00"))
    assert [(d.code, d.amount) for p in claimed.payments for d in p.deductions] == [("SC", Decimal("30.00"))]
    assert "shortage claim" in claimed.payments[1].deductions[0].description
    reversed_ = payment_standing(TOTAL, [line("1250.00"), line("-30.00", LineKind.SHORTAGE, "T2"),
                                         line("30.00", LineKind.SHORTAGE_REVERSAL, "T3")])
    assert (reversed_.status, reversed_.short_by) == (PaymentStatus.PAID, Decimal(0))
    assert [(d.code, d.amount) for p in reversed_.payments for d in p.deductions] == [
        ("SC", Decimal("30.00")), ("SCR", Decimal("-30.00"))], "the reversal gives back what the claim took"


def test_over_paid_and_several_payments():
    standing = payment_standing(TOTAL, [line("1000.00", trace="T1"), line("300.00", trace="T2")])
    assert (standing.status, standing.short_by) == (PaymentStatus.OVER_PAID, Decimal("-50.00"))
    assert [(p.trace_number, p.amount) for p in standing.payments] == [("T1", Decimal("1000.00")),
                                                                       ("T2", Decimal("300.00"))]


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-01", "december", "1999-12"])
def test_a_month_is_written_yyyy_mm(month):
    with pytest.raises(ValueError):
        month_bounds(month)


def test_month_bounds():
    assert month_bounds("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert month_bounds("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
