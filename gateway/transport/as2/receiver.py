"""Receiving AS2: keep every byte first, then decrypt and verify, then answer the MDN.

The order is the point. The raw body and headers are committed in one transaction
before pyas2lib sees them, and the outcome (payload, MDN) in a second one before the
HTTP answer leaves: nothing is acknowledged to a partner that is not durable here, and
a message that crashes the parser is still on disk to look at and replay.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
import socket

import httpx
import structlog
from sqlalchemy import Connection, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.platform import audit, tls
from gateway.transport.as2.protocol import (
    InboundResult,
    InboundStatus,
    MdnMode,
    UNKNOWN_TRADING_PARTNER,
    PartnerProfile,
    ReceiveLimits,
    async_mdn_url_refusal,
    receive,
    redacted_headers,
    unquote_as2_name,
)
from gateway.platform.config import Settings
from gateway.platform.db import engine, existing, session_scope
from gateway.operations.exception_queue import Severity, record_exception
from gateway.models import Direction, Message, TradingPartner
from gateway.partners.registry import profile_of
from gateway.platform.queue import enqueue
from gateway.platform.storage import (
    INLINE_LIMIT,
    body_columns,
    forget_blob,
    payload_columns,
    untrusted_body_columns,
)
from gateway.transport.status import MessageStatus
from gateway.transport.as2.profiles import (
    PartnerVersion,
    partner_version,
    current_organisation_profile,
    current_partner_profile,
)

log = structlog.get_logger("gateway.transport.as2")

LIMITS = ReceiveLimits()
# Statuses of an inbound message whose Message-ID makes a later copy a duplicate.
TAKEN = (MessageStatus.ACCEPTED, MessageStatus.PROCESSING, MessageStatus.PROCESSED, MessageStatus.REFUSED,
         MessageStatus.FAILED)


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def receive_as2(settings: Settings, headers: Sequence[tuple[str, str]], body: bytes) -> HttpAnswer:
    """Handle one POST to ``/as2``; returns what to answer over HTTP.

    A known partner's body is stored whole before anything else; a stranger's (unknown
    or inactive AS2-From) only as its start, size and sha256, and so is a partner's once
    the message turns out not to be authenticated (``InboundResult.authenticated``): an
    anonymous sender cannot fill the disk.
    """
    # A Connection, not an ORM Session: a Session and its commits cost more than the SQL
    # here, and this runs for every message.
    with engine(settings).connect() as connection:
        lookup = {name.lower(): value for name, value in headers}
        as2_from = unquote_as2_name(lookup.get("as2-from", ""))
        sender = partner_version(connection, as2_from)
        trusted = sender is not None and sender.active
        message_id = _store_raw(settings, connection, headers, lookup, body, sender, whole=trusted)
        connection.commit()  # the bytes are durable before anything reads them
        result = receive(
            headers,
            body,
            lookup_org=lambda as2_to: current_organisation_profile(connection, settings, as2_to),
            lookup_partner=lambda as2_id: _partner_profile(connection, sender if as2_id == as2_from else
                                                           partner_version(connection, as2_id)),
            is_duplicate=lambda transport_id, _as2_from: _seen_before(connection, sender, message_id, transport_id),
            limits=LIMITS,
        )
        if trusted and not result.authenticated:
            _keep_only_start(settings, connection, message_id, body)
        _record_outcome(settings, connection, message_id, as2_from, result)
        connection.commit()
    _queue_follow_ups(settings, message_id, result)
    log.info("as2 received", message=message_id, status=result.status.value, disposition=result.disposition)
    if result.mdn is not None and result.mdn.mode is MdnMode.SYNC:
        return HttpAnswer(200, dict(result.mdn.headers), result.mdn.body)
    if result.status is InboundStatus.ERROR and result.mdn is None:
        return HttpAnswer(400, {"Content-Type": "text/plain"}, f"{result.error or result.disposition}\n".encode())
    return HttpAnswer(200, {"Content-Type": "text/plain"}, b"received\n")


def send_async_mdn(settings: Settings, message_id: int) -> None:
    """POST the MDN we built for an inbound message to the URL its sender asked for.

    The URL comes from the sender, so it is checked against the partner's profile first
    (:func:`async_mdn_url_refusal`): a refused URL is never tried, and is recorded with
    an exception. Each try counts in the message's ``attempts``; after
    ``EDI_GATEWAY_SEND_ATTEMPTS`` the MDN is given up with an exception, here or by the
    recovery sweep, so a dead URL is not retried for ever. Before that, raises
    ``httpx.HTTPError`` (or a 5xx as ``httpx.HTTPStatusError``) so the task retries.
    """
    with session_scope(settings) as session:
        message = existing(session, Message, message_id)
        if message.mdn_status != "pending":
            return
        # "pending" is stored with the MDN it is for (_record_outcome).
        assert message.mdn_headers is not None, f"message {message_id} has a pending MDN without its headers"
        if message.attempts >= settings.send_attempts:
            give_up_async_mdn(session, message, f"no answer after {message.attempts} attempts")
            return
        headers = {name.lower(): value for name, value in message.headers.items()}
        url = headers.get("receipt-delivery-option", "").strip()
        partner = existing(session, TradingPartner, message.partner_id) if message.partner_id else None
        allowed = profile_of(partner).as2 if partner is not None and partner.active else None
        refusal = async_mdn_url_refusal(url, allowed, _addresses)
        if refusal is not None:
            message.mdn_status = "refused"
            audit.record(session, "as2.async_mdn_refused", actor="as2", subject_type="message",
                         subject_id=message_id, url=url, reason=refusal)
            record_exception(session, "async_mdn_not_sent", f"asynchronous MDN not sent to {url!r}: {refusal}",
                             subject_type="message", subject_id=message_id)
            log.warning("async MDN URL refused", message=message_id, url=url, reason=refusal)
            return
        message.attempts += 1
        attempt, mdn_headers, mdn_body = message.attempts, dict(message.mdn_headers), message.mdn_body
    try:
        # No redirects (httpx's default): a redirect would lead past the check above.
        response = httpx.post(url, content=mdn_body, headers=mdn_headers,
                              timeout=httpx.Timeout(60.0, connect=10.0), verify=tls.context(), follow_redirects=False)
        response.raise_for_status()
    except httpx.HTTPError as error:
        if attempt < settings.send_attempts:
            raise
        with session_scope(settings) as session:
            give_up_async_mdn(session, existing(session, Message, message_id),
                              f"attempt {attempt} of {settings.send_attempts} failed: {error}")
        return
    with session_scope(settings) as session:
        message = existing(session, Message, message_id)
        message.mdn_status, message.mdn_at = "sent", datetime.now(timezone.utc)
        audit.record(session, "as2.async_mdn_sent", actor="as2", subject_type="message", subject_id=message_id,
                     url=url, status=response.status_code)


def give_up_async_mdn(session: Session, message: Message, reason: str) -> None:
    """Stop trying to deliver a message's asynchronous MDN, and say so with an exception."""
    message.mdn_status = "failed"
    audit.record(session, "as2.async_mdn_given_up", actor="as2", subject_type="message", subject_id=message.id,
                 reason=reason)
    record_exception(session, "async_mdn_not_sent", f"asynchronous MDN given up: {reason}",
                     subject_type="message", subject_id=message.id)
    log.warning("async MDN given up", message=message.id, reason=reason)


def _addresses(host: str) -> list[str]:
    """Every address ``host`` resolves to (raises ``OSError`` when the lookup fails)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]


# The receive path's statements are Core, built once: they run for every message, the
# writes while SQLite's single write lock is held, and building a statement or an ORM
# unit of work cost more than running the SQL.
_INSERT_MESSAGE = insert(Message)
_UPDATE_MESSAGE = update(Message).where(Message.id == bindparam("message_id"))
_SEEN_BEFORE = (
    select(Message.id)
    .where(Message.direction == Direction.INBOUND.value, Message.partner_id == bindparam("partner_id"),
           Message.transport_id == bindparam("transport_id"), Message.status.in_(TAKEN),
           Message.id != bindparam("message_id"))
    .limit(1)
)


def _store_raw(settings: Settings, connection: Connection, headers: Sequence[tuple[str, str]],
               lookup: dict[str, str], body: bytes, sender: PartnerVersion | None, whole: bool) -> int:
    """``lookup``: the same headers by lower-case name; ``whole``: keep all of the body,
    else its start, size and sha256. Credentials a client sent are never kept."""
    inserted = connection.execute(_INSERT_MESSAGE, {
        "direction": Direction.INBOUND.value,
        "transport": "as2",
        "transport_id": lookup.get("message-id", "").strip().strip("<>")[:255] or None,
        "partner_id": sender.id if sender else None,
        "status": MessageStatus.RECEIVED.value,
        "headers": redacted_headers(headers),
        **(body_columns(settings, body) if whole else untrusted_body_columns(body)),
    }).inserted_primary_key
    assert inserted is not None  # always set by a single-row insert
    message_id: int = inserted[0]
    audit.record(connection, "as2.received", actor="as2", subject_type="message", subject_id=message_id,
                 as2_from=lookup.get("as2-from"), bytes=len(body))
    return message_id


def _keep_only_start(settings: Settings, connection: Connection, message_id: int, body: bytes) -> None:
    """Shrink a stored body to what is kept of a stranger's, and remove its file unless
    another message's body or payload is the same bytes."""
    columns = untrusted_body_columns(body)
    connection.execute(_UPDATE_MESSAGE, {"message_id": message_id, **columns})
    if len(body) > INLINE_LIMIT:  # the whole body went to a file (storage.body_columns)
        digest = str(columns["body_sha256"])
        in_use = connection.execute(select(Message.id).where(
            Message.id != message_id,
            or_(and_(Message.body_sha256 == digest, Message.body.is_(None)),
                and_(Message.payload_sha256 == digest, Message.payload.is_(None)))).limit(1)).first() is not None
        connection.commit()  # no committed row names the file any more: now it may go
        forget_blob(settings, digest, in_use)


def _record_outcome(settings: Settings, connection: Connection, message_id: int, as2_from: str,
                    result: InboundResult) -> None:
    status = {InboundStatus.PROCESSED: MessageStatus.ACCEPTED, InboundStatus.DUPLICATE: MessageStatus.DUPLICATE,
              InboundStatus.ERROR: MessageStatus.REJECTED}[result.status]
    values: dict[str, object] = {"status": status.value, "mic": result.mic, "error": result.error,
                                 "mdn_disposition": result.disposition}
    if result.payload is not None and result.status is InboundStatus.PROCESSED:
        # The partner names the file: kept to the column's length, never refused for it.
        values.update(payload_columns(settings, result.payload), filename=(result.filename or "")[:255] or None)
    if result.mdn is not None:
        synchronous = result.mdn.mode is MdnMode.SYNC
        values.update(mdn_mode=result.mdn.mode.value, mdn_headers=dict(result.mdn.headers),
                      mdn_body=result.mdn.body, mdn_status="sent" if synchronous else "pending",
                      mdn_at=datetime.now(timezone.utc) if synchronous else None)
    connection.execute(_UPDATE_MESSAGE, {"message_id": message_id, **values})
    audit.record(connection, f"as2.{status}", actor="as2", subject_type="message", subject_id=message_id,
                 disposition=result.disposition, error=result.error)
    if status is MessageStatus.REJECTED:
        with Session(bind=connection) as session:  # in the connection's transaction
            _record_refusal(session, message_id, as2_from, result)
            session.flush()


def _record_refusal(session: Session, message_id: int, as2_from: str, result: InboundResult) -> None:
    """One exception per claimed sender and reason, counted, not one per message.

    A refused message proved nothing about who sent it, so anyone can send thousands: one
    row each would bury the queue and push real problems off the home page. A claimed
    sender we do not know is noise until it recurs (medium); one claiming to be a partner
    may be that partner failing to reach us (a certificate rolled over), so it keeps the
    kind's severity.
    """
    claimed = (as2_from or "?")[:64]
    unknown = UNKNOWN_TRADING_PARTNER in result.disposition
    for last_try in (False, True):
        try:
            # A savepoint: refusals from one sender arrive in parallel, and the first of two
            # that find no row loses the insert to the other; tried again, it finds the row.
            with session.begin_nested():
                record_exception(session, "inbound_rejected",
                                 f"AS2 message from {claimed}{' (unknown sender)' if unknown else ''} refused: "
                                 f"{result.disposition}{f' ({result.error})' if result.error else ''}; "
                                 f"latest: message {message_id}",
                                 subject_type="as2_sender", subject_id=claimed, key=result.disposition[:200],
                                 detail={"latest_message_id": message_id},
                                 severity=Severity.MEDIUM if unknown else None)
            return
        except IntegrityError:
            if last_try:
                raise


def _queue_follow_ups(settings: Settings, message_id: int, result: InboundResult) -> None:
    """Queue processing and the async MDN. A broker outage is logged, not fatal: the
    message is durable and the beat sweep re-queues whatever was left waiting."""
    try:
        if result.status is InboundStatus.PROCESSED:
            enqueue(settings, "workers.tasks.process_inbound_message", message_id=message_id)
        if result.mdn is not None and result.mdn.mode is MdnMode.ASYNC:
            enqueue(settings, "workers.tasks.send_async_mdn", message_id=message_id)
    except Exception as error:  # kombu raises transport-specific errors
        log.error("could not queue follow-up work; the sweep will retry", message=message_id, error=str(error))


def _partner_profile(connection: Connection, version: PartnerVersion | None) -> PartnerProfile | None:
    if version is None or not version.active:
        return None
    return current_partner_profile(connection, version)


def _seen_before(connection: Connection, sender: PartnerVersion | None, message_id: int, transport_id: str) -> bool:
    """Was this Message-ID already taken in from the same partner (the row stored for it now)?"""
    return connection.execute(_SEEN_BEFORE, {
        "partner_id": sender.id if sender else None, "transport_id": transport_id.strip("<>"),
        "message_id": message_id}).first() is not None
