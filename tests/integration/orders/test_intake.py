"""Purchase-order intake end to end: Amazon's 850 over AS2 to the gateway, a real worker,
and a sales order in the reference IMS over real HTTP (with its faults, for the hard cases).

The IMS runs in this process on a free port; the worker, a separate process, reaches it
with short timeouts and retry delays so that a test of an outage takes seconds.
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from gateway import routing
from gateway.orders import intake
from gateway.orders.acknowledgement import acknowledge_purchase_order
from gateway.platform.queue import enqueue
from gateway.orders.deadlines import ack_deadline
from gateway.partners.profile import AcknowledgementSettings
from gateway.orders.allocation import TIMELINE
from gateway.catalogue.items import import_catalogue, read_catalogue_csv
from gateway.platform.db import session_scope
from gateway.operations.exception_queue import open_exceptions
from gateway.models import AuditEvent, Message, OperationalException, PurchaseOrder, PurchaseOrderLine
from tests.fixtures import AMAZON_FIXTURES
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow  # every test starts a worker process

SINGLE_PO = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()
THREE_POS = (AMAZON_FIXTURES / "850-three-pos-one-line.edi").read_bytes()
CHANGE = (AMAZON_FIXTURES / "860-change.edi").read_bytes()


def purchase_order(stack, po_number: str) -> PurchaseOrder | None:
    with session_scope(stack.settings) as session:
        row = session.scalars(select(PurchaseOrder).where(PurchaseOrder.po_number == po_number)).first()
        if row is not None:
            row.lines  # noqa: B018  (loaded while the session is open)
        return row


def status_of(stack, po_number: str) -> str | None:
    row = purchase_order(stack, po_number)
    return row.status if row else None


def ims_order_id(stack, po_number: str) -> str | None:
    row = purchase_order(stack, po_number)
    return row.ims_order_id if row else None


def timeline(stack, po_number: str) -> list[str]:
    with session_scope(stack.settings) as session:
        return list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_type == TIMELINE, AuditEvent.subject_id == po_number).order_by(AuditEvent.id)))


def inbound_statuses(stack) -> list[str]:
    with session_scope(stack.settings) as session:
        return list(session.scalars(select(Message.status).where(Message.direction == "inbound")
                                    .order_by(Message.id)))


def exceptions(stack, po_number: str) -> dict[str, str]:
    """kind -> message of the PO's open exceptions (one per kind in these tests)."""
    with session_scope(stack.settings) as session:
        return {row.kind: row.message for row in open_exceptions(session, po_number=po_number)}


def test_an_850_over_as2_becomes_a_sales_order_and_the_same_interchange_again_is_refused_as_a_replay(stack, ims):
    stack.start_worker()
    stack.amazon.send(stack.url, SINGLE_PO)
    wait_for(lambda: status_of(stack, "2XK7QP9M") == "allocated", 60, f"the sales order\n{stack.worker_log()}")

    order = ims.order("2XK7QP9M")
    assert [(line["line_number"], line["sku"], line["ordered"], line["unit_cost"]) for line in order["lines"]] == [
        ("1", "ACME-MUG-01", 24, "12.50"), ("2", "ACME-CANDLE-12", 72, "3.3333"), ("3", "ACME-LAMP-02", 10, "7.25")]
    assert (order["vendor_code"], order["ship_to"], order["backorder_allowed"]) == ("ACMEB", "RNO1", False)
    assert order["ship_window"] == {"not_before": "2026-11-24", "not_after": "2026-12-01"}
    stored = purchase_order(stack, "2XK7QP9M")
    assert [(line.sku, line.eaches, line.allocated, line.backordered, line.status) for line in stored.lines] == [
        ("ACME-MUG-01", 24, 24, 0, "allocated"), ("ACME-CANDLE-12", 72, 72, 0, "allocated"),
        ("ACME-LAMP-02", 10, 10, 0, "allocated")]
    assert (stored.ims_order_id, stored.ims_revision) == ("2XK7QP9M", order["revision"])
    assert stored.ack_due_at == ack_deadline(stored.received_at, AcknowledgementSettings())
    assert timeline(stack, "2XK7QP9M")[:4] == ["purchase_order.received", "purchase_order.997_queued",
                                               "purchase_order.sales_order_created",
                                               "purchase_order.allocation_received"]
    assert exceptions(stack, "2XK7QP9M") == {}

    stack.amazon.send(stack.url, SINGLE_PO)  # a new AS2 Message-ID, the same interchange (ISA13)
    wait_for(lambda: inbound_statuses(stack) == ["processed", "refused"], 60, "the re-sent interchange refused")
    assert "purchase_order.interchange_refused" in timeline(stack, "2XK7QP9M")
    with session_scope(stack.settings) as session:
        assert session.scalar(select(func.count()).select_from(PurchaseOrder)) == 1
    assert ims.order("2XK7QP9M")["revision"] == order["revision"]
    assert ims.allocated("ACME-MUG-01") == 24, "nothing was ordered twice"


def test_each_line_problem_is_an_exception_and_a_different_resend_is_a_duplicate_po(stack, ims):
    with session_scope(stack.settings) as session:  # the candle loses its case pack
        import_catalogue(session, read_catalogue_csv(_write(stack, "qualifier,identifier,sku,unit_cost,case_pack,"
                                                                   "critical\nUP,012345678905,ACME-CANDLE-12,3.3333,,false\n")))
    problems = SINGLE_PO.replace(b"PO1*1*24*EA*12.50", b"PO1*1*24*EA*12.40").replace(b"B07XJ8C8F5", b"B000000000")
    stack.start_worker()
    stack.amazon.send(stack.url, problems)
    wait_for(lambda: status_of(stack, "2XK7QP9M") == "allocated", 60, f"the sales order\n{stack.worker_log()}")

    found = exceptions(stack, "2XK7QP9M")
    assert set(found) == {"cost_mismatch", "unit_mismatch", "sku_mismatch"}
    assert found["cost_mismatch"] == ("PO 2XK7QP9M line 1: PO cost 12.40 per each is 0.10 lower than the catalogue's "
                                      "12.50 per each for ACME-MUG-01; the 855 states Amazon's 12.40 per each")
    assert "line 2: 6 cases of ACME-CANDLE-12, which has no case pack" in found["unit_mismatch"]
    assert "line 3: BP B000000000 is not in the catalogue" in found["sku_mismatch"]
    with session_scope(stack.settings) as session:  # each names its line, written before its exception
        named = {row.kind: (row.subject_type, row.subject_id) for row in open_exceptions(session, po_number="2XK7QP9M")}
    line_ids = [str(line.id) for line in purchase_order(stack, "2XK7QP9M").lines]
    assert named == {"cost_mismatch": ("purchase_order_line", line_ids[0]),
                     "unit_mismatch": ("purchase_order_line", line_ids[1]),
                     "sku_mismatch": ("purchase_order_line", line_ids[2])}
    assert [(line["line_number"], line["ordered"], line["unit_cost"]) for line in ims.order("2XK7QP9M")["lines"]] == [
        ("1", 24, "12.40"), ("2", 72, "3.3333")], \
        "only mapped lines go to the IMS, at Amazon's cost per each (a case over PO4's pack)"
    assert [line.status for line in purchase_order(stack, "2XK7QP9M").lines] == ["allocated", "allocated", "held"]

    # The same PO number, different content, in a new interchange (the same ISA13 is a replay).
    stack.amazon.send(stack.url, SINGLE_PO.replace(b"*000000101*", b"*000000201*").replace(b"*000000101~", b"*000000201~"))
    wait_for(lambda: "duplicate_po" in exceptions(stack, "2XK7QP9M"), 60, "the duplicate_po exception")
    assert purchase_order(stack, "2XK7QP9M").lines[0].unit_cost == Decimal("12.40"), "the first PO is kept"

    stack.amazon.send(stack.url, THREE_POS)
    wait_for(lambda: status_of(stack, "5PLK33ZD") == "held", 60, "the PO with nothing to send to be held")
    assert set(exceptions(stack, "5PLK33ZD")) == {"sku_mismatch"}
    wait_for(lambda: status_of(stack, "4HB2XW0L") == "partially_allocated", 60, "the rush order")
    tee = purchase_order(stack, "4HB2XW0L").lines[1]
    assert (tee.eaches, tee.allocated, tee.backordered) == (48, 4, 44)

    # Stock arrives in the IMS: its callback brings the new allocation to the gateway.
    ims.client.put("/api/v1/stock/ACME-TEE-BLK-M", json={"on_hand": 100, "reserved": 0}).raise_for_status()
    wait_for(lambda: status_of(stack, "4HB2XW0L") == "allocated", 30, "the allocation callback")
    tee = purchase_order(stack, "4HB2XW0L").lines[1]
    assert (tee.allocated, tee.backordered, tee.status) == (48, 0, "allocated")
    assert timeline(stack, "4HB2XW0L").count("purchase_order.allocation_received") == 2


def test_three_pos_for_three_warehouses_become_three_sales_orders(stack, ims):
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "850-several-pos-many-lines.edi").read_bytes())
    for po_number in ("6JQ2TW4N", "7RKD5V2P", "8WNX3C7H"):
        wait_for(lambda po_number=po_number: ims_order_id(stack, po_number), 60,
                 f"the sales order of {po_number}\n{stack.worker_log()}")

    def ordered(po_number):
        order = ims.order(po_number)
        lines = [(line["line_number"], line["sku"], line["ordered"], line["unit_cost"]) for line in order["lines"]]
        return order["ship_to"], order["ship_window"], lines

    assert ordered("6JQ2TW4N") == ("ONT8", {"not_before": "2026-11-25", "not_after": "2026-12-03"}, [
        ("1", "ACME-MUG-01", 48, "12.50"), ("2", "ACME-MUG-02", 24, "12.50"), ("3", "ACME-CANDLE-12", 60, "3.3333"),
        ("4", "ACME-LAMP-02", 15, "7.25"), ("5", "ACME-TEE-BLK-M", 36, "3.10"), ("6", "ACME-SOAP-03", 12, "4.00")])
    assert ordered("7RKD5V2P") == ("BFI4", {"not_before": "2026-11-26", "not_after": "2026-12-04"}, [
        ("1", "ACME-MUG-01", 12, "12.50"), ("2", "ACME-CANDLE-12", 24, "3.3333"), ("3", "ACME-LAMP-02", 30, "7.25"),
        ("4", "ACME-MUG-02", 6, "12.50"), ("5", "ACME-TEE-BLK-M", 60, "3.10")])
    assert ordered("8WNX3C7H") == ("SDF8", {"not_before": "2026-11-23", "not_after": "2026-11-27"}, [
        ("1", "ACME-LAMP-02", 8, "7.25"), ("2", "ACME-CANDLE-12", 12, "3.3333"), ("3", "ACME-MUG-01", 24, "12.50"),
        ("4", "ACME-SOAP-03", 10, "4.00")])
    # What all three got of the demo stock: the mugs and candles there are, none of the
    # reserved soap; the lamps (40 free) and tees (4) are shared out in whatever order.
    assert ims.allocated("ACME-MUG-01") == 84 and ims.allocated("ACME-CANDLE-12") == 96
    assert ims.allocated("ACME-SOAP-03") == 0 and ims.allocated("ACME-MUG-02") == 0
    assert ims.allocated("ACME-LAMP-02") == 40 and ims.allocated("ACME-TEE-BLK-M") == 4


def test_an_860_cancelling_one_line_of_a_several_po_interchange_reaches_the_ims(stack, ims):
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "850-several-pos-many-lines.edi").read_bytes())
    wait_for(lambda: ims_order_id(stack, "6JQ2TW4N"), 60, f"the sales order\n{stack.worker_log()}")
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "860-cancel-line.edi").read_bytes())
    wait_for(lambda: "purchase_order.sales_order_updated" in timeline(stack, "6JQ2TW4N"), 60,
             f"the change to reach the IMS\n{stack.worker_log()}")

    lines = {line["line_number"]: line["status"] for line in ims.order("6JQ2TW4N")["lines"]}
    assert lines["6"] == "cancelled" and "cancelled" not in [lines[n] for n in "12345"]
    assert [line.status for line in purchase_order(stack, "6JQ2TW4N").lines][5] == "cancelled"
    assert "purchase_order.change_applied" in timeline(stack, "6JQ2TW4N")


def test_identifiers_the_catalogue_does_not_know_are_held_and_named(stack, ims):
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "850-unknown-identifiers.edi").read_bytes())
    wait_for(lambda: status_of(stack, "6UNK4QZT") == "allocated", 60, f"the sales order\n{stack.worker_log()}")

    with session_scope(stack.settings) as session:  # one exception per line
        found = sorted((row.kind, row.message) for row in open_exceptions(session, po_number="6UNK4QZT"))
    assert found == [("sku_mismatch", f"PO 6UNK4QZT line {unknown} is not in the catalogue") for unknown in (
        "2: EN 5012345678931", "3: BP B0CX7Q2LMN", "4: UP 036000291469", "5: IB 9780306406157", "6: VP ACME-OLD-99")]
    assert [(line["line_number"], line["sku"], line["ordered"]) for line in ims.order("6UNK4QZT")["lines"]] == [
        ("1", "ACME-MUG-01", 6)], "only the known product goes to the IMS"
    assert [line.status for line in purchase_order(stack, "6UNK4QZT").lines] == ["allocated"] + ["held"] * 5


def test_an_ims_that_commits_then_times_out_gets_the_order_once(stack, ims):
    ims.fault(mode="commit_then_timeout", count=1, delay_seconds=3)
    stack.start_worker()
    stack.amazon.send(stack.url, SINGLE_PO)
    wait_for(lambda: status_of(stack, "2XK7QP9M") == "allocated", 60, f"the sales order\n{stack.worker_log()}")
    order = ims.order("2XK7QP9M")
    assert order["revision"] == 1, "the retry got the committed order back, it did not change it"
    assert ims.allocated("ACME-MUG-01") == 24 and ims.allocated("ACME-CANDLE-12") == 72, "exactly one order"
    assert "ims_call_failed" not in exceptions(stack, "2XK7QP9M"), "the in-call retry covered the timeout"


def test_orders_reach_an_ims_that_was_down_once_it_is_back(stack, ims):
    # Down until the outage is seen, however long a loaded machine takes to get there; then back.
    ims.fault(mode="down_for_seconds", seconds=600)
    stack.start_worker()
    stack.amazon.send(stack.url, SINGLE_PO)
    wait_for(lambda: "ims_call_failed" in exceptions(stack, "2XK7QP9M"), 60, "the outage to be recorded")
    assert status_of(stack, "2XK7QP9M") == "received"
    ims.fault(mode="down", count=0)
    wait_for(lambda: status_of(stack, "2XK7QP9M") == "allocated", 60, f"the sales order\n{stack.worker_log()}")
    assert ims.order("2XK7QP9M")["revision"] == 1
    assert "purchase_order.ims_unavailable" in timeline(stack, "2XK7QP9M")
    assert "ims_call_failed" not in exceptions(stack, "2XK7QP9M"), "its cause is gone"
    with session_scope(stack.settings) as session:
        [outage] = session.scalars(select(OperationalException).where(OperationalException.kind == "ims_call_failed"))
        assert (outage.status, outage.notes[-1]["by"]) == ("resolved", "gateway")
        assert outage.notes[-1]["note"] == "the IMS created the sales order"


def test_an_855_that_cannot_be_stored_leaves_the_allocation_stored_and_goes_on_as_its_own_task(
        stack, ims, monkeypatch):
    """The sales-order task decides the 855 in the transaction that stores the IMS's answer.
    When the 855 fails there, that transaction is rolled back whole (its events are gone),
    the answer is stored alone, and the 855 is queued as its own task, as it was before the
    two were one transaction."""
    settings = dataclasses.replace(stack.settings, ims_url=stack.environment["EDI_GATEWAY_IMS_URL"],
                                   ims_token=stack.environment["EDI_GATEWAY_IMS_TOKEN"])
    stack.amazon.send(stack.url, SINGLE_PO)
    with session_scope(settings) as session:
        [message_id] = session.scalars(select(Message.id).where(Message.direction == "inbound"))
    routing.process_inbound_message(settings, message_id)
    po_id = purchase_order(stack, "2XK7QP9M").id

    def no_855(*_args, **_kwargs):
        raise RuntimeError("the 855 could not be stored")

    queued: list[tuple[str, dict]] = []

    def spied_enqueue(current, task, **arguments):
        queued.append((task, arguments))
        enqueue(current, task, **arguments)

    monkeypatch.setattr(intake, "acknowledge", no_855)
    monkeypatch.setattr(intake, "enqueue", spied_enqueue)
    assert intake.create_sales_order(settings, po_id) == "allocated"
    stored = purchase_order(stack, "2XK7QP9M")
    assert (stored.status, stored.ims_revision, stored.ack_message_id) == ("allocated", 1, None)
    assert timeline(stack, "2XK7QP9M").count("purchase_order.sales_order_created") == 1, "the first try rolled back"
    assert queued == [("workers.tasks.acknowledge_purchase_order", {"purchase_order_id": po_id})]

    monkeypatch.undo()
    assert acknowledge_purchase_order(settings, po_id) == "sent", "what the queued task does"
    assert ims.order("2XK7QP9M")["revision"] == 1


def test_an_ims_refusal_holds_the_po_with_the_ims_detail(stack, ims):
    stack.environment["EDI_GATEWAY_IMS_TOKEN"] = "not-the-ims-token"
    stack.start_worker()
    stack.amazon.send(stack.url, SINGLE_PO)
    wait_for(lambda: status_of(stack, "2XK7QP9M") == "held", 60, f"the refusal\n{stack.worker_log()}")
    failure = exceptions(stack, "2XK7QP9M")["ims_call_failed"]
    assert "IMS answered 401: a valid bearer token is required" in failure
    assert "purchase_order.ims_rejected" in timeline(stack, "2XK7QP9M")


def test_an_860_cancelling_a_line_and_lowering_another_reaches_the_ims(stack, ims):
    stack.start_worker()
    stack.amazon.send(stack.url, SINGLE_PO)
    wait_for(lambda: status_of(stack, "2XK7QP9M") == "allocated", 60, f"the sales order\n{stack.worker_log()}")
    stack.amazon.send(stack.url, CHANGE)
    wait_for(lambda: "purchase_order.sales_order_updated" in timeline(stack, "2XK7QP9M"), 60,
             f"the change to reach the IMS\n{stack.worker_log()}")

    lines = {line["line_number"]: line for line in ims.order("2XK7QP9M")["lines"]}
    assert (lines["2"]["ordered"], lines["2"]["status"]) == (48, "allocated"), "4 cases of 12"
    assert (lines["3"]["status"], lines["3"]["allocated"]) == ("cancelled", 0)
    assert ims.allocated("ACME-LAMP-02") == 0
    stored = purchase_order(stack, "2XK7QP9M")
    assert [(line.quantity, line.eaches, line.status) for line in stored.lines] == [
        (24, 24, "allocated"), (4, 48, "allocated"), (10, 10, "cancelled")]
    assert stored.status == "allocated"
    events = timeline(stack, "2XK7QP9M")
    assert events.index("purchase_order.change_applied") < events.index("purchase_order.sales_order_updated")


def test_a_captured_860_replayed_with_a_new_message_id_is_refused_with_ta1_025_and_not_applied_again(stack, ims):
    """The replay passes every AS2 check (it is the partner's own signed bytes); its ISA13
    is what gives it away. Applying it again would roll back what changed since."""
    stack.start_worker()
    stack.amazon.send(stack.url, SINGLE_PO)
    wait_for(lambda: status_of(stack, "2XK7QP9M") == "allocated", 60, f"the sales order\n{stack.worker_log()}")
    original, _ = stack.amazon.send(stack.url, CHANGE)
    wait_for(lambda: "purchase_order.sales_order_updated" in timeline(stack, "2XK7QP9M"), 60,
             f"the change to reach the IMS\n{stack.worker_log()}")
    revision = ims.order("2XK7QP9M")["revision"]
    with session_scope(stack.settings) as session:  # what happened since the 860: the IMS allocated more
        line = next(line for line in purchase_order(stack, "2XK7QP9M").lines if line.line_number == "2")
        session.execute(update(PurchaseOrderLine).where(PurchaseOrderLine.id == line.id).values(quantity=5))

    replay, response = stack.amazon.send(stack.url, CHANGE)  # the same bytes, a new Message-ID
    assert replay.message_id != original.message_id and response.status_code == 200
    wait_for(lambda: inbound_statuses(stack) == ["processed", "processed", "refused"], 60,
             f"the replay refused\n{stack.worker_log()}")
    ta1 = wait_for(lambda: next((p for p in stack.amazon.received if b"TA1*" in p), None), 60, "the TA1")
    assert b"TA1*000000105*261120*0930*R*025" in ta1
    stored = purchase_order(stack, "2XK7QP9M")
    assert [(line.quantity, line.status) for line in stored.lines] == [
        (24, "allocated"), (5, "allocated"), (10, "cancelled")], "nothing in the replay was applied"
    assert timeline(stack, "2XK7QP9M").count("purchase_order.change_applied") == 1
    assert ims.order("2XK7QP9M")["revision"] == revision
    with session_scope(stack.settings) as session:
        [problem] = [row for row in open_exceptions(session) if row.kind == "interchange_refused"]
    assert problem.severity == "high" and problem.detail["ta1_note_code"] == "025"
    assert problem.message.startswith("Interchange 000000105 from AMAZON (ISA06) refused with TA1 note 025 "
                                      "(duplicate interchange control number)")
    assert "It carries PO 2XK7QP9M" in problem.message and "already taken in from message" in problem.message


def _write(stack, text: str):
    path = stack.data_dir / "catalogue-update.csv"
    path.write_text(text)
    return path
