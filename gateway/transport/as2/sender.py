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

import os
import ssl
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.platform import audit, tls
from gateway.partners.certificates import CertificateError, PrivateKeyError
from gateway.transport.as2.protocol import (
    MdnMode,
    MdnStatus,
    OrganizationProfile,
    PartnerProfile,
    ProfileError,
    build_message,
    check_mdn,
    mdn_original_message_id,
    redacted_headers,
    unquote_as2_name,
)
from gateway.transport.as2.receiver import HttpAnswer
from gateway.platform.config import Settings
from gateway.operations.exception_queue import Severity, record_exception, resolve_cause_gone
from gateway.platform.db import existing, session_scope
from gateway.models import Direction, Message, TradingPartner
from gateway.platform.storage import attach_body, attach_payload, read_body, read_payload
from gateway.transport.status import MessageStatus
from gateway.partners.registry import profile_of
from gateway.transport.as2.profiles import sending_profiles

log = structlog.get_logger("gateway.transport.as2")

TIMEOUT = httpx.Timeout(60.0, connect=10.0)
# Final states: nothing more will be sent for these.
FINISHED = (MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.MDN_FAILED)
# What a profile that cannot sign or encrypt raises (no usable key or certificate, a key
# file gone): retrying will not help until someone fixes it, then replays the message.
BUILD_ERRORS = (ProfileError, PrivateKeyError, CertificateError, OSError)

# Cookies are never kept: a partner's load balancer may set one, and nothing of one request
# is to reach another.
_NO_COOKIES = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
_clients: dict[tuple[int, ssl.SSLContext], httpx.Client] = {}


def _client() -> httpx.Client:
    """The process's HTTP client for AS2 sends, kept between them: a burst of 997s and 855s to
    a partner reuses its connections (keep-alive; in production, TLS sessions to Amazon)
    instead of opening one per message, and making a client cost as much as posting a small
    message. One per process id (made after Celery's prefork pool forks: a child never uses
    its parent's connections) and TLS context; an idle connection is dropped after httpx's
    5 s, and one the partner has closed is not reused."""
    key = (os.getpid(), tls.context())
    client = _clients.get(key)
    if client is None:
        _clients.clear()  # not closed: a forked child's close could end its parent's TLS sessions
        client = _clients[key] = httpx.Client(timeout=TIMEOUT, verify=key[1], cookies=_NO_COOKIES)
    return client


class TransientSendError(Exception):
    """An attempt failed in a way another attempt may cure: no answer, a 5xx, no MDN or an
    MDN that cannot be verified. ``attempts_left`` is 0 once the message has failed for good."""

    def __init__(self, reason: str, attempts_left: int) -> None:
        super().__init__(reason)
        self.attempts_left = attempts_left


def queue_outbound(
    session: Session, settings: Settings, partner: TradingPartner, payload: bytes, *,
    document_type: str, filename: str, po_number: str | None = None,
) -> Message:
    """Store ``payload`` for ``partner``, to be signed and encrypted when first sent."""
    message = Message(direction=Direction.OUTBOUND.value, transport="as2", partner_id=partner.id,
                      document_type=document_type, po_number=po_number, status=MessageStatus.QUEUED.value,
                      filename=filename)
    attach_payload(settings, message, payload)
    session.add(message)
    session.flush()
    audit.record(session, "as2.queued", actor="as2", subject_type="message", subject_id=message.id,
                 partner=partner.as2_id, document_type=document_type)
    return message


def send(settings: Settings, message_id: int) -> str:
    """POST the stored message once, building it first if this is its first attempt;
    returns its new status.

    Delivered means a positive MDN with our MIC came back (or the profile asks for no
    MDN). Raises :class:`TransientSendError` for a failure worth another attempt with
    the same Message-ID and bytes: the partner unreachable, a 5xx, an HTTP 200 without a
    valid MDN. A profile that cannot sign or encrypt, a 4xx answer, or an MDN that
    reports an error is final and recorded as such.
    """
    with session_scope(settings) as session:
        message = session.get(Message, message_id)
        if message is None or message.status in FINISHED or message.status == MessageStatus.AWAITING_MDN:
            return message.status if message else "missing"
        partner = existing(session, TradingPartner, message.partner_id)
        built = message.body_sha256 is not None
        try:
            # Loaded once per attempt: they build the message now and check its MDN after the POST.
            profiles = sending_profiles(session, settings, partner)
            if not built:
                _build(session, settings, message, profiles)
        except BUILD_ERRORS as error:
            what = "check an MDN from" if built else "sign and encrypt it for"
            _finish(session, message, MessageStatus.FAILED, f"could not {what} {partner.as2_id}: {error}")
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
        response = _client().post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise _failed_attempt(settings, message_id, f"{type(error).__name__}: {error}") from None
    if response.status_code >= 500:
        raise _failed_attempt(settings, message_id, f"HTTP {response.status_code}")
    retry_because: str | None = None  # why the answer is no delivery, when another attempt may be
    with session_scope(settings) as session:
        message = existing(session, Message, message_id)
        if response.status_code >= 400:
            _finish(session, message, MessageStatus.FAILED, f"partner refused the message: HTTP {response.status_code}: "
                                                f"{response.text[:300]}")
        elif message.mdn_mode == MdnMode.SYNC.value:
            retry_because = _apply_mdn(session, message, profiles, list(response.headers.multi_items()),
                                       response.content)
        elif message.mdn_mode == MdnMode.ASYNC.value:
            if message.status not in FINISHED:  # the async MDN may have beaten the HTTP answer
                message.status = MessageStatus.AWAITING_MDN.value
                # Past this, the sweep counts the attempt as failed (no MDN) and sends again.
                message.next_attempt_at = datetime.now(timezone.utc) + timedelta(seconds=settings.mdn_wait_seconds)
            audit.record(session, "as2.sent", actor="as2", subject_type="message", subject_id=message.id)
        else:
            _finish(session, message, MessageStatus.DELIVERED, None)
        status = message.status
    if retry_because is not None:
        raise _failed_attempt(settings, message_id, f"HTTP {response.status_code}, {retry_because}")
    return status


def _build(session: Session, settings: Settings, message: Message,
           profiles: tuple[OrganizationProfile, PartnerProfile]) -> None:
    """Sign, compress and encrypt the payload as the profiles say now, and keep the result."""
    payload = read_payload(settings, message)
    assert payload is not None, "queue_outbound stores the payload of every outbound message"
    built = build_message(*profiles, payload, message.filename)
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


def mdn_overdue(settings: Settings, message_id: int, now: datetime | None = None) -> bool:
    """An asynchronous MDN that did not come in time: the attempt failed; True if another is due.

    The message goes back to ``queued`` (its bytes and Message-ID kept) for the caller to
    queue the send again, or fails for good when its attempts are spent.
    """
    now = now or datetime.now(timezone.utc)
    with session_scope(settings) as session:
        message = session.get(Message, message_id)
        if message is None or message.status != MessageStatus.AWAITING_MDN:
            return False
        due = message.next_attempt_at or message.updated_at + timedelta(seconds=settings.mdn_wait_seconds)
        if due > now:
            return False
        message.status = MessageStatus.QUEUED.value
        message.next_attempt_at = None
    waited = timedelta(seconds=round(settings.mdn_wait_seconds))
    return _failed_attempt(settings, message_id, f"no MDN within {waited}").attempts_left > 0


def receive_async_mdn(settings: Settings, headers: Sequence[tuple[str, str]], body: bytes) -> HttpAnswer:
    """Handle an asynchronous MDN POSTed to ``/as2/mdn`` for a message we sent.

    Only an MDN we can verify changes the message: one that cannot be (unsigned where
    the profile wants it signed, a wrong MIC) is recorded and otherwise ignored, so a
    forged MDN cannot fail a delivered message; the wait for a real one goes on. An MDN
    whose AS2-From is not the partner the message went to is refused (403) before any
    checking, and once a valid MDN has decided the message, later ones are only audited.
    """
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
        partner = existing(session, TradingPartner, message.partner_id)
        as2_from = unquote_as2_name(next((value for name, value in headers if name.lower() == "as2-from"), ""))
        if as2_from != partner.as2_id:
            # Only the partner the message went to may answer it, whatever the MDN says inside.
            audit.record(session, "as2.mdn_ignored", actor="as2", subject_type="message", subject_id=message.id,
                         reason=f"AS2-From {as2_from!r} is not {partner.as2_id!r}, the partner the message went to")
            log.warning("async MDN from the wrong sender", message=message.id, as2_from=as2_from)
            return HttpAnswer(403, {"Content-Type": "text/plain"}, b"not an MDN from this message's partner\n")
        if message.status in FINISHED:
            # The first valid MDN decided; a later one, even a valid one, changes nothing.
            audit.record(session, "as2.mdn_ignored", actor="as2", subject_type="message", subject_id=message.id,
                         reason=f"the message is already {message.status}")
            return HttpAnswer(200, {"Content-Type": "text/plain"}, b"MDN received\n")
        distrusted = _apply_mdn(session, message, sending_profiles(session, settings, partner), headers, body)
        if distrusted is not None:
            message.error = distrusted
            audit.record(session, "as2.mdn_ignored", actor="as2", subject_type="message", subject_id=message.id,
                         reason=distrusted)
            log.warning("async MDN not trusted", message=message.id, reason=distrusted)
    return HttpAnswer(200, {"Content-Type": "text/plain"}, b"MDN received\n")


def _apply_mdn(session: Session, message: Message, profiles: tuple[OrganizationProfile, PartnerProfile],
               headers: Sequence[tuple[str, str]], body: bytes) -> str | None:
    """Apply the partner's MDN to the message; returns why it cannot be trusted, or None.

    A verified MDN ends the message: delivered when it says processed, ``mdn-failed``
    when the partner reports an error. An MDN that is missing or cannot be verified
    changes nothing here: the caller counts it as a failed attempt.
    """
    # An MDN answers a message we POSTed, and building it gave it its Message-ID.
    assert message.transport_id is not None, f"message {message.id} was sent without being built"
    if not body.strip():
        return "no MDN came back"
    result = check_mdn(*profiles, headers, body, message.transport_id, message.mic)
    if result.status is MdnStatus.INVALID:
        return f"the MDN could not be verified: {result.error}"
    message.mdn_headers = redacted_headers(headers)  # a partner's credentials are not ours to keep
    message.mdn_body = body
    message.mdn_status = result.status.value
    message.mdn_disposition = result.disposition
    message.mdn_at = datetime.now(timezone.utc)
    if result.status in (MdnStatus.PROCESSED, MdnStatus.PROCESSED_WITH_WARNING):
        _finish(session, message, MessageStatus.DELIVERED, None)
    else:
        _finish(session, message, MessageStatus.MDN_FAILED, result.error or result.disposition)
    return None


def _failed_attempt(settings: Settings, message_id: int, reason: str) -> TransientSendError:
    """Record a failed attempt and open (or update) the message's exception, naming its PO.

    The exception is high while attempts remain; when they are spent the message fails
    and it turns critical. Returns the error for the caller to raise.
    """
    with session_scope(settings) as session:
        message = existing(session, Message, message_id)
        message.error = reason
        attempts_left = max(settings.send_attempts - message.attempts, 0)
        audit.record(session, "as2.attempt_failed", actor="as2", subject_type="message", subject_id=message_id,
                     attempt=message.attempts, error=reason)
        if attempts_left > 0:
            _record_not_delivered(session, message, f"attempt {message.attempts} of {settings.send_attempts} failed: "
                                                    f"{reason}; retrying", Severity.HIGH)
        else:
            _finish(session, message, MessageStatus.FAILED,
                    f"gave up after {message.attempts} attempts: {reason}")
    log.warning("as2 attempt failed", message=message_id, error=reason, attempts_left=attempts_left)
    return TransientSendError(reason, attempts_left)


def _finish(session: Session, message: Message, status: MessageStatus, error: str | None) -> None:
    message.status = status.value
    message.error = error
    message.next_attempt_at = None
    message.processed_at = datetime.now(timezone.utc)
    audit.record(session, f"as2.{status}", actor="as2", subject_type="message", subject_id=message.id, error=error)
    if status is MessageStatus.DELIVERED:
        receipt = f"the MDN says {message.mdn_disposition}" if message.mdn_disposition else "no MDN requested"
        resolve_cause_gone(session, NOT_DELIVERED, subject_type="message", subject_id=message.id,
                           cause=f"delivered on attempt {message.attempts}: {receipt}")
    elif status is MessageStatus.FAILED:
        _record_not_delivered(session, message, error or "failed", None)
    elif status is MessageStatus.MDN_FAILED:
        record_exception(session, "mdn_failed", f"{describe(message)}: the partner's MDN reports {error}",
                         subject_type="message", subject_id=message.id, po_number=message.po_number,
                         detail=_detail(message))
    log.info("as2 send finished", message=message.id, status=status, error=error)


# The exceptions a delivery resolves: every way a message can fail to arrive.
NOT_DELIVERED = ("as2_send_failed", "mdn_failed")


def describe(message: Message) -> str:
    """The message as ops know it: "855 for PO 2XK7QP9M (Message-ID <...>)"."""
    document = message.document_type or "message"
    about = f" for PO {message.po_number}" if message.po_number else ""
    name = f"Message-ID {message.transport_id}" if message.transport_id else f"message {message.id}, never built"
    return f"{document}{about} ({name})"


def _record_not_delivered(session: Session, message: Message, what: str, severity: Severity | None) -> None:
    record_exception(session, "as2_send_failed", f"{describe(message)} not delivered: {what}",
                     subject_type="message", subject_id=message.id, po_number=message.po_number,
                     detail=_detail(message), severity=severity)


def _detail(message: Message) -> dict[str, object]:
    return {"document_type": message.document_type, "attempts": message.attempts, "last_error": message.error}
