"""Invoices over real HTTP into the gateway, and the 810 out over real AS2 to a fake Amazon that
decrypts it, verifies our signature and checks it against our 810 map and validators nobody
here wrote, on SQLite and PostgreSQL. The PO shipped first (its 856 delivered)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from edi_maps.documents import AckStatus
from edi_maps.validation import validate_interchange
from gateway.invoicing.invoices import invoice_delivered_shipments
from gateway.invoicing.watch import watch_uninvoiced
from gateway.models import OperationalException, TradingPartner
from gateway.partners.registry import the_organisation, update_profile
from gateway.platform.db import session_scope
from tests.support.independent_x12 import independent_errors
from tests.support.purchase_orders import amazon_997, attempt
from tests.support.shipping_flow import PO, Gateway, gateway, shipment  # noqa: F401 (gateway is a fixture)

INVOICES = "/api/v1/ims/invoices"


def invoice(number: str = "INV-1", **changes: Any) -> dict[str, Any]:
    """24 mugs at 12.50 and 2 cases of candles at 40.00 a case, less a 10.00 allowance."""
    body: dict[str, Any] = {
        "invoice_number": number, "invoice_date": date.today().isoformat(), "po_number": PO,
        "shipment_id": "SHP-1", "currency": "USD",
        "lines": [{"line_number": "1", "sku": "ACME-MUG-01", "quantity": 24, "unit_cost": "12.50"},
                  {"line_number": "2", "sku": "ACME-CANDLE-12", "quantity": 24, "unit_cost": "40.00"}],
        "allowances_and_charges": [{"kind": "allowance", "code": "C310", "amount": "10.00"}],
        "total_amount": "370.00",
    }
    body.update(changes)
    return body


@pytest.fixture
def shipped(gateway: Gateway) -> Gateway:  # noqa: F811
    """The PO shipped whole (SHP-1) and its 856 delivered to Amazon."""
    assert gateway.post(shipment()).status_code == 202
    assert attempt(gateway.settings, gateway.asn_message_id("SHP-1")) == "delivered"
    return gateway


def test_an_invoice_becomes_an_810_that_amazon_receives_and_checks(shipped):
    answer = shipped.post(invoice(), INVOICES)
    assert answer.status_code == 202, answer.text
    detail = shipped.get("/api/v1/invoices/INV-1").json()
    assert (detail["status"], detail["total_amount"], detail["edi"]["delivery"]) == ("unpaid", "370.00", "pending")
    assert [(l["line_number"], l["quantity"], l["unit"], l["unit_cost"]) for l in detail["lines"]] == [
        ("1", "24", "EA", "12.50"), ("2", "2", "CA", "40.00")]

    assert attempt(shipped.settings, detail["edi"]["message_id"]) == "delivered"
    payload = next(p for p in shipped.amazon.received if b"ST*810*" in p)
    assert validate_interchange(payload).is_valid, "Amazon's check: our 810 map"
    assert independent_errors(payload) == [], "Bots' 810004010 grammar and x12-doctor agree"
    body = shipped.received(b"ST*810*")[0][3:-3]
    assert body[0].startswith(f"BIG*{date.today():%Y%m%d}*INV-1*") and body[0].endswith(f"*{PO}")
    assert [s for s in body if s.startswith("IT1")] == ["IT1*1*24*EA*12.5**EN*5012345678900",
                                                        "IT1*2*2*CA*40**EN*012345678905"]
    assert "TDS*37000" in body, "the total in cents"
    amazon_997(shipped.settings, detail["edi"]["message_id"], AckStatus.ACCEPTED)
    assert shipped.get("/api/v1/invoices/INV-1").json()["edi"]["functional_ack"] == "A"

    po = shipped.get(f"/api/v1/purchase-orders/{PO}").json()
    assert [line["invoiced"] for line in po["lines"]] == ["24", "2"]
    assert [i["invoice_number"] for i in po["invoices"]] == ["INV-1"]
    assert [i["invoice_number"] for i in shipped.get(f"/api/v1/invoices?po_number={PO}").json()["items"]] == ["INV-1"]


def test_the_same_invoice_again_is_202_and_a_different_body_under_its_number_is_409(shipped):
    assert shipped.post(invoice(), INVOICES).status_code == 202
    again = shipped.post(invoice(), INVOICES)
    assert (again.status_code, again.json()["outcome"]) == (202, "unchanged")
    other = invoice(allowances_and_charges=[], total_amount="380.00")
    conflict = shipped.post(other, INVOICES)
    assert conflict.status_code == 409 and "Amazon rejects a number used before" in conflict.json()["detail"]


def test_what_was_invoiced_cannot_be_invoiced_again_under_another_number(shipped):
    assert shipped.post(invoice(), INVOICES).status_code == 202
    twice = shipped.post(invoice("INV-2"), INVOICES)
    assert twice.status_code == 422
    details = [e["detail"] for e in twice.json()["errors"]]
    assert details[0] == (f"PO {PO} line 1: bills 24 EA, but only 0 EA shipped and is not invoiced "
                          "(shipped 24, invoiced before 24)")


def test_every_problem_comes_back_in_one_422(shipped):
    body = invoice(currency="EUR", total_amount="1.00")
    body["lines"][1]["unit_cost"] = "3.33"
    answer = shipped.post(body, INVOICES)
    assert answer.status_code == 422
    assert [e["pointer"] for e in answer.json()["errors"]] == ["/currency", "/lines/1/unit_cost"]
    assert shipped.get("/api/v1/invoices/INV-1").status_code == 404, "nothing is stored"


def test_a_delivered_856_is_invoiced_automatically_when_the_profile_asks(shipped):
    assert invoice_delivered_shipments(shipped.settings) == [], "automatic invoices are off by default"
    with session_scope(shipped.settings) as session:
        partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == "AMAZON")).one()
        update_profile(partner, "invoicing", {"automatic": True, "number_prefix": "AUTO-"})
    made = invoice_delivered_shipments(shipped.settings)
    assert made == ["AUTO-00000001"]
    assert invoice_delivered_shipments(shipped.settings) == [], "run again: nothing more to invoice"
    detail = shipped.get("/api/v1/invoices/AUTO-00000001").json()
    assert (detail["source"], detail["total_amount"], detail["shipment_id"]) == ("automatic", "380.00", "SHP-1")
    attempt(shipped.settings, detail["edi"]["message_id"])
    assert validate_interchange(next(p for p in shipped.amazon.received if b"ST*810*" in p)).is_valid


def test_goods_shipped_and_not_invoiced_after_3_days_are_an_exception_until_invoiced(shipped):
    later = datetime.now(timezone.utc) + timedelta(days=3, minutes=1)
    assert watch_uninvoiced(shipped.settings, now=datetime.now(timezone.utc) + timedelta(days=2)) == []
    assert watch_uninvoiced(shipped.settings, now=later) == [PO]
    with session_scope(shipped.settings) as session:
        row = session.scalars(select(OperationalException)
                              .where(OperationalException.kind == "shipped_not_invoiced")).one()
        assert row.status == "open" and "line 1 24 EA, line 2 2 CA" in row.message
    assert shipped.post(invoice(), INVOICES).status_code == 202
    with session_scope(shipped.settings) as session:
        row = session.scalars(select(OperationalException)
                              .where(OperationalException.kind == "shipped_not_invoiced")).one()
        assert row.status == "resolved"
    assert watch_uninvoiced(shipped.settings, now=later) == []


def test_without_a_remit_to_no_invoice_goes_out(shipped):
    with session_scope(shipped.settings) as session:
        organisation = the_organisation(session)
        organisation.profile = {key: value for key, value in organisation.profile.items() if key != "remit_to"}
    answer = shipped.post(invoice(), INVOICES)
    assert answer.status_code == 422 and "edi-gateway org remit-to" in answer.json()["errors"][0]["detail"]


def test_an_810_that_amazon_rejects_bills_nothing_and_the_goods_can_be_invoiced_again(shipped):
    assert shipped.post(invoice(), INVOICES).status_code == 202
    message_id = shipped.get("/api/v1/invoices/INV-1").json()["edi"]["message_id"]
    attempt(shipped.settings, message_id)
    amazon_997(shipped.settings, message_id, AckStatus.REJECTED)
    with session_scope(shipped.settings) as session:
        row = session.scalars(select(OperationalException)
                              .where(OperationalException.kind == "ack_997_rejected")).one()
    assert "answered our invoice (810) for invoice INV-1" in row.message and row.po_number == PO
    watch_uninvoiced(shipped.settings)  # recounts what the PO's lines are invoiced for
    assert [line["invoiced"] for line in shipped.get(f"/api/v1/purchase-orders/{PO}").json()["lines"]] == ["0", "0"]
    corrected = shipped.post(invoice("INV-2"), INVOICES)
    assert corrected.status_code == 202, corrected.text
