"""Sending to Amazon over AS2: MDN and MIC checks, retries with the same Message-ID, giving up."""
import pytest
from sqlalchemy import select

from gateway.platform.db import session_scope
from gateway.models import AuditEvent, Message
from gateway.platform.queue import enqueue
from gateway.partners.registry import get_partner, update_profile
from gateway.transport.as2.sender import queue_outbound
from gateway.operations.exception_queue import open_exceptions
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow  # every test starts a worker process

PAYLOAD = b"ISA*00*test payload~"


def queue(stack, payload: bytes = PAYLOAD, po_number: str | None = None) -> int:
    """Store an 855 for Amazon (about ``po_number``, if given) and queue its send."""
    with session_scope(stack.settings) as session:
        message = queue_outbound(session, stack.settings, get_partner(session, "AMAZON"), payload,
                                 document_type="855", filename="855.edi", po_number=po_number)
        message_id = message.id
    enqueue(stack.settings, "workers.tasks.send_as2_message", message_id=message_id)
    return message_id


def message(stack, message_id) -> Message:
    with session_scope(stack.settings) as session:
        return session.get(Message, message_id)


def test_a_message_is_delivered_when_the_signed_mdn_returns_our_mic(stack):
    stack.start_worker()
    message_id = queue(stack)
    wait_for(lambda: message(stack, message_id).status == "delivered", 60, "delivery")
    sent = message(stack, message_id)
    assert stack.amazon.received == [PAYLOAD]
    assert stack.amazon.received_message_ids == [sent.transport_id]
    assert sent.mdn_status == "processed" and sent.mic


def test_retries_keep_the_message_id_until_the_partner_answers(stack):
    stack.amazon.fail_next = 2
    stack.start_worker()
    message_id = queue(stack)
    wait_for(lambda: message(stack, message_id).status == "delivered", 90, "delivery after two 503s")
    sent = message(stack, message_id)
    assert sent.attempts == 3
    assert stack.amazon.received_message_ids == [sent.transport_id], "only the third attempt got through"
    with session_scope(stack.settings) as session:
        failures = session.scalars(select(AuditEvent).where(AuditEvent.action == "as2.attempt_failed")).all()
    assert [event.detail["error"] for event in failures] == ["HTTP 503", "HTTP 503"]


def test_after_the_last_attempt_the_message_is_failed(stack):
    stack.amazon.fail_next = 100
    stack.start_worker(retry_base_seconds="0.05")  # seven attempts in 3 s, not 13
    message_id = queue(stack)
    wait_for(lambda: message(stack, message_id).status == "failed", 120, "giving up")
    failed = message(stack, message_id)
    assert failed.attempts == 7  # the first try and six retries
    assert failed.error == "gave up after 7 attempts: HTTP 503"
    with session_scope(stack.settings) as session:
        [problem] = open_exceptions(session)
    assert problem.kind == "as2_send_failed" and problem.severity == "critical"


def test_an_async_mdn_is_matched_to_the_message_and_its_mic_checked(stack):
    with session_scope(stack.settings) as session:
        update_profile(get_partner(session, "AMAZON"), "as2", {"mdn_mode": "async"})
    stack.start_worker()
    message_id = queue(stack)
    wait_for(lambda: message(stack, message_id).status == "delivered", 60, "the async MDN")
    assert message(stack, message_id).mdn_status == "processed"
