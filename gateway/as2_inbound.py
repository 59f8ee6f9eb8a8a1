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

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import audit
from gateway.as2 import InboundResult, InboundStatus, MdnMode, ReceiveLimits, receive
from gateway.config import Settings
from gateway.db import session_scope
from gateway.exceptions import record_exception
from gateway.models import Direction, Message, Organisation
from gateway.queue import enqueue
from gateway.storage import attach_body, attach_payload
from gateway.trading_partners import find_partner, organisation_profile, partner_profile

log = structlog.get_logger("gateway.as2")

LIMITS = ReceiveLimits()
# Statuses of an inbound message whose Message-ID makes a later copy a duplicate.
TAKEN = ("accepted", "processing", "processed", "failed")


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def receive_as2(settings: Settings, headers: Sequence[tuple[str, str]], body: bytes) -> HttpAnswer:
    """Handle one POST to ``/as2``; returns what to answer over HTTP."""
    message_id = _store_raw(settings, headers, body)
    with session_scope(settings) as session:
        message = session.get(Message, message_id)
        result = receive(
            headers,
            body,
            lookup_org=lambda as2_to: _organisation_profile(session, settings, as2_to),
            lookup_partner=lambda as2_from: _partner_profile(session, as2_from),
            is_duplicate=lambda transport_id, _as2_from: _seen_before(session, message, transport_id),
            limits=LIMITS,
        )
        _record_outcome(settings, session, message, result)
    _queue_follow_ups(settings, message_id, result)
    log.info("as2 received", message=message_id, status=result.status.value, disposition=result.disposition)
    if result.mdn is not None and result.mdn.mode is MdnMode.SYNC:
        return HttpAnswer(200, dict(result.mdn.headers), result.mdn.body)
    if result.status is InboundStatus.ERROR and result.mdn is None:
        return HttpAnswer(400, {"Content-Type": "text/plain"}, f"{result.error or result.disposition}\n".encode())
    return HttpAnswer(200, {"Content-Type": "text/plain"}, b"received\n")


def send_async_mdn(settings: Settings, message_id: int) -> None:
    """POST the MDN we built for an inbound message to the URL its sender asked for.

    Raises ``httpx.HTTPError`` (or a 5xx as ``httpx.HTTPStatusError``) so the task retries.
    """
    with session_scope(settings) as session:
        message = session.get(Message, message_id)
        if message.mdn_status != "pending":
            return
        headers = {name.lower(): value for name, value in message.headers.items()}
        url = headers.get("receipt-delivery-option", "").strip()
        mdn_headers, mdn_body = dict(message.mdn_headers), message.mdn_body
    response = httpx.post(url, content=mdn_body, headers=mdn_headers, timeout=httpx.Timeout(60.0, connect=10.0))
    response.raise_for_status()
    with session_scope(settings) as session:
        message = session.get(Message, message_id)
        message.mdn_status, message.mdn_at = "sent", datetime.now(timezone.utc)
        audit.record(session, "as2.async_mdn_sent", actor="as2", subject_type="message", subject_id=message_id,
                     url=url, status=response.status_code)


def _store_raw(settings: Settings, headers: Sequence[tuple[str, str]], body: bytes) -> int:
    lookup = {name.lower(): value for name, value in headers}
    with session_scope(settings) as session:
        sender = find_partner(session, lookup.get("as2-from", "").strip('"'))
        message = Message(
            direction=Direction.INBOUND.value,
            transport="as2",
            transport_id=lookup.get("message-id", "").strip().strip("<>")[:255] or None,
            partner_id=sender.id if sender else None,
            status="received",
            headers=dict(headers),
        )
        attach_body(settings, message, body)
        session.add(message)
        session.flush()
        audit.record(session, "as2.received", actor="as2", subject_type="message", subject_id=message.id,
                     as2_from=lookup.get("as2-from"), bytes=len(body))
        return message.id


def _record_outcome(settings: Settings, session: Session, message: Message, result: InboundResult) -> None:
    message.status = {InboundStatus.PROCESSED: "accepted", InboundStatus.DUPLICATE: "duplicate",
                      InboundStatus.ERROR: "rejected"}[result.status]
    message.mic = result.mic
    message.error = result.error
    message.mdn_disposition = result.disposition
    if result.payload is not None and result.status is InboundStatus.PROCESSED:
        attach_payload(settings, message, result.payload)
    if result.mdn is not None:
        message.mdn_mode = result.mdn.mode.value
        message.mdn_headers = dict(result.mdn.headers)
        message.mdn_body = result.mdn.body
        message.mdn_status = "pending" if result.mdn.mode is MdnMode.ASYNC else "sent"
        message.mdn_at = None if result.mdn.mode is MdnMode.ASYNC else datetime.now(timezone.utc)
    audit.record(session, f"as2.{message.status}", actor="as2", subject_type="message", subject_id=message.id,
                 disposition=result.disposition, error=result.error)
    if message.status == "rejected":
        sender = dict((name.lower(), value) for name, value in message.headers.items()).get("as2-from", "?")
        record_exception(session, "inbound_rejected", f"AS2 message from {sender} rejected: {result.disposition}"
                         f"{f' ({result.error})' if result.error else ''}", subject_type="message",
                         subject_id=message.id)


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


def _organisation_profile(session: Session, settings: Settings, as2_to: str):
    organisation = session.scalars(select(Organisation).where(Organisation.as2_id == as2_to)).first()
    return organisation_profile(session, settings, organisation) if organisation else None


def _partner_profile(session: Session, as2_from: str):
    partner = find_partner(session, as2_from)
    if partner is None or not partner.active:
        return None
    return partner_profile(session, partner)


def _seen_before(session: Session, current: Message, transport_id: str) -> bool:
    """Was this Message-ID already taken in from the same partner (the row stored for it now)?"""
    return session.scalars(
        select(Message.id)
        .where(Message.direction == Direction.INBOUND.value, Message.partner_id == current.partner_id,
               Message.transport_id == transport_id.strip("<>"), Message.status.in_(TAKEN),
               Message.id != current.id)
    ).first() is not None
