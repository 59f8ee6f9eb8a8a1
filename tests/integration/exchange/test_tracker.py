"""The 997 tracker with Amazon's sample 997s answering documents we sent."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from gateway.platform.db import session_scope
from gateway.operations.exception_queue import open_exceptions
from gateway.exchange.envelopes import OutboundInterchange
from gateway.models import Message, X12Group
from gateway.exchange.tracker import expect_functional_ack, raise_overdue
from gateway.partners.registry import get_partner
from tests.fixtures import AMAZON_FIXTURES
from tests.support.processes import wait_for


def sent_group(settings, functional_id, group_number, set_code, set_number, reference, due_in=timedelta(hours=4),
               po_number=None):
    """Record that we sent a group, as send_document does: ``reference`` is the set's business
    key (the PO number, the shipment id for an 856), ``po_number`` the message's PO (default: the reference)."""
    with session_scope(settings) as session:
        partner = get_partner(session, "AMAZON")
        message = Message(direction="outbound", partner_id=partner.id, status="delivered", headers={},
                          body=b"", body_sha256="0" * 64, body_size=0, document_type=set_code,
                          po_number=po_number or reference)
        session.add(message)
        session.flush()
        interchange = OutboundInterchange("", 900, group_number, (set_number,), functional_id)
        group = expect_functional_ack(session, message, partner, interchange, set_code, {set_number: reference})
        group.ack_due_at = datetime.now(timezone.utc) + due_in
        return group.id


def group_status(settings, group_id):
    with session_scope(settings) as session:
        return session.get(X12Group, group_id).ack_status


@pytest.mark.slow
def test_amazons_997_accepting_our_855_closes_the_group(stack):
    group_id = sent_group(stack.settings, "PR", 5001, "855", "50011", "2XK7QP9M")
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "997-accepts-855.edi").read_bytes())
    wait_for(lambda: group_status(stack.settings, group_id) == "A", 60, "the 997 to close our group")
    with session_scope(stack.settings) as session:
        group = session.get(X12Group, group_id)
        assert group.sets[0].ack_status == "A" and group.acked_at is not None
        assert open_exceptions(session) == []
        # Acknowledgements are never acknowledged: Amazon's 997 is recorded, and nothing goes back.
        received = session.scalars(select(X12Group).where(X12Group.direction == "inbound")).one()
        assert (received.functional_id, received.ack_message_id) == ("FA", None)
        outbound = session.scalars(select(Message.document_type).where(Message.direction == "outbound")).all()
        assert outbound == ["855"], "only the 855 the group stands for"


@pytest.mark.slow
def test_amazons_997_rejecting_our_856_is_an_exception_in_words(stack):
    group_id = sent_group(stack.settings, "SH", 5002, "856", "50021", "SHP-1", po_number="2XK7QP9M")
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "997-rejects-856.edi").read_bytes())
    wait_for(lambda: group_status(stack.settings, group_id) == "R", 60, "the 997 to reject our group")
    with session_scope(stack.settings) as session:
        [problem] = open_exceptions(session)
    assert problem.kind == "ack_997_rejected" and problem.severity == "critical"
    assert problem.po_number == "2XK7QP9M"
    for words in ("ship notice (856) for shipment SHP-1", "segment MAN at position 14", "MAN02", "invalid code value 'XX'"):
        assert words in problem.message


@pytest.mark.slow
def test_amazons_997_rejecting_our_855_names_each_bad_element(stack):
    group_id = sent_group(stack.settings, "PR", 5005, "855", "50051", "6JQ2TW4N")
    stack.start_worker()
    stack.amazon.send(stack.url, (AMAZON_FIXTURES / "997-rejects-855.edi").read_bytes())
    wait_for(lambda: group_status(stack.settings, group_id) == "R", 60, "the 997 to reject our group")
    with session_scope(stack.settings) as session:
        [problem] = open_exceptions(session)
        assert session.get(X12Group, group_id).sets[0].ack_status == "R"
    assert problem.kind == "ack_997_rejected" and problem.severity == "critical"
    assert problem.po_number == "6JQ2TW4N"
    for words in ("PO acknowledgement (855)", "PO 6JQ2TW4N", "element BAK02 (data element 587): invalid code value 'AK'",
                  "element ACK01 (data element 668): invalid code value 'XX'",
                  "element ACK05 (data element 373): invalid date '20261131'"):
        assert words in problem.message


def test_a_997_not_received_in_time_is_overdue(stack):
    late = sent_group(stack.settings, "PR", 7001, "855", "70011", "3MZQ81RT", due_in=-timedelta(minutes=5))
    sent_group(stack.settings, "PR", 7002, "855", "70021", "4HB2XW0L", due_in=timedelta(hours=3))
    assert raise_overdue(stack.settings) == [late]
    assert raise_overdue(stack.settings) == [late]
    with session_scope(stack.settings) as session:
        [problem] = open_exceptions(session)
        assert problem.kind == "ack_997_overdue" and problem.count == 2
        assert "PO 3MZQ81RT" in problem.message and "PO acknowledgement (855)" in problem.message
        assert session.scalars(select(X12Group).where(X12Group.direction == "outbound")).all()
