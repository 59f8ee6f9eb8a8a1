"""Sending AS2: build once, keep it, POST it until the partner's MDN says it arrived.

A queued message is its payload and a file name. The first send attempt signs and
encrypts it, with the keys and certificates valid then, and commits it as it goes on
the wire, with its Message-ID and MIC, before the POST. Every retry POSTs those same
bytes, so the partner sees the same Message-ID (RFC 4130) and the MDN's MIC can be
checked against the stored one.

Building at send time keeps the RSA work out of the transactions that queue documents
(a 997 is queued in the inbound processing, an 855 with its PO), which hold database
locks while they run: SQLite's one write lock, PostgreSQL's lock on the partner's
control-number row.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.platform import audit, tls
from gateway.partners.certificates import CertificateError, PrivateKeyError
from gateway.transport.as2.protocol import (
    MdnMode,
    MdnStatus,
    ProfileError,
    build_message,
    check_mdn,
    mdn_original_message_id,
)
from gateway.transport.as2.receiver import HttpAnswer
from gateway.platform.config import Settings
from gateway.operations.exception_queue import record_exception
from gateway.platform.db import existing, session_scope
from gateway.models import Direction, Message, TradingPartner
from gateway.platform.storage import attach_body, attach_payload, read_body, read_payload
from gateway.transport.status import MessageStatus
from gateway.partners.registry import profile_of, the_organisation
from gateway.transport.as2.profiles import organisation_profile, partner_profile

log = structlog.get_logger("gateway.transport.as2")

TIMEOUT = httpx.Timeout(60.0, connect=10.0)
# Final states: nothing more will be sent for these.
FINISHED = (MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.MDN_FAILED)
# What a profile that cannot sign or encrypt raises (no usable key or certificate, a key
# file gone): retrying will not help until someone fixes it, then replays the message.
BUILD_ERRORS = (ProfileError, PrivateKeyError, CertificateError, OSError)


class TransientSendError(Exception):
    """The partner could not be reached or answered 5xx: worth another attempt."""


def queue_outbound(
    session: Session, settings: Settings, partner: TradingPartner, payload: bytes, *,
    document_type: str, filename: str,
) -> Message:
    """Store ``payload`` for ``partner``, to be signed and encrypted when first sent."""
    message = Message(direction=Direction.OUTBOUND.value, transport="as2", partner_id=partner.id,
                      document_type=document_type, status=MessageStatus.QUEUED.value, filename=filename)
    attach_payload(settings, message, payload)
    session.add(message)
    session.flush()
    audit.record(session, "as2.queued", actor="as2", subject_type="message", subject_id=message.id,
                 partner=partner.as2_id, document_type=document_type)
    return message


def send(settings: Settings, message_id: int) -> str:
    """POST the stored message once, building it first if this is its first attempt;
    returns its new status.

    Raises :class:`TransientSendError` for a failure worth retrying. A profile that
    cannot sign or encrypt, a 4xx answer, or an MDN that reports an error or cannot be
    verified is final and recorded as such.
    """
    with session_scope(settings) as session:
        message = session.get(Message, message_id)
        if message is None or message.status in FINISHED or message.status == MessageStatus.AWAITING_MDN:
            return message.status if message else "missing"
        partner = existing(session, TradingPartner, message.partner_id)
        if message.body_sha256 is None:
            try:
                _build(session, settings, message, partner)
            except BUILD_ERRORS as error:
                _finish(session, message, MessageStatus.FAILED, f"could not sign and encrypt it for {partner.as2_id}: {error}")
                return message.status
        url = profile_of(partner).as2.url
        if url is None:  # a partner may be added without one; replay the message once it is set
            _finish(session, message, MessageStatus.FAILED,
                    f"partner {partner.as2_id} has no AS2 URL: set it with `edi-gateway partners update "
                    f"{partner.as2_id} --url URL`, then replay")
            return message.status
        message.attempts += 1
        headers, body = dict(message.headers), read_body(settings, message)
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT, verify=tls.context())
    except httpx.HTTPError as error:
        _note_attempt(settings, message_id, f"{type(error).__name__}: {error}")
        raise TransientSendError(f"POST {url}: {type(error).__name__}: {error}") from None
    if response.status_code >= 500:
        _note_attempt(settings, message_id, f"HTTP {response.status_code}")
        raise TransientSendError(f"POST {url}: HTTP {response.status_code}")
    with session_scope(settings) as session:
        message = existing(session, Message, message_id)
        if response.status_code >= 400:
            _finish(session, message, MessageStatus.FAILED, f"partner refused the message: HTTP {response.status_code}: "
                                                f"{response.text[:300]}")
        elif message.mdn_mode == MdnMode.SYNC.value:
            _apply_mdn(session, settings, message, list(response.headers.multi_items()), response.content)
        elif message.mdn_mode == MdnMode.ASYNC.value:
            if message.status not in FINISHED:  # the async MDN may have beaten the HTTP answer
                message.status = MessageStatus.AWAITING_MDN.value
            audit.record(session, "as2.sent", actor="as2", subject_type="message", subject_id=message.id)
        else:
            _finish(session, message, MessageStatus.DELIVERED, None)
        return message.status


def _build(session: Session, settings: Settings, message: Message, partner: TradingPartner) -> None:
    """Sign, compress and encrypt the payload as the profiles say now, and keep the result."""
    payload = read_payload(settings, message)
    assert payload is not None, "queue_outbound stores the payload of every outbound message"
    built = build_message(organisation_profile(session, settings, the_organisation(session)),
                          partner_profile(session, partner), payload, message.filename)
    message.transport_id, message.headers, message.mic = built.message_id, dict(built.headers), built.mic
    message.mdn_mode = built.mdn_mode.value
    attach_body(settings, message, built.body)
    audit.record(session, "as2.built", actor="as2", subject_type="message", subject_id=message.id,
                 message_id=built.message_id)


def note_retry(settings: Settings, message_id: int, delay_seconds: float) -> None:
    """Record when the next attempt is due, so the stalled-work sweep leaves it alone until then."""
    with session_scope(settings) as session:
        message = existing(session, Message, message_id)
        message.next_attempt_at = datetime.now(timezone.utc) + timedelta(seconds=delay_seconds)


def give_up(settings: Settings, message_id: int, reason: str) -> None:
    """After the last attempt: the message failed; the exception monitor takes it from here."""
    with session_scope(settings) as session:
        _finish(session, existing(session, Message, message_id), MessageStatus.FAILED, f"gave up after retries: {reason}")


def receive_async_mdn(settings: Settings, headers: Sequence[tuple[str, str]], body: bytes) -> HttpAnswer:
    """Handle an asynchronous MDN POSTed to ``/as2/mdn`` for a message we sent."""
    original = mdn_original_message_id(headers, body)
    if original is None:
        return HttpAnswer(400, {"Content-Type": "text/plain"}, b"not an MDN\n")
    with session_scope(settings) as session:
        message = session.scalars(
            select(Message).where(Message.direction == Direction.OUTBOUND.value,
                                  Message.transport_id == original.strip("<>"))
        ).first()
        if message is None:
            log.warning("MDN for an unknown message", original_message_id=original)
            return HttpAnswer(404, {"Content-Type": "text/plain"}, b"unknown Original-Message-ID\n")
        _apply_mdn(session, settings, message, headers, body)
    return HttpAnswer(200, {"Content-Type": "text/plain"}, b"MDN received\n")


def _apply_mdn(session: Session, settings: Settings, message: Message, headers: Sequence[tuple[str, str]],
               body: bytes) -> None:
    organisation = the_organisation(session)
    partner = existing(session, TradingPartner, message.partner_id)
    # An MDN answers a message we POSTed, and building it gave it its Message-ID.
    assert message.transport_id is not None, f"message {message.id} was sent without being built"
    result = check_mdn(organisation_profile(session, settings, organisation), partner_profile(session, partner),
                       headers, body, message.transport_id, message.mic)
    message.mdn_headers = dict(headers)
    message.mdn_body = body
    message.mdn_status = result.status.value
    message.mdn_disposition = result.disposition
    message.mdn_at = datetime.now(timezone.utc)
    if result.status in (MdnStatus.PROCESSED, MdnStatus.PROCESSED_WITH_WARNING):
        _finish(session, message, MessageStatus.DELIVERED, None)
    else:
        _finish(session, message, MessageStatus.MDN_FAILED, result.error or result.disposition)


def _note_attempt(settings: Settings, message_id: int, error: str) -> None:
    with session_scope(settings) as session:
        message = existing(session, Message, message_id)
        message.error = error
        audit.record(session, "as2.attempt_failed", actor="as2", subject_type="message", subject_id=message_id,
                     attempt=message.attempts, error=error)




def _finish(session: Session, message: Message, status: MessageStatus, error: str | None) -> None:
    message.status = status.value
    message.error = error
    message.processed_at = datetime.now(timezone.utc)
    audit.record(session, f"as2.{status}", actor="as2", subject_type="message", subject_id=message.id, error=error)
    if status in (MessageStatus.FAILED, MessageStatus.MDN_FAILED):
        kind = "as2_send_failed" if status is MessageStatus.FAILED else "mdn_failed"
        name = message.transport_id or f"(message {message.id}, never built)"
        record_exception(session, kind, f"{message.document_type or 'message'} {name}: {error}",
                         subject_type="message", subject_id=message.id,
                         detail={"document_type": message.document_type, "attempts": message.attempts})
    log.info("as2 send finished", message=message.id, status=status, error=error)
