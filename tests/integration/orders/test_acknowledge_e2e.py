"""The 855 end to end: 850 in over AS2, a sales order in the reference IMS, the 855 out over
AS2 to Amazon, who decrypts it and checks it against our 855 map."""
import io

import pytest

from edi_maps.validation import validate_interchange
from edi_maps.x12.reader import X12Reader
from gateway.platform.db import session_scope
from gateway.operations.exception_queue import open_exceptions
from gateway.models import Message, PurchaseOrder
from tests.fixtures import AMAZON_FIXTURES
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow  # every test starts a worker process


def received_855(amazon):
    def find():
        return next((p for p in amazon.received if b"ST*855*" in p), None)
    return wait_for(find, 90, "the 855 to reach Amazon")


def test_the_855_reaches_amazon_with_what_the_ims_allocated(stack, ims):
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "850-three-pos-one-line.edi").read_bytes())
    wait_for(lambda: sum(b"ST*855*" in p for p in stack.amazon.received) == 3, 120,
             f"three 855s at Amazon\n{stack.worker_log()}")
    by_po = {}
    for payload in (p for p in stack.amazon.received if b"ST*855*" in p):
        assert validate_interchange(payload).is_valid, "Amazon's check: our 855 map"
        segments = ["*".join(s.elements) for s in X12Reader(io.BytesIO(payload))]
        body = segments[3:-3]
        by_po[body[0].split("*")[3]] = body
    # 3MZQ81RT: 12 mugs, all in stock: accepted as ordered (BAK02 AD).
    assert by_po["3MZQ81RT"][0] == "BAK*00*AD*3MZQ81RT*20261120", "BAK04 is the PO date (BEG05)"
    assert [s[:12] for s in by_po["3MZQ81RT"] if s.startswith("ACK")] == ["ACK*IA*12*EA"]
    # 4HB2XW0L (rush, back orders allowed): 3 cases of candles in stock; 48 tees with only 4 on hand.
    acks = [s for s in by_po["4HB2XW0L"] if s.startswith("ACK")]
    assert acks[0].startswith("ACK*IA*3*CA*068*")
    assert acks[1].startswith("ACK*IA*4*EA*068*") and acks[2] == "ACK*IR*44*EA"
    # 5PLK33ZD: an EAN that is not in the catalogue.
    assert [s for s in by_po["5PLK33ZD"] if s.startswith("ACK")] == ["ACK*R2*1*EA"]
    with session_scope(stack.settings) as session:
        sent = session.query(PurchaseOrder).filter(PurchaseOrder.ack_sent_at.isnot(None)).count()
    assert sent == 3


def test_stock_reserved_for_another_channel_is_never_accepted(stack, ims):
    order = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes().replace(
        b"PO1*3*10*EA*7.25**BP*B07XJ8C8F5~", b"PO1*3*8*EA*4.00**UP*036000291452~").replace(b"CTT*3*40", b"CTT*3*38")
    stack.start_worker()
    stack.amazon.send(stack.url, order)
    body = ["*".join(s.elements) for s in X12Reader(io.BytesIO(received_855(stack.amazon)))]
    line_3 = body[body.index("PO1*3*8*EA*4**UP*036000291452") + 1]
    assert line_3 == "ACK*IR*8*EA", "ACME-SOAP-03 is fully reserved: on hand is not available"


def test_an_860_after_the_first_855_is_acknowledged_again(stack, ims):
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "850-single-po.edi").read_bytes())
    received_855(stack.amazon)
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "860-change.edi").read_bytes())
    second = wait_for(lambda: [p for p in stack.amazon.received if b"ST*855*" in p][1:], 120,
                      f"the second 855\n{stack.worker_log()}")[0]
    assert validate_interchange(second).is_valid
    body = ["*".join(s.elements) for s in X12Reader(io.BytesIO(second))][3:-3]
    without_dates = [segment for segment in body if not segment.startswith("DTM")]
    assert [segment.split("*068*")[0] for segment in without_dates] == [
        body[0], "PO1*1*24*EA*12.5**EN*5012345678900", "ACK*IA*24*EA",
        "PO1*2*4*CA*40**UP*012345678905", "PO4*12", "ACK*IA*4*CA",  # cut from 6 to 4 cases
        "PO1*3*10*EA*7.25**BP*B07XJ8C8F5", "ACK*IR*10*EA",  # deleted by Amazon: nothing promised
        "CTT*3*38"]
    assert body[0] == "BAK*00*AC*2XK7QP9M*20261120", "BAK04 is the PO date (BEG05), not the day sent"


def test_an_860_price_change_reaches_amazon_in_a_new_855_and_an_added_line_is_an_exception(stack, ims):
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "850-single-po.edi").read_bytes())
    received_855(stack.amazon)
    change = (AMAZON_FIXTURES / "860-change.edi").read_bytes()
    change = change.replace(b"POC*2*QD*4*2*CA*40.00**UP*012345678905~", b"POC*1*PC*24*24*EA*11.75**EN*5012345678900~")
    change = change.replace(b"POC*3*DI*0*10*EA*7.25**BP*B07XJ8C8F5~", b"POC*4*AI*6*6*EA*3.10**UP*036000291452~")
    assert change.count(b"POC*") == 2 and b"*PC*" in change and b"*AI*" in change
    stack.amazon.send(stack.url, change)
    second = wait_for(lambda: [p for p in stack.amazon.received if b"ST*855*" in p][1:], 120,
                      f"the second 855\n{stack.worker_log()}")[0]
    assert validate_interchange(second).is_valid
    body = ["*".join(s.elements) for s in X12Reader(io.BytesIO(second))][3:-3]
    assert "PO1*1*24*EA*11.75**EN*5012345678900" in body, "the new cost, as the invoice will bill it"
    assert not any(segment.startswith("PO1*4*") for segment in body)
    with session_scope(stack.settings) as session:
        [problem] = [row for row in open_exceptions(session, po_number="2XK7QP9M")
                     if row.kind == "po_change_not_applied"]
        assert problem.detail["not_applied"][0]["line_number"] == "4"


def test_three_workers_take_a_burst_and_each_po_is_acknowledged_once(stack, ims):
    """Scale-out: three worker processes share a burst of twelve POs. Each PO gets one 855,
    and every interchange Amazon receives (997s and 855s) has its own control numbers."""
    for _ in range(3):
        stack.start_worker()
    template = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()
    numbers = [f"SCALE{n:03d}" for n in range(12)]
    for n, number in enumerate(numbers):
        stack.amazon.send(stack.url, template.replace(b"2XK7QP9M", number.encode())
                          .replace(b"000000101", f"{700 + n:09d}".encode()))
    wait_for(lambda: sum(b"ST*855*" in p for p in stack.amazon.received) >= 12, 180,
             f"twelve 855s at Amazon\n{stack.worker_log()}")
    envelopes = []
    acknowledged = []
    for payload in stack.amazon.received:
        segments = ["*".join(s.elements) for s in X12Reader(io.BytesIO(payload))]
        isa, gs = segments[0].split("*"), segments[1].split("*")
        envelopes.append((isa[13], gs[6]))
        acknowledged += [s.split("*")[3] for s in segments if s.startswith("BAK*")]
    assert sorted(acknowledged) == numbers, "one 855 per PO, none twice"
    assert len(stack.amazon.received) == 24, "a 997 and an 855 per PO"
    assert len({isa for isa, _ in envelopes}) == 24 and len({gs for _, gs in envelopes}) == 24, \
        "no control number issued twice by concurrent workers"
    with session_scope(stack.settings) as session:
        assert session.query(Message).filter(Message.document_type == "855").count() == 12
        assert session.query(PurchaseOrder).filter(PurchaseOrder.ack_sent_at.isnot(None)).count() == 12
