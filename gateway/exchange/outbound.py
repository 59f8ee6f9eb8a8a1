"""``send_document``: the one way business code sends a document to a partner.

The caller hands a canonical document (an ``Acknowledgement``, a ``ShipNotice`` or an
``Invoice`` today; inventory advice next) inside its own transaction. The partner's profile
picks the retailer's map that writes the set and the X12 version it is written in, the
envelope is written with our control numbers in the partner's delimiters for that version,
the transport the profile names stores it, and the tracker starts waiting for the
partner's 997. Once the caller's transaction has committed,
:func:`start_delivery` queues the send.

How a sent document's delivery stands is :class:`Delivery`, read from its message by
:func:`delivery_of` (and, for queries, :func:`delivery_is`): the one vocabulary the API,
the pages and the deadline watch use for every outbound document.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, not_
from sqlalchemy.orm import Session

from gateway.exchange import retailers, transports
from gateway.exchange.envelopes import SetBody, build_interchange
from gateway.exchange.tracker import expect_functional_ack
from gateway.models import Message, TradingPartner
from gateway.partners.registry import profile_of, the_organisation
from gateway.platform.config import Settings
from gateway.transport.status import MessageStatus


@dataclass(frozen=True)
class QueuedDocument:
    """A document stored for a partner, not yet sent: hand it to :func:`start_delivery` after the commit."""

    message_id: int
    transport: str
    set_id: str
    reference: str | None


def send_document(session: Session, settings: Settings, partner: TradingPartner, document: object, *,
                  when: datetime) -> QueuedDocument:
    """Write ``document`` as the partner's retailer wants it and store it on the partner's transport."""
    profile = profile_of(partner)
    mapping = retailers.BY_NAME[profile.retailer].outbound_map(document)
    reference = mapping.reference(document)
    version = mapping.version(profile)
    interchange = build_interchange(session, the_organisation(session), partner, mapping.functional_id,
                                    [SetBody(mapping.set_id, mapping.body(document, profile))],
                                    version=version, when=when)
    message = transports.queue_payload(session, settings, partner, profile.transport, interchange.text.encode(),
                                       document_type=mapping.set_id,
                                       filename=f"{mapping.set_id}-{reference or interchange.interchange_control_number}.edi",
                                       po_number=mapping.message_po_number(document))
    expect_functional_ack(session, message, partner, interchange, mapping.set_id,
                          {number: reference for number in interchange.set_control_numbers}, version)
    return QueuedDocument(message.id, profile.transport, mapping.set_id, reference)


def start_delivery(settings: Settings, queued: QueuedDocument) -> None:
    """Queue the send of a stored document; call it once the transaction that stored it committed."""
    transports.start_delivery(settings, queued.message_id, queued.transport)


class Delivery(StrEnum):
    """Where an outbound document's delivery stands."""

    PENDING = "pending"  # stored, or sent and its MDN not back yet; no attempt has failed
    RETRYING = "retrying"  # an attempt failed (``Message.error`` says why); another is due
    DELIVERED = "delivered"  # a positive MDN with our MIC came back
    FAILED = "failed"  # no attempt left, refused, or a negative MDN: a person replays it


_FINAL_FAILURES = (MessageStatus.FAILED, MessageStatus.MDN_FAILED)


def delivery_of(message: Message) -> Delivery:
    if message.status == MessageStatus.DELIVERED:
        return Delivery.DELIVERED
    if message.status in _FINAL_FAILURES:
        return Delivery.FAILED
    return Delivery.RETRYING if message.attempts > 0 and message.error else Delivery.PENDING


def delivered_at(message: Message) -> datetime | None:
    """When the positive MDN came back (None until it has)."""
    return message.processed_at if message.status == MessageStatus.DELIVERED else None


def delivery_is(delivery: Delivery) -> ColumnElement[bool]:
    """:func:`delivery_of` as a condition on ``Message``, for lists filtered by delivery."""
    failed_attempt = and_(Message.attempts > 0, Message.error.is_not(None))
    in_flight = Message.status.in_((MessageStatus.QUEUED, MessageStatus.AWAITING_MDN))
    return {
        Delivery.DELIVERED: Message.status == MessageStatus.DELIVERED,
        Delivery.FAILED: Message.status.in_(_FINAL_FAILURES),
        Delivery.RETRYING: and_(in_flight, failed_attempt),
        Delivery.PENDING: and_(in_flight, not_(failed_attempt)),
    }[delivery]
