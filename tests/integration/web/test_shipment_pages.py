"""The shipment pages over real HTTP: the list with where each 856 stands in words, one
shipment with its SSCCs, its 856 and Amazon's 997 in words, its labels for the roles that
print them, and the PO page listing its shipments and what each line shipped; on SQLite and
PostgreSQL."""
from __future__ import annotations

import re

from tests.integration.web.test_purchase_order_pages import table
from tests.support.operations_pages import not_found_page, site  # noqa: F401  (a fixture)
from tests.support.shipments import WAREHOUSE_NAME, stored_shipment

WHEN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")


def test_the_list_says_where_each_856_stands_newest_first_and_filters_by_po(site):
    stored_shipment(site.settings, "SHIP-0001", "5SHIPA01", serial=1)
    stored_shipment(site.settings, "SHIP-0002", "5SHIPB02", serial=11, delivered=False, functional_ack=None)
    with site.sign_in("finance") as client:
        page = client.get("/shipments")
        assert page.status_code == 200
        newest, older = table(page.text, "shipments")
        assert newest[:2] == ["SHIP-0002", "856 delivery retrying"]
        assert newest[3:] == ["RNO1", "5SHIPB02", "3 / 1", "retrying after attempt 2: HTTP 503", "waiting"]
        assert older[:2] == ["SHIP-0001", "856 accepted by Amazon"]
        assert WHEN.fullmatch(older[2]) and older[6] == f"delivered {older[2]}" and older[7] == "accepted"
        assert 'href="/shipments/SHIP-0001"' in page.text and 'href="/purchase-orders/5SHIPA01"' in page.text
        assert 'aria-current="page">Shipments</a>' in page.text

        only = client.get("/shipments", params={"po_number": "5SHIPA01"})
        assert [row[0] for row in table(only.text, "shipments")] == ["SHIP-0001"]
        assert table(client.get("/shipments?po_number=9NONE999").text, "shipments") == [
            ["No shipment carries PO 9NONE999."]]
        assert client.get("/shipments", params={"po_number": "not a PO!"}).status_code == 400


def test_the_shipment_page_shows_its_856_its_cartons_and_its_history(site):
    seeded = stored_shipment(site.settings, "SHIP-0003", "5SHIPC03")
    html = site.read("ops", "/shipments/SHIP-0003")
    assert "<h1>Shipment SHIP-0003</h1>" in html
    assert '<dd id="shipment-status">856 accepted by Amazon</dd>' in html
    assert re.search(r'id="asn-delivery" class="delivery-delivered">delivered ' + WHEN.pattern, html)
    assert '<dd id="asn-997" class="state-accepted">accepted</dd>' in html
    assert f'href="/messages/{seeded.message_id}"' in html
    assert WAREHOUSE_NAME in html and "1 Logistics Way, Reno NV 89502 US (RNO-DC1)" in html
    for text in ("UPSN", "BOL-SHIP-0003", "PRO-SHIP-0003"):
        assert text in html
    assert 'href="/shipments/SHIP-0003/labels.pdf">Print labels (PDF)</a>' in html
    assert 'href="/shipments/SHIP-0003/labels.zpl">ZPL for Zebra printers</a>' in html
    assert table(html, "pallets") == [["P1", seeded.ssccs[3]]]
    assert table(html, "cartons") == [
        [seeded.ssccs[0], "P1", "5SHIPC03", "1", "ACME-MUG-01", "12", "12 EA", "LOT-A7", "2027-06-30"],
        [seeded.ssccs[1], "P1", "5SHIPC03", "1", "ACME-MUG-01", "12", "12 EA", "", ""],
        [seeded.ssccs[2], "loose", "5SHIPC03", "2", "ACME-LAMP-02", "12", "2 CA", "", ""],
    ]
    [event] = table(html, "history")
    assert event[1:] == ["api:ims", "Shipment received from the IMS: 3 cartons, 1 pallet; 856 written"]


def test_labels_are_served_to_a_signed_in_printer_and_to_nobody_else(site):
    stored_shipment(site.settings, "SHIP-0004", "5SHIPD04")
    with site.sign_in("ops") as client:
        pdf = client.get("/shipments/SHIP-0004/labels.pdf")
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        assert pdf.headers["Content-Disposition"] == 'attachment; filename="labels-SHIP-0004.pdf"'
        zpl = client.get("/shipments/SHIP-0004/labels.zpl")
        assert zpl.status_code == 200 and zpl.text.count("^XA") == 4  # three cartons and the pallet
        assert client.get("/shipments/SHIP-0004/labels.txt").status_code == 404
        missing = client.get("/shipments/SHIP-9999/labels.pdf")
        assert missing.status_code == 404 and "No shipment SHIP-9999 reached the gateway." in missing.text
    with site.sign_in("finance") as client:
        assert "Print labels" not in client.get("/shipments/SHIP-0004").text
        assert client.get("/shipments/SHIP-0004/labels.pdf").status_code == 403
    with site.client() as client:
        answer = client.get("/shipments/SHIP-0004/labels.pdf", follow_redirects=False)
        assert answer.status_code == 302
        assert answer.headers["Location"] == "/login?next=/shipments/SHIP-0004/labels.pdf"


def test_an_unknown_shipment_is_a_404_page(site):
    with site.sign_in("ops") as client:
        for path, shown in (("/shipments/SHIP-9999", "SHIP-9999"), ("/shipments/not%20an%20id", "not an id")):
            assert f"<p>No shipment {shown} reached the gateway.</p>" in not_found_page(client, path)


def test_the_po_page_lists_its_shipments_and_what_each_line_shipped(site):
    stored_shipment(site.settings, "SHIP-0005", "5SHIPE05")
    with site.sign_in("admin") as client:
        page = client.get("/purchase-orders/5SHIPE05")
    assert page.status_code == 200
    [shipment] = table(page.text, "shipments")
    assert shipment[:2] == ["SHIP-0005", "856 accepted by Amazon"] and shipment[3] == "3"
    assert 'href="/shipments/SHIP-0005"' in page.text
    assert [row[8] for row in table(page.text, "lines")] == ["24 EA", "2 CA"]
    assert "856 ship notice written for shipment SHIP-0005 (3 cartons)" in page.text
