"""The transports a partner's profile may name, and how exchange hands each one a payload.

A transport stores the payload as an outbound message in the same transaction as the
business change that produced it, and names the task that delivers it once that
transaction has committed. AS2 is the only one today; Amazon's SP-API joins here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gateway.models import Message, TradingPartner
from gateway.platform.config import Settings
from gateway.platform.queue import enqueue
from gateway.transport.as2 import sender as as2_sender


@dataclass(frozen=True)
class Transport:
    name: str
    # Store ``payload`` for the partner: (session, settings, partner, payload, document_type, filename, po_number).
    queue: Callable[..., Message]
    # The task (by name, so no worker code is imported) that sends a queued message.
    send_task: str


AS2 = Transport("as2", as2_sender.queue_outbound, "workers.tasks.send_as2_message")
# Every name in ``gateway.partners.profile.TRANSPORTS`` has its entry (a unit test checks).
BY_NAME: dict[str, Transport] = {"as2": AS2}


def queue_payload(session: Session, settings: Settings, partner: TradingPartner, transport: str, payload: bytes, *,
                  document_type: str, filename: str, po_number: str | None = None) -> Message:
    """Store ``payload`` for ``partner`` on ``transport``; send it with :func:`start_delivery` after the commit.

    ``po_number`` is the PO the document is about: the transport names it in what it
    tells ops about the delivery.
    """
    return BY_NAME[transport].queue(session, settings, partner, payload, document_type=document_type,
                                    filename=filename, po_number=po_number)


def start_delivery(settings: Settings, message_id: int, transport: str) -> None:
    """Queue the task that sends a stored outbound message (call after its transaction committed)."""
    enqueue(settings, BY_NAME[transport].send_task, message_id=message_id)
