"""Delivered means a verified MDN came back: a 200 without one, a late async MDN and a forged
one are not deliveries, and what ops see says so, naming the PO, until a real MDN comes."""
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import select

from gateway.models import AuditEvent, Message, OperationalException
from gateway.partners.registry import get_partner, update_profile
from gateway.platform.db import session_scope
from gateway.recovery.sweep import requeue_stalled_work
from tests.integration.transport.as2.test_as2_outbound import message
from tests.integration.transport.as2.test_as2_outbound import queue as queue_855
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow  # every test starts a worker process

PAYLOAD = b"ISA*00*an 855 for PO 2XK7QP9M~"


def queue(stack) -> int:
    return queue_855(stack, PAYLOAD, po_number="2XK7QP9M")


def exceptions_of(stack, message_id) -> list[OperationalException]:
    with session_scope(stack.settings) as session:
        return list(session.scalars(select(OperationalException).where(
            OperationalException.subject_type == "message", OperationalException.subject_id == str(message_id))))


def actions(stack, subject_type: str, subject_id) -> list[str]:
    with session_scope(stack.settings) as session:
        return list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id)).order_by(AuditEvent.id)))


def test_a_200_without_an_mdn_is_retried_with_the_same_bytes_and_the_exception_resolves_on_delivery(stack):
    stack.amazon.mdn_missing_next = 2
    stack.start_worker()
    message_id = queue(stack)
    wait_for(lambda: message(stack, message_id).status == "delivered", 90, f"delivery\n{stack.worker_log()}")

    sent = message(stack, message_id)
    assert sent.attempts == 3 and sent.mdn_status == "processed"
    assert stack.amazon.received_message_ids == [sent.transport_id] * 3, "one Message-ID for every attempt"
    assert len(set(stack.amazon.received_bodies)) == 1, "every attempt POSTed the same bytes"
    assert actions(stack, "message", message_id).count("as2.attempt_failed") == 2
    [problem] = exceptions_of(stack, message_id)
    assert problem.kind == "as2_send_failed" and problem.po_number == "2XK7QP9M"
    assert problem.severity == "high", "high while retrying; nothing made it critical"
    assert problem.message.startswith(f"855 for PO 2XK7QP9M (Message-ID {sent.transport_id}) not delivered: "
                                      f"attempt 2 of 7 failed: HTTP 200, no MDN came back")
    assert problem.status == "resolved"
    assert problem.notes[-1]["by"] == "gateway"
    assert problem.notes[-1]["note"] == "delivered on attempt 3: the MDN says processed"
    assert actions(stack, "exception", problem.id) == ["exception.opened", "exception.resolved"]


def test_when_no_mdn_ever_comes_the_message_fails_and_its_exception_turns_critical(stack):
    stack.amazon.mdn_missing_next = 100
    stack.start_worker(retry_base_seconds="0.05")  # seven attempts in 3 s, not 13
    message_id = queue(stack)
    wait_for(lambda: message(stack, message_id).status == "failed", 120, f"giving up\n{stack.worker_log()}")

    failed = message(stack, message_id)
    assert failed.attempts == 7 and failed.error == "gave up after 7 attempts: HTTP 200, no MDN came back"
    [problem] = exceptions_of(stack, message_id)
    assert (problem.status, problem.severity, problem.po_number) == ("open", "critical", "2XK7QP9M")
    assert "exception.escalated" in actions(stack, "exception", problem.id)


def test_a_partner_that_refuses_the_message_fails_it_at_once_naming_the_po(stack):
    stack.amazon.refuse_next = 1
    stack.start_worker()
    message_id = queue(stack)
    wait_for(lambda: message(stack, message_id).status == "failed", 60, f"the refusal\n{stack.worker_log()}")

    failed = message(stack, message_id)
    assert failed.attempts == 1, "a 4xx is final: the same bytes would be refused again"
    assert failed.error == "partner refused the message: HTTP 403: unknown sender"
    [problem] = exceptions_of(stack, message_id)
    assert (problem.status, problem.severity, problem.po_number) == ("open", "critical", "2XK7QP9M")


def test_an_async_mdn_that_never_comes_is_a_failed_attempt_and_the_same_message_goes_again(stack):
    with session_scope(stack.settings) as session:
        update_profile(get_partner(session, "AMAZON"), "as2", {"mdn_mode": "async"})
    stack.amazon.mdn_missing_next = 1
    stack.start_worker()
    message_id = queue(stack)
    wait_for(lambda: message(stack, message_id).status == "awaiting-mdn", 60, "the first POST")
    waiting = message(stack, message_id)
    assert waiting.next_attempt_at - datetime.now(timezone.utc) > timedelta(minutes=29), "30 min by default"
    assert requeue_stalled_work(stack.settings)["send_as2_message"] == [], "not overdue yet"

    with session_scope(stack.settings) as session:  # half an hour later
        session.get(Message, message_id).next_attempt_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    assert requeue_stalled_work(stack.settings)["send_as2_message"] == [message_id]
    wait_for(lambda: message(stack, message_id).status == "delivered", 60, f"the second attempt\n{stack.worker_log()}")

    sent = message(stack, message_id)
    assert sent.attempts == 2 and stack.amazon.received_message_ids == [sent.transport_id] * 2
    [problem] = exceptions_of(stack, message_id)
    assert "attempt 1 of 7 failed: no MDN within 0:30:00" in problem.message
    assert problem.status == "resolved"


FORGED_MDN = (
    "--forged\r\n"
    "Content-Type: text/plain\r\n\r\n"
    "The message could not be decrypted.\r\n"
    "--forged\r\n"
    "Content-Type: message/disposition-notification\r\n\r\n"
    "Original-Recipient: rfc822; AMAZON\r\n"
    "Final-Recipient: rfc822; AMAZON\r\n"
    "Original-Message-ID: <{message_id}>\r\n"
    "Disposition: automatic-action/MDN-sent-automatically; processed/error: decryption-failed\r\n"
    "\r\n--forged--\r\n"
)


def test_an_unsigned_async_mdn_changes_nothing_when_the_partner_signs_its_mdns(stack):
    with session_scope(stack.settings) as session:
        update_profile(get_partner(session, "AMAZON"), "as2", {"mdn_mode": "async"})
    stack.amazon.mdn_missing_next = 1  # the real MDN is late
    stack.start_worker()
    message_id = queue(stack)
    wait_for(lambda: message(stack, message_id).status == "awaiting-mdn", 60, "the POST")
    transport_id = message(stack, message_id).transport_id

    forged = httpx.post(f"{stack.url}/as2/mdn", content=FORGED_MDN.format(message_id=transport_id).encode(),
                        headers={"AS2-From": "AMAZON", "AS2-To": "ACMEBRANDS", "Message-ID": "<forged@x>",
                                 "Content-Type": 'multipart/report; report-type=disposition-notification; '
                                                 'boundary="forged"'})

    assert forged.status_code == 200
    still = message(stack, message_id)
    assert (still.status, still.mdn_status) == ("awaiting-mdn", None)
    assert still.error.startswith("the MDN could not be verified")
    assert "as2.mdn_ignored" in actions(stack, "message", message_id)
    assert exceptions_of(stack, message_id) == [], "a forged MDN opens no critical exception"
