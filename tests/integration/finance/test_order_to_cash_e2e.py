"""Order to cash end to end: 850 in over AS2, a sales order in the reference IMS, the 855 out,
the IMS ships the order and posts the shipment, the 856 goes out over AS2, once Amazon has it
the gateway invoices what shipped in an 810, and Amazon's 820 pays it short with a shortage
claim. Amazon decrypts each of ours, verifies our signature and checks it against our map and
against validators nobody here wrote; its 820 is validated and answered with a 997."""
import io

import pytest
from sqlalchemy import select

from edi_maps.validation import validate_interchange
from edi_maps.x12.reader import X12Reader
from gateway.invoicing.invoices import invoice_delivered_shipments
from gateway.invoicing.read_model import invoice_json
from gateway.invoicing.remit_to import set_remit_to
from gateway.models import Invoice, TradingPartner
from gateway.partners.registry import update_profile
from gateway.platform.db import session_scope
from gateway.sandbox import DEMO_REMIT_TO
from tests.fixtures import AMAZON_FIXTURES
from tests.support.independent_x12 import independent_errors
from tests.support.processes import wait_for
from tests.support.remittances import Rmr, remittance_x12

pytestmark = pytest.mark.slow  # starts a worker process

PO = "2XK7QP9M"  # 850-single-po: 24 mugs (EA), 6 cases of 12 candles (CA), 10 lamps (EA)


def segments_of(payload: bytes) -> list[str]:
    return ["*".join(segment.elements) for segment in X12Reader(io.BytesIO(payload))]


def test_850_855_shipment_856_810_820_over_as2(stack, ims):
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "850-single-po.edi").read_bytes())
    wait_for(lambda: any(b"ST*855*" in p for p in stack.amazon.received), 90,
             f"the 855 at Amazon\n{stack.worker_log()}")

    shipped = ims.client.post(f"/api/v1/sales-orders/{PO}/shipments", json={"pallets": True})
    assert shipped.status_code == 201, shipped.text
    shipment = shipped.json()
    payload = wait_for(lambda: next((p for p in stack.amazon.received if b"ST*856*" in p), None), 90,
                       f"the 856 at Amazon\n{stack.worker_log()}")

    assert validate_interchange(payload).is_valid, "Amazon's check: our 856 map"
    assert independent_errors(payload) == [], "Bots' 856005010 grammar and x12-doctor agree"
    segments = segments_of(payload)
    body = segments[3:-3]
    assert body[0].startswith(f"BSN*00*{shipment['shipment_id']}*")
    assert f"PRF*{PO}***20261120" in body
    # Every SSCC the IMS put on a carton or pallet is in MAN*GM, character for character.
    ssccs = {carton["sscc"] for carton in shipment["cartons"]} | {p["sscc"] for p in shipment["pallets"]}
    assert {s.split("*")[2] for s in body if s.startswith("MAN*GM*")} == ssccs
    # Each carton of candles holds a case of 12: stated as 1 CA, the PO's unit, never 12 EA.
    sn1 = [s for s in body if s.startswith("SN1")]
    lin = [s for s in body if s.startswith("LIN")]
    candles = [sn for line, sn in zip(lin, sn1) if line.startswith("LIN*2*UP*012345678905")]
    assert candles and set(candles) == {"SN1**1*CA"}
    assert segments[-1].startswith("IEA*1*")

    def delivered():
        answer = ims.client.get(f"/api/v1/sales-orders/{PO}/shipments").json()
        return answer if answer and "accepted" in str(answer) else None
    wait_for(delivered, 30, "the gateway's 202 recorded by the IMS")

    # Amazon has the 856 (its MDN came back): the partner invoices automatically.
    with session_scope(stack.settings) as session:
        set_remit_to(session, DEMO_REMIT_TO)
        update_profile(session.scalars(select(TradingPartner).where(TradingPartner.as2_id == "AMAZON")).one(),
                       "invoicing", {"automatic": True})
    wait_for(lambda: invoice_delivered_shipments(stack.settings) or None, 60, "the 856 delivered and invoiced")
    invoice = wait_for(lambda: next((p for p in stack.amazon.received if b"ST*810*" in p), None), 90,
                       f"the 810 at Amazon\n{stack.worker_log()}")
    assert validate_interchange(invoice).is_valid, "Amazon's check: our 810 map"
    assert independent_errors(invoice) == [], "Bots' 810004010 grammar and x12-doctor agree"
    billed = segments_of(invoice)[3:-3]
    assert billed[0].startswith("BIG*") and billed[0].endswith(f"*20261120*{PO}"), "BIG: the PO's date and number"
    assert [s for s in billed if s.startswith("IT1")] == [
        "IT1*1*24*EA*12.5**EN*5012345678900", "IT1*2*6*CA*40**UP*012345678905", "IT1*3*10*EA*7.25**BP*B07XJ8C8F5"], \
        "what shipped, in the PO's units, at the acknowledged costs"
    assert "TDS*61250" in billed, "24 x 12.50 + 6 x 40.00 + 10 x 7.25 = 612.50, in cents"

    # Amazon pays it short: the invoice in full on one line, a shortage claim on another.
    number = billed[0].split("*")[2]
    before = len(stack.amazon.received)
    stack.amazon.send(stack.url, remittance_x12("AMZPAY-E2E", [Rmr(number, "612.50", "612.50", PO),
                                                              Rmr(f"{number}SC", "-25.00")]).encode())
    wait_for(lambda: any(b"ST*997*" in p for p in stack.amazon.received[before:]), 90,
             f"the 997 for the 820\n{stack.worker_log()}")
    with session_scope(stack.settings) as session:
        invoice_row = session.scalars(select(Invoice).where(Invoice.invoice_number == number)).one()
        paid = invoice_json(session, invoice_row)
    assert (paid["status"], paid["received_amount"]) == ("short_paid", "587.50")
    [payment] = paid["payments"]
    assert payment["trace_number"] == "AMZPAY-E2E" and payment["amount"] == "587.50"
    [deduction] = payment["deductions"]
    assert (deduction["code"], deduction["amount"]) == ("SC", "25.00") and "shortage claim" in deduction["description"]
