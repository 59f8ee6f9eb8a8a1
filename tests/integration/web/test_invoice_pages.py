"""The invoice pages over real HTTP: the list with where each 810 stands and Amazon's 997 in
words, its filters, one invoice with its lines, allowances, total, its 810, the shipment it
bills and its history, and the PO page listing its invoices and what each line invoiced; on
SQLite and PostgreSQL."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.integration.web.test_purchase_order_pages import table
from tests.support.invoices import stored_invoice
from tests.support.operations_pages import not_found_page, site  # noqa: F401  (a fixture)

WHEN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
UNPAID = "unpaid: no remittance yet"


def test_the_list_says_where_each_810_stands_newest_first_and_filters(site):
    now = datetime.now(timezone.utc)
    stored_invoice(site.settings, "INV-0001", "5INVA01", serial=1, created_at=now - timedelta(hours=1))
    stored_invoice(site.settings, "INV-0002", "5INVB02", serial=11, source="automatic", delivered=False,
                   functional_ack=None, created_at=now)
    with site.sign_in("finance") as client:
        page = client.get("/invoices")
        assert page.status_code == 200
        newest, older = table(page.text, "invoices")
        assert newest == ["INV-0002", "5INVB02", "2026-11-30", "370.00 USD", "automatic",
                          "retrying after attempt 2: HTTP 503", "waiting", UNPAID]
        assert older[:5] == ["INV-0001", "5INVA01", "2026-11-30", "370.00 USD", "IMS"]
        assert re.fullmatch("delivered " + WHEN.pattern, older[5]) and older[6:] == ["accepted", UNPAID]
        assert 'href="/invoices/INV-0001"' in page.text and 'href="/purchase-orders/5INVA01"' in page.text
        assert 'aria-current="page">Invoices</a>' in page.text

        def numbers(**params):
            return [row[0] for row in table(client.get("/invoices", params=params).text, "invoices")]

        assert numbers(po_number="5INVA01") == ["INV-0001"]
        assert numbers(delivery="retrying") == ["INV-0002"]
        assert numbers(delivery="delivered") == ["INV-0001"]
        assert numbers(delivery="delivered", po_number="5INVB02") == ["No invoice of PO 5INVB02 whose 810 is delivered."]
        assert numbers(delivery="failed") == ["No invoice whose 810 is failed."]
        for params in ({"po_number": "not a PO!"}, {"delivery": "lost"}):
            refused = client.get("/invoices", params=params)
            assert refused.status_code == 400 and "<h1>" in refused.text
        assert "pending, retrying, delivered, failed" in client.get("/invoices", params={"delivery": "lost"}).text


@pytest.mark.parametrize("role", ["ops", "admin"])
def test_ops_and_admin_read_the_invoices_too(site, role):
    stored_invoice(site.settings, "INV-0010", "5INVR10", serial=21)
    with site.sign_in(role) as client:
        assert [row[0] for row in table(client.get("/invoices").text, "invoices")] == ["INV-0010"]
        assert client.get("/invoices/INV-0010").status_code == 200


def test_the_invoice_page_shows_its_lines_its_total_its_810_and_its_history(site):
    seeded = stored_invoice(site.settings, "INV-0003", "5INVC03", serial=31)
    html = site.read("finance", "/invoices/INV-0003")
    assert "<h1>Invoice INV-0003</h1>" in html
    assert '<dd id="invoice-total">370.00 USD</dd>' in html
    assert f'<dd id="invoice-payment">{UNPAID}</dd>' in html
    assert 'href="/purchase-orders/5INVC03"' in html
    assert '<dd id="invoice-shipment"><a href="/shipments/SHIP-5INVC03">SHIP-5INVC03</a></dd>' in html
    assert table(html, "invoice-lines") == [["1", "ACME-MUG-01", "24 EA", "12.50", "300.00"],
                                            ["2", "ACME-LAMP-02", "2 CA", "60.00", "120.00"]]
    assert table(html, "adjustments") == [["allowance", "C310", "-50.00"], ["Total", "370.00 USD"]]
    assert re.search(r'id="invoice-delivery" class="delivery-delivered">delivered ' + WHEN.pattern, html)
    assert '<dd id="invoice-997" class="state-accepted">accepted</dd>' in html
    assert f'href="/messages/{seeded.message_id}">message {seeded.message_id}</a>' in html
    [event] = table(html, "history")
    assert event[1:] == ["api:ims", "Invoice received from the IMS (PO 5INVC03, total 370.00); 810 written"]


def test_an_unknown_invoice_is_a_404_page(site):
    with site.sign_in("finance") as client:
        for path, shown in (("/invoices/INV-9999", "INV-9999"), ("/invoices/not%20an%20id", "not an id")):
            assert f"<p>No invoice {shown} reached the gateway.</p>" in not_found_page(client, path)


def test_the_po_page_lists_its_invoices_and_what_each_line_invoiced(site):
    stored_invoice(site.settings, "INV-0005", "5INVE05", serial=41, delivered=False, functional_ack=None)
    with site.sign_in("ops") as client:
        page = client.get("/purchase-orders/5INVE05")
    assert page.status_code == 200
    assert table(page.text, "invoices") == [["INV-0005", "2026-11-30", "370.00 USD",
                                             "retrying after attempt 2: HTTP 503", "waiting",
                                             "unpaid: no remittance yet"]]
    assert 'href="/invoices/INV-0005"' in page.text
    assert [row[8:] for row in table(page.text, "lines")] == [["24 EA", "24 EA"], ["2 CA", "2 CA"]]
    assert "810 invoice INV-0005 written (total 370.00 USD)" in page.text
