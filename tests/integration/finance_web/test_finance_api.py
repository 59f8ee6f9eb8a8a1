"""The finance API over real HTTP on SQLite and PostgreSQL: remittances as JSON and CSV, the
invoices CSV and their payment-status filter, the month close as JSON and CSV, a PO's invoices
with their payment, and who may read each."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import httpx
import pytest

from gateway.access.tokens import create_token
from gateway.finance.read_model import CSV_COLUMNS
from gateway.invoicing.read_model import CSV_COLUMNS as INVOICE_COLUMNS
from gateway.platform.db import session_scope
from tests.integration.finance_web.books import NOVEMBER, OCTOBER, PO, keep_books
from tests.support.operations_pages import site  # noqa: F401  (a fixture)


@pytest.fixture
def tokens(site) -> dict[str, str]:  # noqa: F811
    with session_scope(site.settings) as session:
        return {role: create_token(session, role) for role in ("ims", "ops", "finance", "admin")}


@pytest.fixture
def books(site) -> None:  # noqa: F811
    keep_books(site.settings)


def get(site, path: str, token: str | None) -> httpx.Response:  # noqa: F811
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{site.url}{path}", headers=headers, timeout=60)


def rows(answer: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(answer.text)))


@pytest.mark.parametrize("path", ["/api/v1/remittances", "/api/v1/remittances.csv", "/api/v1/remittances/TRN-X",
                                  "/api/v1/invoices.csv", "/api/v1/finance/month-close",
                                  "/api/v1/finance/month-close.csv"])
def test_finance_ops_and_admin_read_and_no_one_else(site, tokens, path):  # noqa: F811
    assert get(site, path, None).status_code == 401
    assert get(site, path, "not-a-token").status_code == 401
    assert get(site, path, tokens["ims"]).status_code == 403
    for role in ("finance", "ops", "admin"):
        assert get(site, path, tokens[role]).status_code in (200, 404), role


def test_remittances_list_newest_first_with_their_lines_matched(site, tokens, books):  # noqa: F811
    answer = get(site, "/api/v1/remittances", tokens["finance"])
    assert answer.status_code == 200
    assert [r["trace_number"] for r in answer.json()["items"]] == [NOVEMBER, OCTOBER]
    november = get(site, f"/api/v1/remittances/{NOVEMBER}", tokens["ops"]).json()
    assert (november["payment_amount"], november["payment_date"], november["partner"]) == ("470.00", "2026-11-20",
                                                                                           "AMAZON")
    assert [(l["reference"], l["kind"], l["invoice_number"], l["matched_by"]) for l in november["lines"]] == [
        ("INV-F1", "invoice", "INV-F1", "invoice_number"), ("INV-F2", "invoice", "INV-F2", "invoice_number"),
        ("INV-F2SC", "shortage", "INV-F2", "invoice_number"), ("12345VCBSINV", "chargeback", None, None),
        ("INV-NOPE", "invoice", None, None)]
    assert november["lines"][1]["adjustments"] == [{"amount": "-5.00", "code": "CS"}]
    october = get(site, f"/api/v1/remittances/{OCTOBER}", tokens["finance"]).json()
    assert [(l["invoice_number"], l["matched_by"]) for l in october["lines"]] == [("INV-F0", "po_number")]

    since = get(site, "/api/v1/remittances?since=2026-11-01", tokens["finance"]).json()["items"]
    assert [r["trace_number"] for r in since] == [NOVEMBER]
    for bad in ("2026-13-01", "yesterday", "2026-1-1"):
        refused = get(site, f"/api/v1/remittances?since={bad}", tokens["finance"])
        assert refused.status_code == 400 and refused.json()["parameter"] == "since"
    missing = get(site, "/api/v1/remittances/TRN-NEVER", tokens["finance"])
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"


def test_remittances_csv_is_one_row_per_line(site, tokens, books):  # noqa: F811
    answer = get(site, "/api/v1/remittances.csv", tokens["finance"])
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="remittances.csv"'
    header, *body = rows(answer)
    assert tuple(header) == CSV_COLUMNS
    assert len(body) == 6
    second = dict(zip(header, body[1]))
    assert (second["trace_number"], second["reference"], second["invoice_number"], second["adjustments"]) == (
        NOVEMBER, "INV-F2", "INV-F2", "CS:-5.00")
    assert len(rows(get(site, "/api/v1/remittances.csv?since=2026-11-01", tokens["ops"]))) == 6


def test_invoices_filter_by_payment_status_and_as_csv(site, tokens, books):  # noqa: F811
    def numbers(query: str) -> list[str]:
        answer = get(site, f"/api/v1/invoices{query}", tokens["finance"])
        assert answer.status_code == 200, answer.text
        return [item["invoice_number"] for item in answer.json()["items"]]

    assert numbers("?status=paid") == ["INV-F1", "INV-F0"]
    assert numbers("?status=short_paid") == ["INV-F2"]
    assert numbers("?status=unpaid") == ["INV-F3"]
    assert numbers("?status=over_paid") == []
    assert get(site, "/api/v1/invoices?status=settled", tokens["finance"]).status_code == 400

    short = get(site, "/api/v1/invoices/INV-F2", tokens["ops"]).json()
    assert (short["status"], short["received_amount"]) == ("short_paid", "85.00")
    [payment] = short["payments"]
    assert (payment["trace_number"], payment["amount"]) == (NOVEMBER, "85.00")
    assert [(d["code"], d["amount"]) for d in payment["deductions"]] == [("CS", "5.00"), ("SC", "10.00")]

    answer = get(site, "/api/v1/invoices.csv", tokens["finance"])
    assert answer.status_code == 200 and answer.headers["Content-Disposition"] == 'attachment; filename="invoices.csv"'
    header, *body = rows(answer)
    assert tuple(header) == INVOICE_COLUMNS
    shown = {row[0]: dict(zip(header, row)) for row in body}
    assert set(shown) == {"INV-F0", "INV-F1", "INV-F2", "INV-F3"}
    assert shown["INV-F2"] == {"invoice_number": "INV-F2", "po_number": PO, "invoice_date": "2026-11-10",
                               "total_amount": "100.00", "currency": "USD", "status": "short_paid",
                               "received_amount": "85.00", "delivery": "delivered", "functional_ack": "A"}
    assert [row[0] for row in rows(get(site, "/api/v1/invoices.csv?status=unpaid", tokens["ops"]))[1:]] == ["INV-F3"]
    assert get(site, "/api/v1/invoices.csv?status=settled", tokens["ops"]).status_code == 400


def test_a_purchase_orders_invoices_say_where_their_payment_stands(site, tokens, books):  # noqa: F811
    po = get(site, f"/api/v1/purchase-orders/{PO}", tokens["ops"]).json()
    assert {(i["invoice_number"], i["status"], i["received_amount"]) for i in po["invoices"]} == {
        ("INV-F0", "paid", "200.00"), ("INV-F1", "paid", "370.00"), ("INV-F2", "short_paid", "85.00"),
        ("INV-F3", "unpaid", "0.00")}


def test_the_month_close_as_json_and_csv(site, tokens, books):  # noqa: F811
    answer = get(site, "/api/v1/finance/month-close?month=2026-11", tokens["finance"])
    assert answer.status_code == 200, answer.text
    figures = answer.json()
    assert figures["month"] == "2026-11"
    expected = {"invoiced_count": 3, "invoiced_amount": "520.00", "remittance_count": 1, "remitted_amount": "470.00",
                "paid_amount": "505.00", "deducted_shortage": "10.00", "deducted_chargeback": "25.00",
                "deducted_price_protection": 0, "deducted_coop": 0, "deducted_provision": 0,
                "deducted_adjustment": "5.00", "deducted_total": "40.00", "outstanding_count": 2,
                "outstanding_amount": "65.00", "unmatched_count": 1, "unmatched_amount": "40.00"}
    assert {name: Decimal(figures[name]) for name in expected} == {k: Decimal(v) for k, v in expected.items()}
    october = get(site, "/api/v1/finance/month-close?month=2026-10", tokens["ops"]).json()
    assert (october["invoiced_count"], Decimal(october["paid_amount"]), october["outstanding_count"]) == (
        "1", Decimal("200.00"), "0")
    assert get(site, "/api/v1/finance/month-close", tokens["ops"]).status_code == 200  # the current month

    sheet = get(site, "/api/v1/finance/month-close.csv?month=2026-11", tokens["finance"])
    assert sheet.status_code == 200
    assert sheet.headers["Content-Disposition"] == 'attachment; filename="month-close-2026-11.csv"'
    header, *body = rows(sheet)
    assert header == ["figure", "value"] and dict(body) == figures

    for bad in ("2026-13", "2026-1", "November", "1999-12", "2026-+1"):
        for path in ("/api/v1/finance/month-close", "/api/v1/finance/month-close.csv"):
            refused = get(site, f"{path}?month={bad}", tokens["finance"])
            assert refused.status_code == 400 and refused.json()["parameter"] == "month", (bad, path)
