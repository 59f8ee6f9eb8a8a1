"""Hostile senders against the AS2 endpoints over real HTTP: bodies over the limit or cut
short, strangers' bodies, credentials in headers, async MDN URLs the sender chose, forged
async MDNs. (The memory test against an `edi-gateway serve` process is in
test_as2_memory.py.)"""
from __future__ import annotations

import hashlib
import socket
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import select

from gateway.models import AuditEvent, Message, OperationalException
from gateway.platform.db import session_scope
from gateway.platform.storage import UNTRUSTED_KEPT, blob_path, body_is_partial
from gateway.recovery.sweep import requeue_stalled_work
from gateway.transport.as2 import receiver
from gateway.transport.as2.protocol import MdnMode, build_message
from tests.fixtures import AMAZON_FIXTURES

ORDER = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()


def inbound(settings) -> list[Message]:
    with session_scope(settings) as session:
        return list(session.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)))


def actions(settings, message_id: int) -> list[str]:
    with session_scope(settings) as session:
        return list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_type == "message", AuditEvent.subject_id == str(message_id)).order_by(AuditEvent.id)))


def exceptions(settings, message_id: int) -> list[OperationalException]:
    with session_scope(settings) as session:
        return list(session.scalars(select(OperationalException).where(
            OperationalException.subject_type == "message", OperationalException.subject_id == str(message_id))))


def small_limit(monkeypatch, limit: int) -> None:
    monkeypatch.setattr(receiver, "LIMITS", receiver.ReceiveLimits(max_body_bytes=limit))
    monkeypatch.setattr("gateway.web.as2.LIMITS", receiver.LIMITS)


def raw_post(url: str, path: str, head: dict[str, str], body: bytes, close_after: bool = False) -> int:
    """POST by hand on a socket; ``close_after``: stop sending after ``body`` (which may be
    shorter than the Content-Length in ``head``). Returns the HTTP status."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
                 *(f"{name}: {value}" for name, value in head.items())]
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        if close_after:
            connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


# ------------------------------------------------------------------------ HTTP edge


@pytest.mark.parametrize("path", ["/as2", "/as2/mdn"])
def test_a_chunked_body_over_the_limit_is_413_not_cut_and_processed(stack, monkeypatch, path):
    small_limit(monkeypatch, 1000)

    def chunks():
        for _ in range(10):
            yield b"x" * 500

    response = httpx.post(f"{stack.url}{path}", content=chunks(), headers={"AS2-From": "AMAZON"})

    assert response.status_code == 413
    assert inbound(stack.settings) == []


def test_a_chunked_body_under_the_limit_is_read_whole(stack):
    built = build_message(stack.amazon.own_profile(), stack.amazon.gateway_profile(), ORDER, "order.edi")

    response = httpx.post(f"{stack.url}/as2", content=iter([built.body[:100], built.body[100:]]), headers=built.headers)

    assert response.status_code == 200
    [message] = inbound(stack.settings)
    assert message.status == "accepted" and message.body_size == len(built.body)


@pytest.mark.parametrize("path", ["/as2", "/as2/mdn"])
def test_a_body_cut_short_by_a_disconnect_is_400_and_nothing_is_kept(stack, path):
    built = build_message(stack.amazon.own_profile(), stack.amazon.gateway_profile(), ORDER, "order.edi")
    head = {**built.headers, "Content-Length": str(len(built.body))}

    status = raw_post(stack.url, path, head, built.body[: len(built.body) // 2], close_after=True)

    assert status == 400
    assert inbound(stack.settings) == []


# ------------------------------------------------------------------- storage bounds


def test_a_strangers_body_is_kept_as_its_start_size_and_digest(stack):
    body = bytes(range(256)) * 4096  # 1 MiB
    headers = {"AS2-From": "STRANGER", "AS2-To": "ACMEBRANDS", "Message-ID": "<s1@stranger>",
               "Content-Type": "application/edi-x12", "Disposition-Notification-To": "x@stranger",
               "Receipt-Delivery-Option": "http://127.0.0.1:1/internal"}

    response = httpx.post(f"{stack.url}/as2", content=body, headers=headers)

    assert response.status_code == 400, "no MDN for a stranger's delivery option: a plain refusal"
    assert b"unknown AS2-From" in response.content
    [message] = inbound(stack.settings)
    assert (message.status, message.partner_id, message.mdn_status) == ("rejected", None, None)
    assert message.body == body[:UNTRUSTED_KEPT] and body_is_partial(message)
    assert (message.body_size, message.body_sha256) == (len(body), hashlib.sha256(body).hexdigest())
    assert not blob_path(stack.settings, message.body_sha256).exists()


def test_an_unsigned_body_claiming_to_be_a_partner_is_shrunk_once_refused(stack):
    body = b"ISA*" + bytes(600 * 1024)  # over the inline limit: first written to a file
    headers = {"AS2-From": "AMAZON", "AS2-To": "ACMEBRANDS", "Message-ID": "<forged-1@x>",
               "Content-Type": "application/edi-x12", "Disposition-Notification-To": "x@x"}

    response = httpx.post(f"{stack.url}/as2", content=body, headers=headers)

    assert response.status_code == 200 and b"insufficient-message-security" in response.content
    [message] = inbound(stack.settings)
    assert message.status == "rejected" and message.partner_id is not None
    assert message.body == body[:UNTRUSTED_KEPT] and message.body_size == len(body)
    assert not blob_path(stack.settings, message.body_sha256).exists(), "the full body's file is gone"


def test_a_duplicate_message_id_is_not_revealed_before_authentication(stack):
    built, _ = stack.amazon.send(stack.url, ORDER)
    forged = {"AS2-From": "AMAZON", "AS2-To": "ACMEBRANDS", "Message-ID": f"<{built.message_id}>",
              "Content-Type": "application/edi-x12", "Disposition-Notification-To": "x@x"}

    response = httpx.post(f"{stack.url}/as2", content=ORDER, headers=forged)

    assert b"insufficient-message-security" in response.content and b"duplicate" not in response.content
    assert [message.status for message in inbound(stack.settings)] == ["accepted", "rejected"]


def test_credentials_in_inbound_headers_are_never_stored(stack):
    built = build_message(stack.amazon.own_profile(), stack.amazon.gateway_profile(), ORDER, "order.edi")
    secrets = {"Authorization": "Basic c2VjcmV0", "Cookie": "session=abc", "Proxy-Authorization": "Basic cHJveHk="}

    httpx.post(f"{stack.url}/as2", content=built.body, headers={**built.headers, **secrets})

    [message] = inbound(stack.settings)
    stored = {name.lower(): value for name, value in message.headers.items()}
    assert [stored[name.lower()] for name in secrets] == ["[redacted]"] * 3
    assert stored["as2-from"] == "AMAZON"


# ------------------------------------------------------------- async MDNs we send


def async_message(stack, url: str) -> int:
    built, response = stack.amazon.send(stack.url, ORDER, mdn_mode=MdnMode.ASYNC, mdn_url=url)
    assert response.status_code == 200
    [message] = [message for message in inbound(stack.settings) if message.transport_id == built.message_id]
    assert message.mdn_status == "pending"
    return message.id


@pytest.mark.parametrize("url", ["http://localhost:9/internal", "http://169.254.169.254/latest/meta-data/",
                                 "file:///etc/passwd", "gopher://127.0.0.1:6379/_FLUSHALL"])
def test_an_async_mdn_url_the_profile_does_not_allow_is_refused_recorded_and_not_retried(stack, url):
    message_id = async_message(stack, url)

    receiver.send_async_mdn(stack.settings, message_id)  # as the worker would; it must not raise

    [message] = inbound(stack.settings)
    assert message.mdn_status == "refused" and message.attempts == 0
    assert "as2.async_mdn_refused" in actions(stack.settings, message_id)
    [problem] = exceptions(stack.settings, message_id)
    assert problem.kind == "async_mdn_not_sent" and url in problem.message
    assert requeue_stalled_work(stack.settings, stalled_after=timedelta(0))["send_async_mdn"] == []


def test_an_async_mdn_that_cannot_be_delivered_is_given_up_after_the_bound(stack):
    with socket.socket() as probe:  # a port nothing listens on, on the partner's own host
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/mdn"
    message_id = async_message(stack, dead)

    for attempt in range(1, stack.settings.send_attempts):
        with pytest.raises(httpx.ConnectError):
            receiver.send_async_mdn(stack.settings, message_id)
    receiver.send_async_mdn(stack.settings, message_id)  # the last attempt fails and gives up

    [message] = inbound(stack.settings)
    assert (message.mdn_status, message.attempts) == ("failed", stack.settings.send_attempts)
    assert "as2.async_mdn_given_up" in actions(stack.settings, message_id)
    assert [problem.kind for problem in exceptions(stack.settings, message_id)] == ["async_mdn_not_sent"]


def test_the_sweep_gives_up_a_pending_async_mdn_whose_attempts_are_spent(stack):
    message_id = async_message(stack, f"{stack.amazon_url}/mdn")
    with session_scope(stack.settings) as session:
        message = session.get(Message, message_id)
        message.attempts = stack.settings.send_attempts
        message.updated_at = datetime.now(timezone.utc) - timedelta(hours=1)

    found = requeue_stalled_work(stack.settings)

    assert found["send_async_mdn"] == []
    [message] = inbound(stack.settings)
    assert message.mdn_status == "failed"
    assert [problem.kind for problem in exceptions(stack.settings, message_id)] == ["async_mdn_not_sent"]


# ------------------------------------------------------------- async MDNs we receive


def outbound_awaiting_mdn(stack, status: str = "awaiting-mdn") -> tuple[int, str]:
    with session_scope(stack.settings) as session:
        from gateway.partners.registry import get_partner

        message = Message(direction="outbound", status=status, document_type="855", headers={},
                          transport_id="855-0001@acmebrands", partner_id=get_partner(session, "AMAZON").id,
                          mic="bWljCg==", attempts=1)
        session.add(message)
        session.flush()
        return message.id, message.transport_id


FORGED_MDN = (
    "--forged\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
    "--forged\r\nContent-Type: message/disposition-notification\r\n\r\n"
    "Original-Message-ID: <{message_id}>\r\n"
    "Disposition: automatic-action/MDN-sent-automatically; processed/error: decryption-failed\r\n"
    "\r\n--forged--\r\n"
)
MDN_TYPE = 'multipart/report; report-type=disposition-notification; boundary="forged"'


def test_an_async_mdn_from_another_sender_is_refused_and_changes_nothing(stack):
    message_id, transport_id = outbound_awaiting_mdn(stack)

    response = httpx.post(f"{stack.url}/as2/mdn", content=FORGED_MDN.format(message_id=transport_id).encode(),
                          headers={"AS2-From": "STRANGER", "AS2-To": "ACMEBRANDS", "Content-Type": MDN_TYPE})

    assert response.status_code == 403
    with session_scope(stack.settings) as session:
        message = session.get(Message, message_id)
        assert (message.status, message.mdn_status) == ("awaiting-mdn", None)
    assert actions(stack.settings, message_id) == ["as2.mdn_ignored"]
    assert exceptions(stack.settings, message_id) == []


def test_an_async_mdn_after_the_one_that_decided_is_audited_and_ignored(stack):
    message_id, transport_id = outbound_awaiting_mdn(stack, status="delivered")

    response = httpx.post(f"{stack.url}/as2/mdn", content=FORGED_MDN.format(message_id=transport_id).encode(),
                          headers={"AS2-From": "AMAZON", "AS2-To": "ACMEBRANDS", "Content-Type": MDN_TYPE})

    assert response.status_code == 200
    with session_scope(stack.settings) as session:
        assert session.get(Message, message_id).status == "delivered"
    assert actions(stack.settings, message_id) == ["as2.mdn_ignored"]
