"""The 855 engine as a scenario table: each scenario asserts the exact 855 segments."""
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from edi_maps.validation import validate_interchange
from edi_maps.x12.reader import X12Reader
from gateway.orders.acknowledgement import acknowledge_purchase_order, watch_deadlines
from gateway.partners.certificates import generate_organization_key
from gateway.platform.db import session_scope
from gateway.sandbox.development import ensure_development_identity
from gateway.operations.exception_queue import open_exceptions
from gateway.partners.keystore import import_partner_certificate
from gateway.models import CatalogueItem, Message, OperationalException, PurchaseOrder, PurchaseOrderLine
from gateway.platform.storage import read_payload
from gateway.transport.as2.sender import TransientSendError, send
from gateway.partners.registry import add_partner

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
# BEG05 of the PO: BAK04 states it, whatever day the 855 goes out.
PO_DATE = date(2026, 11, 19)
AMAZON_KEY = generate_organization_key("AMAZON", b"test")


@pytest.fixture
def gateway(settings):
    ensure_development_identity(settings)
    with session_scope(settings) as session:
        partner = add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON",
                              as2={"url": "http://127.0.0.1:9/as2"})
        import_partner_certificate(session, partner, AMAZON_KEY.certificate_pem)
        session.add(CatalogueItem(qualifier="BP", identifier="B0OBSOLETE", sku="ACME-OLD", discontinued=True))
        # 40.00 each, 480.00 a case: the vase's PO lines below cost something else.
        session.add(CatalogueItem(qualifier="UP", identifier="012345678912", sku="ACME-VASE-12",
                                  unit_cost=Decimal("40.00"), case_pack=12))
    return settings


def purchase_order(settings, *lines, backorder_allowed=False, received_at=NOW - timedelta(hours=1)):
    """A PO as intake leaves it once the IMS answered: lines with their allocation."""
    with session_scope(settings) as session:
        po = PurchaseOrder(partner_id=1, vendor_code="ACMEB", po_number="2XK7QP9M", order_type="NE", order_date=PO_DATE,
                           ship_not_before=date(2026, 11, 24), ship_not_after=date(2026, 12, 1), ship_to="RNO1",
                           backorder_allowed=backorder_allowed, status="allocated", content_sha256="0" * 64,
                           received_at=received_at)
        for number, (qualifier, identifier, quantity, unit, sku, allocated, restock, status, cost) in enumerate(lines, 1):
            po.lines.append(PurchaseOrderLine(
                line_number=str(number), qualifier=qualifier, identifier=identifier, quantity=Decimal(quantity),
                unit=unit, pack_size=12 if unit == "CA" else None, unit_cost=Decimal(cost), sku=sku,
                eaches=quantity * (12 if unit == "CA" else 1), allocated=allocated, backorder_ship_date=restock,
                status=status))
        session.add(po)
        session.flush()
        return po.id


def line(quantity, allocated, *, restock=None, qualifier="EN", identifier="5012345678900", unit="EA",
         sku="ACME-MUG-01", status="allocated", cost="12.50"):
    return (qualifier, identifier, quantity, unit, sku, allocated, restock, status, cost)


def sent_855s(settings):
    """The body segments (BAK..CTT) of every 855 queued so far, oldest first."""
    with session_scope(settings) as session:
        messages = session.scalars(select(Message).where(Message.document_type == "855").order_by(Message.id)).all()
        payloads = [read_payload(settings, message) for message in messages]
    out = []
    for payload in payloads:
        assert validate_interchange(payload).is_valid, "every 855 passes our 855 map"
        segments = ["*".join(s.elements) for s in X12Reader(io.BytesIO(payload))]
        out.append(segments[3:-3])
    return out


SCENARIOS = {
    "full accept": ([line(24, 24)], False, [
        "BAK*00*AD*2XK7QP9M*20261119", "PO1*1*24*EA*12.5**EN*5012345678900",
        "ACK*IA*24*EA*068*20261122", "DTM*067*20261124", "CTT*1*24"]),
    "partial accept + backorder": ([line(24, 20, restock=date(2026, 11, 26), status="partially_allocated")], True, [
        "BAK*00*AC*2XK7QP9M*20261119", "PO1*1*24*EA*12.5**EN*5012345678900",
        "ACK*IA*20*EA*068*20261122", "DTM*067*20261124", "ACK*IB*4*EA*068*20261126", "DTM*067*20261128",
        "CTT*1*24"]),
    "partial accept + reject": ([line(24, 20, restock=date(2026, 11, 26), status="partially_allocated")], False, [
        "BAK*00*AC*2XK7QP9M*20261119", "PO1*1*24*EA*12.5**EN*5012345678900",
        "ACK*IA*20*EA*068*20261122", "DTM*067*20261124", "ACK*IR*4*EA", "CTT*1*24"]),
    "all rejected": ([line(24, 0, status="unavailable"), line(6, 0, unit="CA", qualifier="UP",
                                                               identifier="012345678905", status="unavailable")],
                     False, [
        "BAK*00*AC*2XK7QP9M*20261119", "PO1*1*24*EA*12.5**EN*5012345678900", "ACK*IR*24*EA",
        "PO1*2*6*CA*12.5**UP*012345678905", "PO4*12", "ACK*IR*6*CA", "CTT*2*30"]),
    "unknown identifier": ([line(1, None, identifier="9999999999994", sku=None, status="held")], True, [
        "BAK*00*AC*2XK7QP9M*20261119", "PO1*1*1*EA*12.5**EN*9999999999994", "ACK*R2*1*EA", "CTT*1*1"]),
    "stock reserved for another channel": ([line(8, 0, qualifier="UP", identifier="036000291452", sku="ACME-SOAP-03",
                                                 status="unavailable")], True, [
        "BAK*00*AC*2XK7QP9M*20261119", "PO1*1*8*EA*12.5**UP*036000291452", "ACK*IR*8*EA", "CTT*1*8"]),
    "obsolete product": ([line(5, 5, qualifier="BP", identifier="B0OBSOLETE", sku="ACME-OLD")], False, [
        "BAK*00*AC*2XK7QP9M*20261119", "PO1*1*5*EA*12.5**BP*B0OBSOLETE", "ACK*IR*5*EA", "CTT*1*5"]),
    "cases: whole cases only": ([line(6, 30, unit="CA", qualifier="UP", identifier="012345678905",
                                      sku="ACME-CANDLE-12", status="partially_allocated")], False, [
        "BAK*00*AC*2XK7QP9M*20261119", "PO1*1*6*CA*12.5**UP*012345678905", "PO4*12",
        "ACK*IA*2*CA*068*20261122", "DTM*067*20261124", "ACK*IR*4*CA", "CTT*1*6"]),
    # A cost that differs from the catalogue's (40.00 each) changes nothing in the 855: it states
    # Amazon's cost in the PO's unit, which the invoice will bill (gateway/orders/line_costs.py).
    "cost differs, EA: Amazon's cost per each": ([line(2, 2, qualifier="UP", identifier="012345678912",
                                                       sku="ACME-VASE-12", cost="39.00")], False, [
        "BAK*00*AD*2XK7QP9M*20261119", "PO1*1*2*EA*39**UP*012345678912",
        "ACK*IA*2*EA*068*20261122", "DTM*067*20261124", "CTT*1*2"]),
    "cost differs, CA: Amazon's cost per case": ([line(2, 24, unit="CA", qualifier="UP", identifier="012345678912",
                                                       sku="ACME-VASE-12", cost="470.00")], False, [
        "BAK*00*AD*2XK7QP9M*20261119", "PO1*1*2*CA*470**UP*012345678912", "PO4*12",
        "ACK*IA*2*CA*068*20261122", "DTM*067*20261124", "CTT*1*2"]),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(gateway, scenario):
    lines, backorder_allowed, expected = SCENARIOS[scenario]
    po_id = purchase_order(gateway, *lines, backorder_allowed=backorder_allowed)
    assert acknowledge_purchase_order(gateway, po_id, now=NOW) == "sent"
    assert sent_855s(gateway) == [expected]
    with session_scope(gateway) as session:
        po = session.get(PurchaseOrder, po_id)
        assert po.ack_sent_at is not None
        assert all(line.outcomes for line in po.lines), "every line has an outcome"


def test_waits_for_the_ims_then_acknowledges_what_is_known_at_the_margin(gateway):
    po_id = purchase_order(gateway, line(24, None, status="open"), line(10, 10, qualifier="BP",
                                                                        identifier="B07XJ8C8F5", sku="ACME-LAMP-02"),
                           received_at=NOW - timedelta(hours=1))
    assert acknowledge_purchase_order(gateway, po_id, now=NOW) == "waiting"
    assert watch_deadlines(gateway, now=NOW)["acknowledged"] == []
    seventeen_hours_later = NOW + timedelta(hours=17, minutes=30)  # 5.5 h left: warned, not yet at the margin
    acted = watch_deadlines(gateway, now=seventeen_hours_later)
    assert acted == {"warned": ["2XK7QP9M"], "acknowledged": [], "late": [], "resolved": []}
    at_margin = NOW + timedelta(hours=19, minutes=30)  # 3.5 h left, inside the 4 h margin
    assert watch_deadlines(gateway, now=at_margin)["acknowledged"] == [str(po_id)]
    assert sent_855s(gateway) == [[
        "BAK*00*AC*2XK7QP9M*20261119", "PO1*1*24*EA*12.5**EN*5012345678900", "ACK*IR*24*EA",
        "PO1*2*10*EA*12.5**BP*B07XJ8C8F5", "ACK*IA*10*EA*068*20261122", "DTM*067*20261124", "CTT*2*34"]]
    with session_scope(gateway) as session:
        kinds = sorted(problem.kind for problem in open_exceptions(session))
    assert kinds == ["ack_deadline_approaching"]


def test_a_change_after_the_first_855_is_acknowledged_again_and_rejections_stay_final(gateway):
    po_id = purchase_order(gateway, line(24, 20, status="partially_allocated"))
    acknowledge_purchase_order(gateway, po_id, now=NOW)
    with session_scope(gateway) as session:  # the IMS finds stock for everything; an 860 cut the line to 22
        po = session.get(PurchaseOrder, po_id)
        po.lines[0].allocated, po.lines[0].quantity = 24, Decimal(22)
    assert acknowledge_purchase_order(gateway, po_id, now=NOW + timedelta(hours=3)) == "resent"
    assert acknowledge_purchase_order(gateway, po_id, now=NOW + timedelta(hours=4)) == "unchanged"
    first, second = sent_855s(gateway)
    assert first[2:5] == ["ACK*IA*20*EA*068*20261122", "DTM*067*20261124", "ACK*IR*4*EA"]
    assert second[1:5] == ["PO1*1*22*EA*12.5**EN*5012345678900", "ACK*IA*18*EA*068*20261122", "DTM*067*20261124",
                           "ACK*IR*4*EA"], "the 4 rejected before stay rejected: never turned accepted"
    assert acknowledge_purchase_order(gateway, po_id, now=NOW + timedelta(hours=50)) in ("unchanged", "too-late")


def test_no_re_acknowledgement_after_48_hours(gateway):
    po_id = purchase_order(gateway, line(24, 20, status="partially_allocated"))
    acknowledge_purchase_order(gateway, po_id, now=NOW)
    with session_scope(gateway) as session:
        session.get(PurchaseOrder, po_id).lines[0].quantity = Decimal(20)
    assert acknowledge_purchase_order(gateway, po_id, now=NOW + timedelta(hours=49)) == "too-late"
    assert len(sent_855s(gateway)) == 1


def test_a_holiday_extends_the_deadline(gateway):
    received = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)  # the day before Thanksgiving
    po_id = purchase_order(gateway, line(24, None, status="open"), received_at=received)
    next_day_after_deadline = received + timedelta(hours=25)  # past a plain 24 h window
    acted = watch_deadlines(gateway, now=next_day_after_deadline)
    assert acted == {"warned": [], "acknowledged": [], "late": [], "resolved": []}
    with session_scope(gateway) as session:
        due = session.get(PurchaseOrder, po_id).ack_due_at
        assert due.replace(tzinfo=timezone.utc) == datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)


def test_an_855_sent_but_not_delivered_is_warned_about_escalated_and_resolved_once_delivered(gateway):
    po_id = purchase_order(gateway, line(24, 24), received_at=NOW)
    assert acknowledge_purchase_order(gateway, po_id, now=NOW) == "sent"
    with session_scope(gateway) as session:
        message_id = session.get(PurchaseOrder, po_id).ack_message_id
    with pytest.raises(TransientSendError):  # Amazon's URL here is a closed port
        send(gateway, message_id)

    def open_by_kind():
        with session_scope(gateway) as session:
            return {row.kind: row for row in open_exceptions(session, po_number="2XK7QP9M")}

    delivery = open_by_kind()["as2_send_failed"]
    assert delivery.severity == "high" and delivery.message.startswith("855 for PO 2XK7QP9M")

    five_hours_left = NOW + timedelta(hours=19)
    assert watch_deadlines(gateway, now=five_hours_left)["warned"] == ["2XK7QP9M"]
    warning = open_by_kind()["ack_deadline_approaching"]
    assert "855 sent 2026-11-20 12:00 UTC, not delivered: retrying (ConnectError" in warning.message
    assert open_by_kind()["as2_send_failed"].severity == "high", "not yet inside the last warning"

    ninety_minutes_left = NOW + timedelta(hours=22, minutes=30)
    watch_deadlines(gateway, now=ninety_minutes_left)
    assert open_by_kind()["as2_send_failed"].severity == "critical"

    with session_scope(gateway) as session:  # the partner came back and the next attempt got its MDN
        message = session.get(Message, message_id)
        message.status, message.processed_at = "delivered", ninety_minutes_left
    acted = watch_deadlines(gateway, now=ninety_minutes_left + timedelta(minutes=5))
    assert acted["resolved"] == ["2XK7QP9M"] and acted["warned"] == [] and acted["late"] == []
    assert "ack_deadline_approaching" not in open_by_kind()
    with session_scope(gateway) as session:
        resolved = session.scalars(select(OperationalException).where(
            OperationalException.kind == "ack_deadline_approaching")).all()
    assert {row.notes[-1]["note"] for row in resolved} == {"the 855 was delivered (its MDN came back)"}
