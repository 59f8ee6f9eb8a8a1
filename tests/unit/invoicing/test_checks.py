"""The invoice checks, one test per reason the gateway refuses an invoice (a 422 entry each)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gateway.invoicing.checks import BilledLine, InvoiceFacts, LineFacts, billed_lines, check_invoice, invoice_total
from gateway.invoicing.report import ReportedAdjustment, read_invoice
from gateway.platform.json_reading import Problem

PO = "2YQ8HK9P"


def example(**changes: Any) -> dict[str, Any]:
    """docs/ims-api.yaml's example invoice: 24 mugs at 12.50, 40 lamps at 7.25, a 10.00 allowance."""
    body: dict[str, Any] = {
        "invoice_number": "INV-2026-000123", "invoice_date": "2026-12-02", "po_number": PO,
        "shipment_id": "SHP-20261202-01", "currency": "USD",
        "lines": [{"line_number": "1", "sku": "ACME-MUG-01", "quantity": 24, "unit_cost": "12.50"},
                  {"line_number": "2", "sku": "ACME-LAMP-02", "quantity": 40, "unit_cost": "7.25"}],
        "allowances_and_charges": [{"kind": "allowance", "code": "C310", "amount": "10.00"}],
        "total_amount": "580.00",
    }
    body.update(changes)
    return body


def facts(**changes: Any) -> InvoiceFacts:
    lines = {"1": LineFacts("1", "ACME-MUG-01", "EA", None, Decimal("12.50"), Decimal(24), Decimal(0)),
             "2": LineFacts("2", "ACME-LAMP-02", "EA", None, Decimal("7.25"), Decimal(40), Decimal(0))}
    lines.update(changes.pop("lines", {}))
    return InvoiceFacts(po_number=PO, po_date=date(2026, 11, 28), currency="USD", cancelled=False, lines=lines,
                        **changes)


def problems_of(body: dict[str, Any], known: InvoiceFacts | None = None, *, no_po: bool = False) -> list[Problem]:
    report, problems = read_invoice(body)
    if report is None:
        return problems
    return check_invoice(report, None if no_po else known or facts())


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_the_contract_example_passes() -> None:
    assert problems_of(example()) == []


def test_every_shape_problem_is_listed_at_once() -> None:
    body = example(currency="usd", invoice_date="2026/12/02", surprise=1)
    body["lines"][0]["quantity"] = 0
    body["allowances_and_charges"][0]["kind"] = "discount"
    assert {p.pointer for p in problems_of(body)} == {"/currency", "/invoice_date", "/surprise",
                                                       "/lines/0/quantity", "/allowances_and_charges/0/kind"}


def test_a_po_the_gateway_does_not_have() -> None:
    assert only(problems_of(example(), no_po=True)).pointer == "/po_number"


def test_more_than_shipped_minus_invoiced_is_refused() -> None:
    known = facts(lines={"1": LineFacts("1", "ACME-MUG-01", "EA", None, Decimal("12.50"), Decimal(24), Decimal(12))})
    problem = only(problems_of(example(), known))
    assert problem.pointer == "/lines/0/quantity"
    assert problem.detail == (f"PO {PO} line 1: bills 24 EA, but only 12 EA shipped and is not invoiced "
                              "(shipped 24, invoiced before 12)")


def test_nothing_shipped_nothing_to_invoice() -> None:
    known = facts(lines={"2": LineFacts("2", "ACME-LAMP-02", "EA", None, Decimal("7.25"), Decimal(0), Decimal(0))})
    assert "only 0 EA shipped" in only(problems_of(example(), known)).detail


def test_a_cost_other_than_the_acknowledged_one_is_refused() -> None:
    body = example(total_amount="584.80")
    body["lines"][0]["unit_cost"] = "12.70"
    problem = only(problems_of(body))
    assert problem.pointer == "/lines/0/unit_cost"
    assert "12.70 per EA is not the acknowledged 12.50 per EA" in problem.detail


def test_a_case_line_is_billed_in_cases_at_the_case_cost() -> None:
    known = facts(lines={"1": LineFacts("1", "ACME-MUG-01", "CA", 12, Decimal("150.00"), Decimal(2), Decimal(0))})
    body = example(total_amount="580.00")
    body["lines"][0]["unit_cost"] = "150.00"
    assert problems_of(body, known) == []
    report, _ = read_invoice(body)
    assert report is not None
    assert billed_lines(report, known)[0] == BilledLine("1", Decimal(2), "CA", Decimal("150.00"))


def test_eaches_that_are_not_whole_cases_are_refused() -> None:
    known = facts(lines={"1": LineFacts("1", "ACME-MUG-01", "CA", 12, Decimal("150.00"), Decimal(2), Decimal(0))})
    body = example()
    body["lines"][0].update(quantity=18, unit_cost="150.00")
    assert "18 eaches is not whole cases" in only(problems_of(body, known)).detail


def test_a_line_never_acknowledged_cannot_be_invoiced() -> None:
    known = facts(lines={"2": LineFacts("2", "ACME-LAMP-02", "EA", None, None, Decimal(40), Decimal(0))})
    assert "never acknowledged" in only(problems_of(example(), known)).detail


def test_a_line_not_on_the_po_or_of_another_sku() -> None:
    body = example()
    body["lines"][1]["line_number"] = "9"
    assert only(problems_of(body)).pointer == "/lines/1/line_number"
    body = example()
    body["lines"][1]["sku"] = "ACME-MUG-01"
    assert only(problems_of(body)).pointer == "/lines/1/sku"


def test_a_line_billed_twice_is_refused() -> None:
    body = example()
    body["lines"].append(dict(body["lines"][0]))
    assert any(p.pointer == "/lines/2/line_number" and "billed twice" in p.detail for p in problems_of(body))


def test_an_invoice_dated_before_its_po() -> None:
    assert only(problems_of(example(invoice_date="2026-11-27"))).pointer == "/invoice_date"


def test_a_currency_other_than_the_pos() -> None:
    assert "is not the currency of PO" in only(problems_of(example(currency="EUR"))).detail


def test_the_total_must_be_lines_plus_charges_minus_allowances() -> None:
    problem = only(problems_of(example(total_amount="590.00")))
    assert problem == Problem("/total_amount", "590.00 is not the lines plus charges minus allowances, 580.00")


def test_a_total_of_zero_is_refused() -> None:
    body = example(allowances_and_charges=[{"kind": "allowance", "code": "C310", "amount": "590.00"}],
                   total_amount="0")
    assert "not above zero" in only(problems_of(body)).detail


def test_a_named_shipment_must_be_known_and_carry_the_po() -> None:
    problem = only(problems_of(example(), facts(shipment_problem="shipment SHP-9 does not carry PO 2YQ8HK9P")))
    assert problem.pointer == "/shipment_id"


def test_an_amount_with_more_than_cents_is_refused() -> None:
    body = example(allowances_and_charges=[{"kind": "charge", "code": "D240", "amount": "1.005"}])
    assert only(problems_of(body)).pointer == "/allowances_and_charges/0/amount"


@pytest.mark.parametrize(("quantity", "cost", "expected"), [
    (Decimal(3), Decimal("3.3333"), Decimal("10.00")), (Decimal(1), Decimal("0.005"), Decimal("0.01"))])
def test_each_line_rounds_half_up_to_the_cent(quantity: Decimal, cost: Decimal, expected: Decimal) -> None:
    assert invoice_total([BilledLine("1", quantity, "EA", cost)], ()) == expected


def test_charges_add_and_allowances_subtract() -> None:
    lines = [BilledLine("1", Decimal(2), "CA", Decimal("40.00"))]
    adjustments = (ReportedAdjustment("charge", "D240", Decimal("15.00")),
                   ReportedAdjustment("allowance", "C310", Decimal("5.00")))
    assert invoice_total(lines, adjustments) == Decimal("90.00")
