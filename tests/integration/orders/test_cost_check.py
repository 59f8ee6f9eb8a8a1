"""The cost check from 850 to 855, on each database: intake compares each line's cost with the
catalogue's per-each cost in the PO's unit, the IMS's allocation is stored, and the 855 states
Amazon's cost per that unit while finance gets the difference as an exception.

The IMS and AS2 legs are covered end to end in test_intake and test_acknowledge_e2e; here the
IMS's answer is the sales order with every line allocated.
"""
import io
from decimal import Decimal

from edi_maps.amazon import translate_transaction_set
from edi_maps.x12.reader import X12Reader, transaction_sets
from gateway.catalogue.items import import_catalogue, read_catalogue_csv
from gateway.models import PurchaseOrder
from gateway.operations.exception_queue import open_exceptions
from gateway.orders.acknowledgement import acknowledge_purchase_order
from gateway.orders.allocation import SalesOrderAllocation, store_allocation
from gateway.orders.intake import receive_purchase_order, sales_order_body
from gateway.orders.status import PurchaseOrderStatus, move
from gateway.platform.db import session_scope
from tests.fixtures import AMAZON_FIXTURES
from tests.integration.orders.test_acknowledge import gateway, sent_855s  # noqa: F401 (gateway: the fixture)
from tests.support.inbound import inbound_message

# PO 2XK7QP9M with the trial's line 1 (2 EA of a vase at 39.00; the catalogue says 40.00 each,
# case pack 12), 6 cases of candles at 38.00 (the catalogue: 3.3333 each, so 40.00 a case)
# and 10 lamps at the catalogue's 7.25.
ORDER_850 = ((AMAZON_FIXTURES / "850-single-po.edi").read_text()
             .replace("PO1*1*24*EA*12.50**EN*5012345678900~", "PO1*1*2*EA*39.00**UP*012345678912~")
             .replace("PO1*2*6*CA*40.00**UP*012345678905~", "PO1*2*6*CA*38.00**UP*012345678905~")
             .replace("CTT*3*40~", "CTT*3*18~"))


def receive_and_allocate(settings) -> int:
    """With the demo catalogue beside the vase of ``gateway``, intake stores the 850; the IMS,
    sent the sales order, allocates every line in full."""
    [(segments, location)] = list(transaction_sets(X12Reader(io.BytesIO(ORDER_850.encode()))))
    order = translate_transaction_set(segments, location.interchange.delimiters.component)
    with session_scope(settings) as session:
        import_catalogue(session, read_catalogue_csv(AMAZON_FIXTURES / "catalogue.csv"))
        purchase_order = receive_purchase_order(session, *inbound_message(session), order)
        assert purchase_order is not None
        body = sales_order_body(purchase_order)
        assert body is not None
        answer = {**body, "status": "open", "revision": 1, "lines": [
            {"line_number": line["line_number"], "sku": line["sku"], "unit_cost": line["unit_cost"],
             "ordered": line["quantity"], "allocated": line["quantity"], "backordered": 0, "unavailable": 0,
             "backorder_ship_date": None, "unavailable_reason": None, "status": "allocated"}
            for line in body["lines"]]}
        move(purchase_order, PurchaseOrderStatus.SALES_ORDER_CREATED)
        assert store_allocation(session, purchase_order, SalesOrderAllocation.from_json(answer), source="create")
        return purchase_order.id


def test_the_855_states_amazons_cost_per_the_pos_unit_and_finance_hears_of_each_difference(gateway):
    po_id = receive_and_allocate(gateway)
    with session_scope(gateway) as session:
        problems = {row.detail["line_number"]: row for row in open_exceptions(session, po_number="2XK7QP9M")}
        assert {number: row.kind for number, row in problems.items()} == {
            "1": "cost_mismatch", "2": "cost_mismatch"}, "the lamp costs what the catalogue says"
        assert problems["1"].message == (
            "PO 2XK7QP9M line 1: PO cost 39.00 per each is 1.00 lower than the catalogue's 40.00 per each "
            "for ACME-VASE-12; the 855 states Amazon's 39.00 per each")
        assert problems["2"].message == (
            "PO 2XK7QP9M line 2: PO cost 38.00 per case is 2.00 lower than the catalogue's 40.00 per case "
            "(12 x 3.3333 each) for ACME-CANDLE-12; the 855 states Amazon's 38.00 per case")
        assert problems["2"].detail == {
            "line_number": "2", "identifier": "012345678905", "qualifier": "UP", "po_number": "2XK7QP9M",
            "unit": "CA", "po_cost": "38.00", "catalogue_cost": "40.00", "difference": "2.00",
            "higher": "catalogue", "catalogue_unit_cost": "3.3333", "eaches_per_unit": 12}
        assert problems["2"].po_number == "2XK7QP9M"

    assert acknowledge_purchase_order(gateway, po_id) == "sent"  # just after intake, inside the window
    [body] = sent_855s(gateway)
    assert [segment for segment in body if not segment.startswith(("ACK", "DTM"))] == [
        "BAK*00*AD*2XK7QP9M*20261120",
        "PO1*1*2*EA*39**UP*012345678912",
        "PO1*2*6*CA*38**UP*012345678905", "PO4*12",
        "PO1*3*10*EA*7.25**BP*B07XJ8C8F5",
        "CTT*3*18"]
    assert [segment.split("*068*")[0] for segment in body if segment.startswith("ACK")] == [
        "ACK*IA*2*EA", "ACK*IA*6*CA", "ACK*IA*10*EA"], "a cost difference is no reason to hold back stock"
    with session_scope(gateway) as session:
        costs = [line.acknowledged_unit_cost for line in session.get(PurchaseOrder, po_id).lines]
    assert costs == [Decimal("39.00"), Decimal("38.00"), Decimal("7.25")], "what the invoice must bill, per PO unit"

