"""The 810 body from a canonical Invoice: checked segment by segment, by our 810 map and by
validators nobody here wrote, and as a property over random invoices."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from edi_maps.amazon.invoice import invoice_segments, invoice_total
from edi_maps.documents import (
    Address,
    AllowanceOrCharge,
    AllowanceOrChargeKind,
    IdentifierQualifier,
    Invoice,
    InvoiceLine,
    PaymentTerms,
    ProductIdentifier,
    UnitOfMeasure,
)
from edi_maps.validation import validate_interchange
from edi_maps.x12.writer import Delimiters, Envelope, FunctionalGroup, TransactionSet, write_interchange
from tests.support.independent_x12 import independent_errors

EA, CA = UnitOfMeasure.EACH, UnitOfMeasure.CASE
ALLOWANCE, CHARGE = AllowanceOrChargeKind.ALLOWANCE, AllowanceOrChargeKind.CHARGE
REMIT_TO = Address("Acme Brands Inc", "PO Box 4410", "Seattle", "WA", "98101", "US")
RENO = Address("Acme Brands", "1200 Commerce Way", "Reno", "NV", "89502", "US")


def line(number, value, quantity, cost, unit=EA, qualifier="UP"):
    return InvoiceLine(number, ProductIdentifier(IdentifierQualifier(qualifier), value), Decimal(quantity), unit,
                       Decimal(cost))


def invoice(*lines, extras=(), terms=PaymentTerms(60), **changes):
    base = Invoice(
        invoice_number="INV-2611300001", invoice_date=date(2026, 12, 1), po_number="2XK7QP9M",
        po_date=date(2026, 11, 20), vendor_code="ACMEB", currency="USD", remit_to=REMIT_TO, ship_from=RENO,
        ship_to="RNO1", terms=terms, shipment_id="SHP20261130A", bill_of_lading="BOL778812", lines=tuple(lines),
        allowances_and_charges=tuple(extras), total_amount=Decimal(0))
    base = replace(base, **changes)
    return base if "total_amount" in changes else replace(base, total_amount=invoice_total(base))


HEADER = [
    ["BIG", "20261201", "INV-2611300001", "20261120", "2XK7QP9M"],
    ["CUR", "SE", "USD"],
    ["REF", "IA", "ACMEB"],
    ["REF", "BM", "BOL778812"],
    ["N1", "RI", "Acme Brands Inc"],
    ["N3", "PO Box 4410"],
    ["N4", "Seattle", "WA", "98101", "US"],
    ["N1", "SF", "Acme Brands"],
    ["N3", "1200 Commerce Way"],
    ["N4", "Reno", "NV", "89502", "US"],
    ["N1", "ST", "", "92", "RNO1"],
]
NET_60 = ["ITD", "05", "3", "", "", "", "", "60"]

# Two lines in eaches: 12 x 4.25 + 6 x 10.99 = 51.00 + 65.94 = 116.94.
EACHES = invoice(line("1", "012345678905", 12, "4.25"), line("2", "B07XJ8C8F5", 6, "10.99", qualifier="BP"))
# Ordered in cases: 3 cases at the per-case cost (12 eaches at 4.25 = 51.00 a case).
CASES = invoice(line("1", "012345678905", 3, "51.00", unit=CA))
# Freight charged, a promotional allowance taken: 116.94 + 25.50 - 10.00 = 132.44.
WITH_EXTRAS = replace(EACHES, allowances_and_charges=(AllowanceOrCharge(CHARGE, "D240", Decimal("25.50")),
                                                      AllowanceOrCharge(ALLOWANCE, "C310", Decimal("10.00"))),
                      total_amount=Decimal("132.44"))
DISCOUNTED = replace(EACHES, terms=PaymentTerms(60, Decimal("2"), 10))
BARE = replace(CASES, vendor_code=None, bill_of_lading=None, shipment_id=None, ship_from=None, ship_to=None)


def interchange(segments, delimiters=None):
    """The body in a whole 004010 interchange of ours to Amazon (GS01 IN)."""
    return write_interchange(
        Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON", version="00401"), 1,
        [FunctionalGroup("IN", "ACMEBRANDS", "AMAZON", 1, "004010", [TransactionSet("810", "0001", segments)])],
        delimiters=delimiters or Delimiters(repetition="U"), when=datetime(2026, 12, 1, 9, 0))


def test_an_invoice_in_eaches():
    assert invoice_segments(EACHES) == [
        *HEADER,
        NET_60,
        ["IT1", "1", "12", "EA", "4.25", "", "UP", "012345678905"],
        ["IT1", "2", "6", "EA", "10.99", "", "BP", "B07XJ8C8F5"],
        ["TDS", "11694"],
        ["CTT", "2"],
    ]


def test_a_line_in_cases_is_billed_in_cases_at_the_case_cost():
    assert invoice_segments(CASES) == [
        *HEADER,
        NET_60,
        ["IT1", "1", "3", "CA", "51", "", "UP", "012345678905"],
        ["TDS", "15300"],
        ["CTT", "1"],
    ]


def test_charges_and_allowances_are_sacs_after_the_total_that_includes_them():
    assert invoice_segments(WITH_EXTRAS) == [
        *HEADER,
        NET_60,
        ["IT1", "1", "12", "EA", "4.25", "", "UP", "012345678905"],
        ["IT1", "2", "6", "EA", "10.99", "", "BP", "B07XJ8C8F5"],
        ["TDS", "13244"],
        ["SAC", "C", "D240", "", "", "2550"],
        ["SAC", "A", "C310", "", "", "1000"],
        ["CTT", "2"],
    ]


def test_terms_with_a_discount_are_itd_08_with_percent_and_days():
    assert invoice_segments(DISCOUNTED)[len(HEADER)] == ["ITD", "08", "3", "2", "", "10", "", "60"]
    fractional = replace(EACHES, terms=PaymentTerms(45, Decimal("1.50"), 15))
    assert invoice_segments(fractional)[len(HEADER)] == ["ITD", "08", "3", "1.5", "", "15", "", "45"]


def test_terms_without_a_discount_are_itd_05_with_the_net_days():
    assert invoice_segments(replace(EACHES, terms=PaymentTerms(30)))[len(HEADER)] == \
        ["ITD", "05", "3", "", "", "", "", "30"]


def test_a_discount_percent_without_days_is_refused():
    with pytest.raises(ValueError, match="discount percent needs discount days"):
        invoice_segments(replace(EACHES, terms=PaymentTerms(60, Decimal("2"))))


def test_parties_and_references_not_known_are_left_out():
    assert invoice_segments(BARE) == [
        ["BIG", "20261201", "INV-2611300001", "20261120", "2XK7QP9M"],
        ["CUR", "SE", "USD"],
        ["N1", "RI", "Acme Brands Inc"],
        ["N3", "PO Box 4410"],
        ["N4", "Seattle", "WA", "98101", "US"],
        NET_60,
        ["IT1", "1", "3", "CA", "51", "", "UP", "012345678905"],
        ["TDS", "15300"],
        ["CTT", "1"],
    ]


def test_a_remit_to_outside_the_us_and_canada_has_no_n402():
    leeds = replace(BARE, remit_to=Address("Acme UK", "1 Wharf St", "Leeds", "WYK", "LS1 4AP", "GB"))
    assert invoice_segments(leeds)[4] == ["N4", "Leeds", "", "LS1 4AP", "GB"]


@pytest.mark.parametrize("amount", ["10.005", "0.001"])
def test_a_sac_amount_with_a_fraction_of_a_cent_is_refused(amount):
    extra = replace(EACHES, allowances_and_charges=(AllowanceOrCharge(CHARGE, "D240", Decimal(amount)),))
    extra = replace(extra, total_amount=invoice_total(extra))
    with pytest.raises(ValueError, match="more than 2 decimals"):
        invoice_segments(extra)


def test_a_total_with_a_fraction_of_a_cent_is_refused():
    # 3 x 0.3333 = 0.9999: an exact line extension TDS cannot carry.
    odd = invoice(line("1", "012345678905", 3, "0.3333"))
    with pytest.raises(ValueError, match="TDS01 total 0.9999 has more than 2 decimals"):
        invoice_segments(odd)


def test_a_total_that_is_not_lines_plus_charges_less_allowances_is_refused():
    with pytest.raises(ValueError, match="total_amount 116.95 is not lines \\+ charges - allowances = 116.94"):
        invoice_segments(replace(EACHES, total_amount=Decimal("116.95")))


def test_trailing_zeros_of_an_exact_amount_are_fine():
    exact = replace(EACHES, allowances_and_charges=(AllowanceOrCharge(ALLOWANCE, "C310", Decimal("1.000")),))
    exact = replace(exact, total_amount=invoice_total(exact))
    assert invoice_segments(exact)[-3:] == [["TDS", "11594"], ["SAC", "A", "C310", "", "", "100"], ["CTT", "2"]]


INVOICES = [EACHES, CASES, WITH_EXTRAS, DISCOUNTED, BARE]
IDS = ["eaches", "cases", "allowances-and-charges", "discount", "no-optional-parties"]


@pytest.mark.parametrize("document", INVOICES, ids=IDS)
def test_every_invoice_passes_our_810_map(document):
    report = validate_interchange(interchange(invoice_segments(document)))
    assert report.is_valid, report.messages()


@pytest.mark.parametrize("document", INVOICES, ids=IDS)
def test_validators_nobody_here_wrote_agree(document):
    """Bots' 810004010 grammar and x12-doctor's 810 checks pass what our map passes."""
    assert independent_errors(interchange(invoice_segments(document)).encode()) == []


def test_an_810_without_big_is_caught_by_our_map_and_the_independent_validators():
    headless = invoice_segments(EACHES)[1:]
    report = validate_interchange(interchange(headless))
    assert any("(BIG) missing" in message for message in report.messages()), report.messages()
    errors = independent_errors(interchange(headless).encode())
    assert any(error.startswith("bots:") for error in errors), errors
    assert any("x12-doctor B06" in error for error in errors), errors


def test_an_it1_with_a_quantity_that_is_not_a_number_is_caught():
    segments = invoice_segments(EACHES)
    at = segments.index(["IT1", "1", "12", "EA", "4.25", "", "UP", "012345678905"])
    segments[at] = ["IT1", "1", "12X", "EA", "4.25", "", "UP", "012345678905"]
    report = validate_interchange(interchange(segments))
    assert not report.is_valid
    assert any("IT102" in message for message in report.messages()), report.messages()
    errors = independent_errors(interchange(segments).encode())
    assert any(error.startswith("bots:") for error in errors), errors


def test_a_total_that_ignores_the_charges_is_caught_by_x12_doctor_only_without_sacs():
    """x12-doctor's TDS check stands for an 810 without SAC, where TDS01 is the lines alone."""
    segments = invoice_segments(EACHES)
    segments[segments.index(["TDS", "11694"])] = ["TDS", "11695"]
    assert any("x12-doctor B04" in error for error in independent_errors(interchange(segments).encode()))


# --- property: any invoice of 1-6 lines and 0-4 allowances or charges ------------------

@st.composite
def invoices(draw):
    lines = [line(str(number), draw(st.sampled_from(["012345678905", "5012345678900"])),
                  draw(st.integers(1, 500)), draw(st.decimals("0.01", "999.99", places=2)),
                  unit=draw(st.sampled_from([EA, CA])))
             for number in range(1, draw(st.integers(1, 6)) + 1)]
    extras = [AllowanceOrCharge(draw(st.sampled_from([ALLOWANCE, CHARGE])), draw(st.sampled_from(["C310", "D240"])),
                                draw(st.decimals("0.01", "500", places=2)))
              for _ in range(draw(st.integers(0, 4)))]
    terms = draw(st.sampled_from([PaymentTerms(60), PaymentTerms(30, Decimal("2"), 10),
                                  PaymentTerms(90, Decimal("0.5"), 20)]))
    document = invoice(*lines, extras=extras, terms=terms, ship_from=draw(st.none() | st.just(RENO)),
                       vendor_code=draw(st.none() | st.just("ACMEB")))
    assume(document.total_amount > 0)
    return document


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=invoices())
def test_any_invoice_totals_and_counts_right_and_validates(document):
    segments = invoice_segments(document)
    it1s = [segment for segment in segments if segment[0] == "IT1"]
    lines = sum((Decimal(it1[2]) * Decimal(it1[4]) for it1 in it1s), Decimal(0))
    sacs = [segment for segment in segments if segment[0] == "SAC"]
    extras = sum((Decimal(sac[5]) / 100 * (1 if sac[1] == "C" else -1) for sac in sacs), Decimal(0))
    expected = sum((entry.quantity * entry.unit_cost for entry in document.lines), Decimal(0)) + sum(
        (entry.amount if entry.kind is CHARGE else -entry.amount for entry in document.allowances_and_charges),
        Decimal(0))
    tds = next(segment for segment in segments if segment[0] == "TDS")
    assert Decimal(tds[1]) == expected * 100 == (lines + extras) * 100
    assert segments[-1] == ["CTT", str(len(it1s))] and len(it1s) == len(document.lines)
    assert independent_errors(interchange(segments).encode()) == []
    report = validate_interchange(interchange(segments))
    assert report.is_valid, report.messages()
