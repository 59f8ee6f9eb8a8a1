"""The 856 end to end: 850 in over AS2, a sales order in the reference IMS, the 855 out, the
IMS ships the order and posts the shipment, and the 856 goes out over AS2 to Amazon, who
decrypts it, verifies our signature and checks it against our 856 map and against
validators nobody here wrote."""
import io

import pytest

from edi_maps.validation import validate_interchange
from edi_maps.x12.reader import X12Reader
from tests.fixtures import AMAZON_FIXTURES
from tests.support.independent_x12 import independent_errors
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow  # starts a worker process

PO = "2XK7QP9M"  # 850-single-po: 24 mugs (EA), 6 cases of 12 candles (CA), 10 lamps (EA)


def segments_of(payload: bytes) -> list[str]:
    return ["*".join(segment.elements) for segment in X12Reader(io.BytesIO(payload))]


def test_850_855_shipment_856_over_as2(stack, ims):
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
