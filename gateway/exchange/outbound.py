"""``send_document``: the one way business code sends a document to a partner.

The caller hands a canonical document (an ``Acknowledgement`` today; ship notices,
invoices and inventory advice next) inside its own transaction. The partner's profile
picks the retailer's map that writes the set, the envelope is written with our control
numbers in the partner's delimiters, the transport the profile names stores it, and the
tracker starts waiting for the partner's 997. Once the caller's transaction has committed,
:func:`start_delivery` queues the send.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from gateway.exchange import retailers, transports
from gateway.exchange.envelopes import SetBody, build_interchange
from gateway.exchange.tracker import expect_functional_ack
from gateway.models import TradingPartner
from gateway.partners.registry import profile_of, the_organisation
from gateway.platform.config import Settings


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
    interchange = build_interchange(session, the_organisation(session), partner, mapping.functional_id,
                                    [SetBody(mapping.set_id, mapping.body(document, profile))], when=when)
    message = transports.queue_payload(session, settings, partner, profile.transport, interchange.text.encode(),
                                       document_type=mapping.set_id,
                                       filename=f"{mapping.set_id}-{reference or interchange.interchange_control_number}.edi")
    expect_functional_ack(session, message, partner, interchange, mapping.set_id,
                          {number: reference for number in interchange.set_control_numbers})
    return QueuedDocument(message.id, profile.transport, mapping.set_id, reference)


def start_delivery(settings: Settings, queued: QueuedDocument) -> None:
    """Queue the send of a stored document; call it once the transaction that stored it committed."""
    transports.start_delivery(settings, queued.message_id, queued.transport)
