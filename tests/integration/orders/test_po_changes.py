"""860 changes applied to a stored PO, on each database: prices, what cannot be applied,
and the 855 that a price-only change makes due again.

The changes are real X12 read by our 860 translation, applied in a transaction as the
worker applies them; the IMS and AS2 legs are covered end to end in test_intake and
test_acknowledge_e2e.
"""
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from edi_maps.amazon import translate_transaction_set
from edi_maps.x12.reader import X12Reader, transaction_sets
from gateway.orders.acknowledgement import acknowledge_purchase_order
from gateway.partners.certificates import generate_organization_key
from gateway.platform.db import session_scope
from gateway.sandbox.development import ensure_development_identity
from gateway.operations.exception_queue import open_exceptions
from gateway.partners.keystore import import_partner_certificate
from gateway.models import AuditEvent, CatalogueItem, PurchaseOrder, PurchaseOrderLine
from gateway.orders.po_changes import apply_po_change
from gateway.partners.registry import add_partner
from tests.integration.orders.test_acknowledge import sent_855s
from tests.support.inbound import inbound_message

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
AMAZON_KEY = generate_organization_key("AMAZON", b"test")
ENVELOPE = ("ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEBRANDS     *261120*0930*U*00401*000000105*0*P*>~"
            "GS*PC*AMAZON*ACMEBRANDS*20261120*0930*105*X*004010~ST*860*1051~BCH*04*NE*2XK7QP9M***20261120*20261121~"
            "{body}SE*{count}*1051~GE*1*105~IEA*1*000000105~")


def change_860(*segments: str):
    """The PoChange our translation reads from an 860 with these segments after BCH."""
    text = ENVELOPE.format(body="".join(f"{segment}~" for segment in segments), count=len(segments) + 3)
    [(read, location)] = list(transaction_sets(X12Reader(io.BytesIO(text.encode()))))
    return translate_transaction_set(read, location.interchange.delimiters.component)


@pytest.fixture
def gateway(settings):
    """A partner, a catalogue that expects 12.50 for the mug, and PO 2XK7QP9M already in the IMS:
    line 1, 24 mugs at 12.50, all allocated; line 2, 10 lamps at 7.25, all allocated."""
    ensure_development_identity(settings)
    with session_scope(settings) as session:
        partner = add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON",
                              as2={"url": "http://127.0.0.1:9/as2"})
        import_partner_certificate(session, partner, AMAZON_KEY.certificate_pem)
        session.add(CatalogueItem(qualifier="EN", identifier="5012345678900", sku="ACME-MUG-01",
                                  unit_cost=Decimal("12.50")))
        po = PurchaseOrder(partner_id=partner.id, vendor_code="ACMEB", po_number="2XK7QP9M", order_type="NE",
                           ship_not_before=date(2026, 11, 24), ship_not_after=date(2026, 12, 1), ship_to="RNO1",
                           backorder_allowed=False, status="allocated", content_sha256="0" * 64,
                           received_at=NOW - timedelta(hours=1), ims_order_id="SO-1")
        po.lines = [
            PurchaseOrderLine(line_number="1", qualifier="EN", identifier="5012345678900", quantity=Decimal(24),
                              unit="EA", unit_cost=Decimal("12.50"), sku="ACME-MUG-01", eaches=24, allocated=24,
                              status="allocated"),
            PurchaseOrderLine(line_number="2", qualifier="BP", identifier="B07XJ8C8F5", quantity=Decimal(10),
                              unit="EA", unit_cost=Decimal("7.25"), sku="ACME-LAMP-02", eaches=10, allocated=10,
                              status="allocated"),
        ]
        session.add(po)
    return settings


def apply(settings, change) -> PurchaseOrder | None:
    """Apply ``change`` as the worker does, from a stored inbound message."""
    with session_scope(settings) as session:
        changed = apply_po_change(session, *inbound_message(session), change)
        return changed.po_number if changed else None


def stored_lines(settings) -> dict[str, PurchaseOrderLine]:
    with session_scope(settings) as session:
        return {line.line_number: line for line in session.scalars(select(PurchaseOrderLine))}


def open_problems(settings) -> dict[str, list]:
    with session_scope(settings) as session:
        problems: dict[str, list] = {}
        for row in open_exceptions(session, po_number="2XK7QP9M"):
            problems.setdefault(row.kind, []).append(row)
        return problems


def test_a_price_change_updates_the_line_and_finance_hears_it_differs_from_the_catalogue(gateway):
    assert apply(gateway, change_860("POC*1*PC*24*24*EA*11.75**EN*5012345678900")) == "2XK7QP9M"
    line = stored_lines(gateway)["1"]
    assert (line.unit_cost, line.quantity, line.status) == (Decimal("11.75"), 24, "allocated")
    [mismatch] = open_problems(gateway)["cost_mismatch"]
    assert mismatch.detail["po_cost"] == "11.75" and mismatch.detail["catalogue_cost"] == "12.50"
    with session_scope(gateway) as session:
        assert session.scalars(select(PurchaseOrder)).one().status == "change_pending", "the IMS is asked again"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "purchase_order.change_applied")).one()
    assert event.detail["changes"] == [{"line_number": "1", "unit_cost": "11.75"}]


def test_a_price_and_quantity_change_applies_both(gateway):
    assert apply(gateway, change_860("POC*2*PQ*6*6*EA*6.99**BP*B07XJ8C8F5")) == "2XK7QP9M"
    line = stored_lines(gateway)["2"]
    assert (line.quantity, line.eaches, line.unit_cost) == (6, 6, Decimal("6.99"))
    assert "cost_mismatch" not in open_problems(gateway), "the catalogue has no expected cost for the lamp"


def test_a_change_to_cases_compares_the_cost_per_case(gateway):
    """The mug costs 12.50 each: 2 cases of 12 are 150.00 a case, and Amazon's unchanged 12.50 is now per case."""
    assert apply(gateway, change_860("POC*1*CA*2*2*CA*12.50**EN*5012345678900", "PO4*12")) == "2XK7QP9M"
    line = stored_lines(gateway)["1"]
    assert (line.quantity, line.unit, line.pack_size, line.eaches) == (2, "CA", 12, 24)
    [mismatch] = open_problems(gateway)["cost_mismatch"]
    assert mismatch.message == ("PO 2XK7QP9M line 1: PO cost 12.50 per case is 137.50 lower than the catalogue's "
                                "150.00 per case (12 x 12.50 each) for ACME-MUG-01; the 855 states Amazon's 12.50 "
                                "per case")
    assert (mismatch.po_number, mismatch.detail["line_number"], mismatch.detail["unit"]) == ("2XK7QP9M", "1", "CA")

    apply(gateway, change_860("POC*1*PC*2*2*CA*150.00**EN*5012345678900", "PO4*12"))  # Amazon corrects its price
    assert stored_lines(gateway)["1"].unit_cost == Decimal("150.00")
    [again] = open_problems(gateway)["cost_mismatch"]
    assert again.id == mismatch.id and again.count == 1, "a matching cost raises nothing more"


def test_the_same_price_again_changes_nothing(gateway):
    assert apply(gateway, change_860("POC*1*PC*24*24*EA*12.50**EN*5012345678900")) is None
    assert open_problems(gateway) == {}


def test_what_cannot_be_applied_is_one_exception_naming_each_change(gateway):
    change = change_860("POC*3*AI*6*6*EA*3.10**UP*036000291452",
                        "POC*2*RS*10*10*EA*7.25**BP*B07XJ8C8F5", "DTM*067*20261205",
                        "POC*9*QD*1*1*EA*1.00**BP*B000000009")
    assert apply(gateway, change) is None, "nothing here changes the PO"
    [problem] = open_problems(gateway)["po_change_not_applied"]
    assert [(item["line_number"], item["change"]) for item in problem.detail["not_applied"]] == [
        ("3", "AI"), ("2", "RS"), ("9", "QD")]
    added = problem.detail["not_applied"][0]
    assert (added["identifier"], added["quantity"]) == ("UP 036000291452", "6")
    assert "adding a line is not supported" in problem.message
    assert "dates for one line are not kept" in problem.message and "line 9 (QD): no such line" in problem.message
    assert len(stored_lines(gateway)) == 2, "no line was added"

    apply(gateway, change)  # Amazon sends the same 860 again
    [again] = open_problems(gateway)["po_change_not_applied"]
    assert (again.id, again.count) == (problem.id, 2), "the same refused changes are the same exception"


def test_a_price_only_change_makes_the_855_due_again_with_the_new_cost(gateway):
    with session_scope(gateway) as session:
        po = session.scalars(select(PurchaseOrder)).one()
        po.ims_order_id, po_id = None, po.id  # no IMS leg in this test
    assert acknowledge_purchase_order(gateway, po_id, now=NOW) == "sent"
    assert acknowledge_purchase_order(gateway, po_id, now=NOW + timedelta(hours=1)) == "unchanged"
    assert stored_lines(gateway)["1"].acknowledged_unit_cost == Decimal("12.50")

    apply(gateway, change_860("POC*1*PC*24*24*EA*11.75**EN*5012345678900"))
    assert acknowledge_purchase_order(gateway, po_id, now=NOW + timedelta(hours=2)) == "resent"
    assert acknowledge_purchase_order(gateway, po_id, now=NOW + timedelta(hours=3)) == "unchanged"
    first, second = sent_855s(gateway)
    assert first[1] == "PO1*1*24*EA*12.5**EN*5012345678900"
    assert second[1] == "PO1*1*24*EA*11.75**EN*5012345678900"
    assert [segment for segment in second if segment.startswith("ACK")] == [
        segment for segment in first if segment.startswith("ACK")], "the outcomes did not change, only the cost"
    assert stored_lines(gateway)["1"].acknowledged_unit_cost == Decimal("11.75")
