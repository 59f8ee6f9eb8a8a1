"""Shipments over real HTTP into the gateway, and the 856 out over real AS2 to a fake Amazon
that decrypts it, verifies our signature and checks it against our 856 map, on SQLite and
PostgreSQL.

The PO and its allocation are seeded as intake and the IMS leave them; the 855, the
shipment, the 856, its delivery and Amazon's 997 are the gateway's own work.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from edi_maps.documents import AckStatus
from edi_maps.validation import validate_interchange
from gateway.models import OperationalException, PurchaseOrder
from gateway.orders.allocation import SalesOrderAllocation, store_allocation
from gateway.platform.db import session_scope
from gateway.shipping.watch import watch_ship_notices
from tests.support.labels import decoded_pages, sscc_barcodes
from tests.support.purchase_orders import Line, acknowledge, allocated_po, amazon_997, attempt
from tests.support.shipping_flow import PO, gateway, shipment, sscc  # noqa: F401 (gateway is a fixture)


def test_a_shipment_becomes_an_856_that_amazon_receives_verifies_and_accepts(gateway):
    answer = gateway.post(shipment())
    assert answer.status_code == 202, answer.text
    assert answer.json()["outcome"] == "accepted"
    message_id = gateway.asn_message_id("SHP-1")
    assert gateway.get("/api/v1/shipments/SHP-1").json()["status"] == "asn_pending"

    assert attempt(gateway.settings, message_id) == "delivered"
    payload = next(p for p in gateway.amazon.received if b"ST*856*" in p)
    assert validate_interchange(payload).is_valid, "Amazon's check: our 856 map"
    segments = gateway.received_856s()[0]
    assert segments[0].split("*")[12] == "00501" and segments[1].split("*")[8] == "005010"
    body = segments[3:-3]
    assert body[0].startswith("BSN*00*SHP-1*")
    assert [s for s in body if s.startswith("MAN*GM*")] == [
        f"MAN*GM*{sscc(1, '1')}", *(f"MAN*GM*{sscc(n)}" for n in range(1, 5))]
    assert [s for s in body if s.startswith("SN1")] == ["SN1**12*EA", "SN1**12*EA", "SN1**1*CA", "SN1**1*CA"], \
        "quantities in the PO's unit: a case of 12 candles is 1 CA"
    assert "REF*BM*BOL-SHP-1" in body and "TD5**2*ABFS" in body and "N1*ST**92*RNO1" in body

    detail = gateway.get("/api/v1/shipments/SHP-1").json()
    assert (detail["status"], detail["asn"]["delivery"], detail["asn"]["functional_ack"]) == (
        "asn_delivered", "delivered", None)
    assert [c["sscc"] for c in detail["cartons"]] == [sscc(n) for n in range(1, 5)]
    assert detail["gross_weight"] == "37"
    amazon_997(gateway.settings, message_id, AckStatus.ACCEPTED)
    assert gateway.get("/api/v1/shipments/SHP-1").json()["status"] == "asn_accepted"

    po = gateway.get(f"/api/v1/purchase-orders/{PO}").json()
    assert po["status"] == "shipped"
    assert [(line["shipped"], line["unit"]) for line in po["lines"]] == [("24", "EA"), ("2", "CA")]
    assert [s["shipment_id"] for s in po["shipments"]] == ["SHP-1"]
    assert gateway.get(f"/api/v1/shipments?po_number={PO}").json()["items"][0]["status"] == "asn_accepted"


def test_part_of_the_po_is_partly_shipped_and_the_rest_can_follow(gateway):
    first = shipment(cartons=shipment()["cartons"][:1], pallets=[], pro_number=None)
    first["cartons"][0]["pallet_id"] = None
    assert gateway.post(first).status_code == 202
    po = gateway.get(f"/api/v1/purchase-orders/{PO}").json()
    assert po["status"] == "partially_shipped" and po["lines"][0]["shipped"] == "12"
    rest = shipment("SHP-2", cartons=shipment()["cartons"][1:], pallets=[{"pallet_id": "P1", "sscc": sscc(9, "1")}])
    assert gateway.post(rest).status_code == 202, gateway.post(rest).text
    assert gateway.get(f"/api/v1/purchase-orders/{PO}").json()["status"] == "shipped"
    again = shipment("SHP-3", cartons=[dict(shipment()["cartons"][0], sscc=sscc(20))], pallets=[], pro_number=None)
    again["cartons"][0]["pallet_id"] = None
    refused = gateway.post(again)
    assert refused.status_code == 422
    assert "only 0 EA is left to ship (accepted 24, shipped before 24)" in refused.json()["errors"][0]["detail"]


def test_the_same_shipment_again_is_accepted_and_sends_nothing_more(gateway):
    body = shipment()
    assert gateway.post(body).status_code == 202
    again = gateway.post(body)
    assert (again.status_code, again.json()["outcome"]) == (202, "unchanged")
    with session_scope(gateway.settings) as session:
        assert session.scalars(select(PurchaseOrder).where(PurchaseOrder.po_number == PO)).one().status == "shipped"
    attempt(gateway.settings, gateway.asn_message_id("SHP-1"))
    assert len(gateway.received_856s()) == 1


def test_a_replacement_lowers_a_quantity_in_a_05_856_and_one_that_raises_it_is_409(gateway):
    assert gateway.post(shipment()).status_code == 202
    attempt(gateway.settings, gateway.asn_message_id("SHP-1"))
    lower = shipment(cartons=shipment()["cartons"][:3])
    replaced = gateway.post(lower)
    assert (replaced.status_code, replaced.json()["outcome"]) == (202, "replaced")
    attempt(gateway.settings, gateway.asn_message_id("SHP-1"))
    original, replacement = gateway.received_856s()
    assert replacement[3].startswith("BSN*05*SHP-1*")
    assert [s for s in replacement if s.startswith("SN1")] == ["SN1**12*EA", "SN1**12*EA", "SN1**1*CA"]
    detail = gateway.get("/api/v1/shipments/SHP-1").json()
    assert detail["revision"] == 2 and len(detail["cartons"]) == 3
    assert gateway.get(f"/api/v1/purchase-orders/{PO}").json()["status"] == "partially_shipped"

    raised = gateway.post(shipment())  # the fourth carton back: a higher quantity than the 856 now says
    assert raised.status_code == 409
    assert "a replacement may only lower quantities" in raised.json()["detail"]


def test_every_problem_comes_back_in_one_422_naming_carton_sscc_and_po(gateway):
    body = shipment()
    body["cartons"][1]["sscc"] = sscc(2)[:-1] + str((int(sscc(2)[-1]) + 1) % 10)
    body["cartons"][2]["items"][0]["quantity"] = 6  # half a case of candles
    body["cartons"][3]["po_number"] = "NOSUCHPO"
    answer = gateway.post(body)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    errors = answer.json()["errors"]
    assert [e["pointer"] for e in errors] == ["/cartons/1/sscc", "/cartons/2/items/0/quantity",
                                              "/cartons/3/po_number"]
    assert f"carton 2: SSCC {body['cartons'][1]['sscc']} is not valid" in errors[0]["detail"]
    assert f"PO {PO} line 2 was ordered in cases of 12; 6 eaches" in errors[1]["detail"]
    assert "PO NOSUCHPO is not a purchase order the gateway has" in errors[2]["detail"]
    assert gateway.get("/api/v1/shipments/SHP-1").status_code == 404, "nothing is stored"


def test_an_sscc_shipped_before_is_refused_as_reused(gateway):
    first = shipment(cartons=shipment()["cartons"][:1], pallets=[], pro_number=None)
    first["cartons"][0]["pallet_id"] = None
    assert gateway.post(first).status_code == 202
    answer = gateway.post(shipment("SHP-2"))
    assert answer.status_code == 422
    details = [e["detail"] for e in answer.json()["errors"]]
    assert f"carton 1: SSCC {sscc(1)} was shipped on" in details[0] and "365 days" in details[0]


def test_the_labels_carry_the_ssccs_of_the_856_byte_for_byte(gateway):
    assert gateway.post(shipment()).status_code == 202
    attempt(gateway.settings, gateway.asn_message_id("SHP-1"))
    in_856 = [s.split("*")[2] for s in gateway.received_856s()[0] if s.startswith("MAN*GM*")]
    pdf = gateway.get("/api/v1/shipments/SHP-1/labels.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    on_labels = [code for page in decoded_pages(pdf.content) for code in sscc_barcodes(page)]
    assert sorted(on_labels) == sorted(b"00" + value.encode() for value in in_856)
    zpl = gateway.get("/api/v1/shipments/SHP-1/labels.zpl").text
    assert zpl.count("^XA") == 5 and f">;>800{sscc(1)}" in zpl


def test_an_856_not_through_30_minutes_after_the_truck_left_is_critical(gateway):
    left = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=10)
    assert gateway.post(shipment(shipped_at=left.isoformat())).status_code == 202
    assert watch_ship_notices(gateway.settings, now=left + timedelta(minutes=29))["asn_late"] == []
    assert watch_ship_notices(gateway.settings, now=left + timedelta(minutes=31))["asn_late"] == ["SHP-1"]
    with session_scope(gateway.settings) as session:
        row = session.scalars(select(OperationalException).where(OperationalException.kind == "asn_late")).one()
        assert row.severity == "critical" and row.po_number == PO
        assert "not delivered and accepted within 30 minutes" in row.message and "asn pending" in row.message
    message_id = gateway.asn_message_id("SHP-1")
    attempt(gateway.settings, message_id)
    amazon_997(gateway.settings, message_id, AckStatus.ACCEPTED)
    assert watch_ship_notices(gateway.settings, now=left + timedelta(minutes=40))["asn_late"] == [], \
        "accepted: nothing more to raise"


def test_an_order_the_ims_says_shipped_without_a_shipment_is_critical_until_one_comes(gateway):
    with session_scope(gateway.settings) as session:
        po = session.scalars(select(PurchaseOrder).where(PurchaseOrder.po_number == PO)).one()
        shipped = SalesOrderAllocation.from_json({
            "po_number": PO, "vendor_code": po.vendor_code, "status": "shipped", "revision": 7,
            "lines": [{"line_number": line.line_number, "sku": line.sku, "ordered": line.eaches, "allocated": line.eaches,
                       "backordered": 0, "backorder_ship_date": None, "status": "allocated"} for line in po.lines]})
        assert store_allocation(session, po, shipped, source="callback")
        told = po.ims_shipped_at
    assert told is not None
    assert watch_ship_notices(gateway.settings, now=told + timedelta(minutes=29))["shipped_without_asn"] == []
    assert watch_ship_notices(gateway.settings, now=told + timedelta(minutes=31))["shipped_without_asn"] == [PO]
    assert gateway.post(shipment()).status_code == 202
    with session_scope(gateway.settings) as session:
        row = session.scalars(select(OperationalException)
                              .where(OperationalException.kind == "shipped_without_asn")).one()
        assert (row.severity, row.status) == ("critical", "resolved")
        assert "shipment SHP-1 reached the gateway" in row.notes[-1]["note"]


def test_a_997_rejecting_the_856_reads_rejected_with_an_exception_naming_the_shipment(gateway):
    assert gateway.post(shipment()).status_code == 202
    message_id = gateway.asn_message_id("SHP-1")
    attempt(gateway.settings, message_id)
    amazon_997(gateway.settings, message_id, AckStatus.REJECTED)
    assert gateway.get("/api/v1/shipments/SHP-1").json()["status"] == "asn_rejected"
    with session_scope(gateway.settings) as session:
        row = session.scalars(select(OperationalException)
                              .where(OperationalException.kind == "ack_997_rejected")).one()
    assert (row.severity, row.po_number) == ("critical", PO)
    assert "answered our ship notice (856) for shipment SHP-1" in row.message


def test_a_replacement_that_drops_a_po_gives_it_back_its_allocation(gateway):
    received = datetime.now(timezone.utc) - timedelta(hours=2)
    other = allocated_po(gateway.settings, "8SHIP2PO", (Line("5012345678900", 12, 12),), received_at=received)
    assert attempt(gateway.settings, acknowledge(gateway.settings, other, now=received)) == "delivered"
    both = shipment()
    both["cartons"].append({"sscc": sscc(5), "pallet_id": "P1", "po_number": "8SHIP2PO", "items": [
        {"line_number": "1", "sku": "ACME-MUG-01", "quantity": 12, "lot_number": None, "expiry_date": None}]})
    assert gateway.post(both).status_code == 202
    assert gateway.get("/api/v1/purchase-orders/8SHIP2PO").json()["status"] == "shipped"
    assert (answer := gateway.post(shipment())).status_code == 202, answer.text  # the same truck without 8SHIP2PO
    po = gateway.get("/api/v1/purchase-orders/8SHIP2PO").json()
    assert (po["status"], po["lines"][0]["shipped"], po["shipments"]) == ("allocated", "0", [])
    assert gateway.get(f"/api/v1/purchase-orders/{PO}").json()["status"] == "shipped"
