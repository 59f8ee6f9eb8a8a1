"""The finance pages over real HTTP with signed-in people: the remittances and their CSV, one
remittance's lines with the invoice each matched and how, the month close with its month
picker and CSV, an invoice's payments with each deduction in words, the invoices by payment
status and a PO's invoices with theirs; on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io

import pytest

from gateway.finance.read_model import CSV_COLUMNS
from tests.integration.finance_web.books import NOVEMBER, OCTOBER, PO, keep_books
from tests.integration.web.test_purchase_order_pages import table
from tests.support.operations_pages import not_found_page, site  # noqa: F401  (a fixture)


@pytest.fixture
def books(site) -> None:  # noqa: F811
    keep_books(site.settings)


@pytest.mark.parametrize("role", ["finance", "ops", "admin"])
def test_every_role_reads_the_remittances_from_the_nav(site, books, role):  # noqa: F811
    with site.sign_in(role) as client:
        home = client.get("/").text
        assert '<a href="/remittances" >Remittances</a>' in home
        assert home.index(">Invoices</a>") < home.index(">Remittances</a>") < home.index(">Inventory</a>")
        page = client.get("/remittances")
    assert page.status_code == 200 and 'aria-current="page">Remittances</a>' in page.text
    assert table(page.text, "remittances") == [[NOVEMBER, "2026-11-20", "470.00", "5", "1"],
                                               [OCTOBER, "2026-10-05", "200.00", "1", "0"]]
    assert f'href="/remittances/{NOVEMBER}"' in page.text
    assert 'href="/remittances.csv">Download CSV</a>' in page.text


def test_the_remittances_csv_is_one_row_per_line(site, books):  # noqa: F811
    with site.sign_in("finance") as client:
        answer = client.get("/remittances.csv")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="remittances.csv"'
    header, *body = csv.reader(io.StringIO(answer.text))
    assert tuple(header) == CSV_COLUMNS and len(body) == 6


def test_a_remittance_shows_each_line_its_kind_and_how_it_matched(site, books):  # noqa: F811
    with site.sign_in("finance") as client:
        page = client.get(f"/remittances/{NOVEMBER}")
        assert page.status_code == 200
        lines = table(page.text, "remittance-lines")
        assert lines == [
            ["INV-F1", "payment of the invoice", PO, "370.00", "370.00", "INV-F1", "by invoice number", "none"],
            ["INV-F2", "payment of the invoice", PO, "95.00", "100.00", "INV-F2", "by invoice number", "CS -5.00"],
            ["INV-F2SC", "shortage claim: Amazon received fewer units than invoiced", "", "-10.00", "", "INV-F2",
             "by the invoice number before its shortage suffix", "none"],
            ["12345VCBSINV", "chargeback debit note (compliance fee)", "", "-25.00", "", "none",
             "on the account, not on an invoice", "none"],
            ["INV-NOPE", "payment of the invoice", "", "40.00", "40.00", "none",
             "unmatched: no invoice of ours by number, shortage suffix or PO (an unreconciled payment)", "none"]]
        assert 'href="/invoices/INV-F2"' in page.text and f'href="/purchase-orders/{PO}"' in page.text
        assert '<dd id="remittance-unmatched">1</dd>' in page.text
        october = table(client.get(f"/remittances/{OCTOBER}").text, "remittance-lines")
        assert october[0][5:7] == ["INV-F0", "by its PO number"]
        not_found_page(client, "/remittances/TRN-NEVER")


def test_the_month_close_page_has_the_figures_in_words_a_month_picker_and_its_csv(site, books):  # noqa: F811
    with site.sign_in("ops") as client:
        page = client.get("/finance/month-close", params={"month": "2026-11"})
        assert page.status_code == 200
        figures = dict(table(page.text, "month-close"))
        assert figures["Invoiced"] == "520.00" and figures["Invoices dated in the month"] == "3"
        assert figures["Deducted: shortage claims, net of their reversals"] == "10.00"
        assert figures["Deducted: chargebacks (compliance fees)"] == "25.00"
        assert figures["Deducted: ADX adjustments on invoice payments"] == "5.00"
        assert figures["Deducted in all"] == "40.00"
        assert figures["Still owed at the month's end"] == "65.00"
        assert figures["Lines matched to no invoice"] == "1"
        assert '<form class="filters" method="get" action="/finance/month-close">' in page.text
        assert 'name="month" type="month" value="2026-11"' in page.text
        assert 'href="/finance/month-close.csv?month=2026-11">Download CSV</a>' in page.text
        sheet = client.get("/finance/month-close.csv?month=2026-11")
        assert sheet.headers["Content-Disposition"] == 'attachment; filename="month-close-2026-11.csv"'
        assert ["deducted_shortage", "10.00"] in list(csv.reader(io.StringIO(sheet.text)))
        assert client.get("/finance/month-close").status_code == 200  # the current month
        for bad in ("2026-13", "last month"):
            refused = client.get("/finance/month-close", params={"month": bad})
            assert refused.status_code == 400 and "is not a month" in refused.text
            assert client.get("/finance/month-close.csv", params={"month": bad}).status_code == 400


def test_an_invoice_shows_its_payments_and_each_deduction_in_words(site, books):  # noqa: F811
    with site.sign_in("finance") as client:
        page = client.get("/invoices/INV-F2").text
        assert '<dd id="invoice-payment">short-paid</dd>' in page
        assert "Received 85.00 of 100.00 USD: short by 15.00." in page
        assert table(page, "payments") == [[
            NOVEMBER, "2026-11-20", "85.00",
            "CS 5.00: adjustment, reason code CS; "
            "SC 10.00: shortage claim: Amazon received fewer units than invoiced"]]
        unpaid = client.get("/invoices/INV-F3").text
        assert table(unpaid, "payments") == [["No remittance has paid this invoice yet."]]


def test_the_invoices_are_filtered_by_payment_status_and_a_pos_invoices_show_theirs(site, books):  # noqa: F811
    with site.sign_in("finance") as client:
        def listed(status: str) -> list[str]:
            page = client.get("/invoices", params={"status": status})
            assert page.status_code == 200
            return [row[0] for row in table(page.text, "invoices")]

        assert listed("short_paid") == ["INV-F2"]
        assert listed("unpaid") == ["INV-F3"]
        assert listed("paid") == ["INV-F1", "INV-F0"]
        assert listed("over_paid") == ["No invoice (over-paid)."]
        assert '<option value="short_paid" selected>short-paid</option>' in client.get(
            "/invoices", params={"status": "short_paid"}).text
        assert client.get("/invoices", params={"status": "settled"}).status_code == 400
        po = client.get(f"/purchase-orders/{PO}").text
        assert {row[0]: row[5] for row in table(po, "invoices")} == {
            "INV-F0": "paid", "INV-F1": "paid", "INV-F2": "short-paid", "INV-F3": "unpaid: no remittance yet"}
