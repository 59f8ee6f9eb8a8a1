"""Inbound end to end: AS2 in, a real worker validates and answers the 997 over AS2."""
import io
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import select, update

from edi_maps.amazon import functional_ack_from_segments
from edi_maps.validation import validate_interchange
from edi_maps.x12.reader import X12Reader
from gateway.platform.db import session_scope
from gateway.operations.exception_queue import open_exceptions
from gateway.models import Message, X12Group
from gateway.recovery.sweep import requeue_stalled_work
from gateway.access.users import create_user
from tests.fixtures import AMAZON_FIXTURES
from tests.support.operations_pages import PASSWORD, Site
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow  # every test starts a worker process


def fixture(name: str) -> bytes:
    return (AMAZON_FIXTURES / name).read_bytes()


def received_997(amazon):
    """The functional acknowledgement Amazon received from us, read with our own reader."""
    payload = wait_for(lambda: next((p for p in amazon.received if b"ST*997*" in p), None), 90,
                       "the 997 to reach Amazon")
    segments = list(X12Reader(io.BytesIO(payload)))
    body = segments[2:-2]  # ST .. SE of the one set in the one group
    return payload, segments, functional_ack_from_segments(body, ">")


def test_a_valid_850_gets_an_accepting_997_back_over_as2(stack):
    stack.start_worker()
    stack.amazon.send(stack.url, fixture("850-single-po.edi"))
    payload, segments, ack = received_997(stack.amazon)
    assert validate_interchange(payload).is_valid, "our 997 passes our own 997 map"
    assert segments[0][6].strip() == "ACMEBRANDS" and segments[0][8].strip() == "AMAZON"
    assert segments[0][13] == "000000001", "ISA13 comes from our sequence, not the inbound interchange"
    assert [s.tag for s in segments[2:-2]] == ["ST", "AK1", "AK2", "AK5", "AK9", "SE"]
    assert (ack.functional_id, ack.group_control_number, ack.status.value) == ("PO", 101, "A")

    with session_scope(stack.settings) as session:
        inbound = session.scalars(select(Message).where(Message.direction == "inbound")).one()
        group = session.scalars(select(X12Group).where(X12Group.direction == "inbound")).one()
        assert (inbound.status, inbound.document_type) == ("processed", "850"), "typed for /messages and /metrics"
        assert (group.functional_id, group.control_number, group.ack_status) == ("PO", "101", "A")
        assert [(s.set_id, s.reference, s.ack_status) for s in group.sets] == [("850", "2XK7QP9M", "A")]
        assert group.sets[0].document["lines"][1]["pack_size"] == 12
        outbound = session.get(Message, group.ack_message_id)
        assert outbound.po_number == "2XK7QP9M", "a 997 answering one PO names it, as its delivery problems will"
        wait_for(lambda: _status(stack.settings, outbound.id) == "delivered", 30, "the 997's MDN")


def test_an_850_with_a_bad_segment_count_gets_a_rejecting_997(stack):
    stack.start_worker()
    stack.amazon.send(stack.url, fixture("850-bad-se-count.edi"))
    _, segments, ack = received_997(stack.amazon)
    ak5 = next(s for s in segments if s.tag == "AK5")
    assert (ak5[1], ak5[2]) == ("R", "4")
    assert ack.status.value == "R"
    with session_scope(stack.settings) as session:
        group = session.scalars(select(X12Group).where(X12Group.direction == "inbound")).one()
        assert group.ack_status == "R"
        assert group.sets[0].errors, "the rejection is recorded in words"
        [problem] = open_exceptions(session)
        assert problem.kind == "inbound_rejected" and "SE01" in problem.message


def test_work_left_by_a_killed_worker_is_picked_up_again(stack):
    """No worker runs while the 850 arrives; the task is lost (as when a worker dies
    holding it), the message waits as stored; the sweep re-queues it for a new worker."""
    stack.amazon.send(stack.url, fixture("850-single-po.edi"))
    _drain_queue(stack)
    with session_scope(stack.settings) as session:
        session.execute(update(Message).values(status="processing",
                                               updated_at=datetime.now(timezone.utc) - timedelta(hours=1)))
    assert requeue_stalled_work(stack.settings)["process_inbound_message"] == [1]
    stack.start_worker()
    received_997(stack.amazon)
    assert _status(stack.settings, 1) == "processed"


def _drain_queue(stack):
    """Throw away whatever tasks are queued: what a crash between queue and work loses."""
    from workers.celery_app import make_celery

    make_celery(stack.settings).control.purge()


def _status(settings, message_id):
    with session_scope(settings) as session:
        return session.get(Message, message_id).status


def received_ta1(amazon):
    """The TA1 Amazon received from us: its segments, after checking it is valid X12."""
    payload = wait_for(lambda: next((p for p in amazon.received if b"TA1*" in p), None), 90, "the TA1")
    assert validate_interchange(payload).is_valid, "our TA1 passes our own validator"
    return list(X12Reader(io.BytesIO(payload)))


def test_an_interchange_with_a_broken_envelope_is_answered_with_a_ta1(stack):
    broken = fixture("850-single-po.edi").replace(b"IEA*1*000000101~", b"IEA*1*000000999~")
    stack.start_worker()
    built, _ = stack.amazon.send(stack.url, broken)
    segments = received_ta1(stack.amazon)
    assert [s.tag for s in segments] == ["ISA", "TA1", "IEA"]
    assert segments[1].elements == ("TA1", "000000101", "261120", "0930", "R", "001")
    with session_scope(stack.settings) as session:
        assert session.scalars(select(X12Group).where(X12Group.direction == "inbound")).all() == [], "no group of a broken interchange is trusted"
        assert session.scalars(select(Message).where(Message.direction == "inbound")).one().status == "refused"
        [problem] = open_exceptions(session)
        assert (problem.kind, problem.po_number) == ("interchange_refused", "2XK7QP9M")

    # Amazon sends it again with the same Message-ID: a duplicate, not refused (and TA1'd) twice.
    stack.amazon.send(stack.url, broken, message_id=built.message_id)
    with session_scope(stack.settings) as session:
        statuses = sorted(session.scalars(select(Message.status).where(Message.direction == "inbound")))
        assert statuses == ["duplicate", "refused"]


def test_an_unpadded_isa_is_refused_with_a_ta1_and_ops_see_which_po(stack):
    """The ISA is not fixed-width, so nothing in it can be validated: it is refused whole,
    and the message, the exception queue and /metrics say so instead of "processed"."""
    stack.start_worker()
    stack.amazon.send(stack.url, fixture("850-bad-isa-width.edi"))
    segments = received_ta1(stack.amazon)
    assert segments[1].elements == ("TA1", "000000117", "261120", "0930", "R", "006")
    assert segments[0][6].strip() == "ACMEBRANDS" and segments[0][8].strip() == "AMAZON"

    with session_scope(stack.settings) as session:
        inbound = session.scalars(select(Message).where(Message.direction == "inbound")).one()
        assert (inbound.status, inbound.document_type) == ("refused", "850")
        assert "ISA06 'AMAZON' has 6 characters" in inbound.error
        ta1 = session.scalars(select(Message).where(Message.document_type == "TA1")).one()
        [problem] = open_exceptions(session)
        assert (problem.kind, problem.severity, problem.po_number) == ("interchange_refused", "critical", "3ISAWD7T")
        assert problem.message.startswith(
            f"Interchange 000000117 from AMAZON (ISA06) refused with TA1 note 006 (invalid sender ID (ISA06)); "
            f"TA1 queued as message {ta1.id}. It carries PO 3ISAWD7T; nothing in it was taken in.")
        assert problem.detail["po_numbers"] == ["3ISAWD7T"] and problem.detail["ta1_message_id"] == ta1.id
        assert (problem.subject_type, problem.subject_id) == ("message", str(inbound.id))
        inbound_id = inbound.id
        create_user(session, "ops", PASSWORD, "ops")

    metrics = httpx.get(f"{stack.url}/metrics").text
    assert 'edi_gateway_messages{direction="inbound",document_type="850",status="refused"} 1.0' in metrics
    assert 'status="processed"' not in metrics, "a refused interchange is not counted processed"
    assert 'edi_gateway_open_exceptions{kind="interchange_refused",severity="critical",status="open"} 1.0' in metrics
    with Site(stack.settings, stack.url).sign_in("ops") as ops:
        page = ops.get("/messages").text
        assert f'href="/messages/{inbound_id}"' in page and ">refused</td>" in page


def test_a_refused_interchange_no_ta1_can_name_is_still_refused_in_words(stack):
    """ISA13 is not a number: no TA1 can name the interchange, and the exception says so."""
    stack.start_worker()
    stack.amazon.send(stack.url, fixture("850-single-po.edi").replace(b"*000000101*", b"*00000A101*"))
    wait_for(lambda: _status(stack.settings, 1) == "refused", 90, "the message to be refused")
    with session_scope(stack.settings) as session:
        [problem] = open_exceptions(session)
        assert (problem.kind, problem.po_number) == ("interchange_refused", "2XK7QP9M")
        assert "refused with TA1 note 018" in problem.message and "no TA1 could be written: TA101" in problem.message
        assert problem.detail["ta1_message_id"] is None
        assert session.scalars(select(Message).where(Message.direction == "outbound")).all() == []
