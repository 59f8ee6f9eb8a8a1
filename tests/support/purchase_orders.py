"""Purchase orders with a real 855 for tests of the PO pages: the rows intake leaves, the 855
the acknowledgement engine writes and queues, the AS2 sender's real attempts against a fake
Amazon (failing, answering without an MDN, or delivering with a signed MDN), and Amazon's
997 applied by the tracker.

Only what intake and the IMS would have written is seeded through the models: the PO and
its lines with their allocation. Everything after (outcomes, messages, attempts, audit
events, exceptions) is written by the gateway's own code.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from edi_maps.documents import AckStatus, FunctionalAck, SetAck
from gateway.exchange.tracker import apply_functional_ack
from gateway.models import Message, PurchaseOrder, PurchaseOrderLine, TradingPartner, X12Group
from gateway.orders.acknowledgement import acknowledge_purchase_order
from gateway.platform.db import existing, session_scope
from gateway.sandbox.development import ensure_development_identity
from gateway.transport.as2.sender import TransientSendError, send
from tests.support.amazon import AmazonSimulator, amazon_as_partner


@dataclass(frozen=True)
class Line:
    """A PO line as intake and the IMS leave it: ``allocated`` eaches, ``sku`` None when the
    catalogue does not know the identifier (then the line is held)."""

    identifier: str
    quantity: int
    allocated: int | None
    sku: str | None = "ACME-MUG-01"
    status: str = "allocated"
    unit: str = "EA"
    cost: str = "12.50"
    pack_size: int | None = None  # eaches per case, for a CA line


# Three lines the 855 answers three ways: all accepted; 20 of 24 accepted and 4 rejected
# (no back orders on this PO); an identifier the catalogue does not know, rejected whole.
THREE_WAYS = (
    Line("5012345678900", 24, 24),
    Line("5012345678917", 24, 20, sku="ACME-LAMP-02", status="partially_allocated"),
    Line("9999999999994", 1, None, sku=None, status="held"),
)


@contextmanager
def amazon_partner(settings) -> Iterator[AmazonSimulator]:
    """Our (development) organisation and Amazon as a partner, Amazon's AS2 endpoint played
    by the fake Amazon in a thread for the duration of the block."""
    ensure_development_identity(settings)
    with amazon_as_partner(settings) as (amazon, _):
        yield amazon


def allocated_po(settings, po_number: str, lines: tuple[Line, ...] = THREE_WAYS, *, received_at: datetime,
                 status: str = "allocated") -> int:
    """A PO as intake and the IMS's allocation leave it, its 855 due 24 h after receipt; returns its id."""
    today = received_at.date()
    with session_scope(settings) as session:
        partner_id = session.scalars(select(TradingPartner.id).where(TradingPartner.as2_id == "AMAZON")).one()
        po = PurchaseOrder(partner_id=partner_id, vendor_code="ACMEB", po_number=po_number, order_type="NE",
                           order_date=today, ship_not_before=today + timedelta(days=4),
                           ship_not_after=today + timedelta(days=11), ship_to="RNO1", backorder_allowed=False,
                           status=status, content_sha256="0" * 64, received_at=received_at,
                           ack_due_at=received_at + timedelta(hours=24), ims_order_id=f"SO-{po_number}")
        for number, line in enumerate(lines, 1):
            po.lines.append(PurchaseOrderLine(
                line_number=str(number), qualifier="EN", identifier=line.identifier, quantity=Decimal(line.quantity),
                unit=line.unit, unit_cost=Decimal(line.cost), sku=line.sku, pack_size=line.pack_size,
                eaches=line.quantity * (line.pack_size or 1) if line.sku else None, allocated=line.allocated,
                status=line.status))
        session.add(po)
        session.flush()
        return po.id


def acknowledge(settings, purchase_order_id: int, now: datetime | None = None) -> int:
    """The acknowledgement engine decides and queues the PO's 855; returns its message id."""
    assert acknowledge_purchase_order(settings, purchase_order_id, now=now) in ("sent", "resent")
    with session_scope(settings) as session:
        message_id = existing(session, PurchaseOrder, purchase_order_id).ack_message_id
        assert message_id is not None
        return message_id


def attempt(settings, message_id: int) -> str:
    """One real send attempt of the sender (what the send task does each try); returns the
    message's status, or the reason the attempt failed."""
    try:
        return send(settings, message_id)
    except TransientSendError as failed:
        return str(failed)


def amazon_997(settings, message_id: int, status: AckStatus) -> None:
    """Amazon's 997 for the 855 in ``message_id``, applied by the tracker as the inbound worker applies it."""
    with session_scope(settings) as session:
        group = session.scalars(select(X12Group).where(X12Group.message_id == message_id)).one()
        partner = existing(session, TradingPartner, group.partner_id)
        carrier = Message(direction="inbound", partner_id=partner.id, status="processed", document_type="997",
                          headers={})
        session.add(carrier)
        session.flush()
        sets = tuple(SetAck(tset.set_id, tset.control_number, status, ()) for tset in group.sets)
        accepted = len(sets) if status.is_accepted else 0
        apply_functional_ack(session, partner, carrier.id, FunctionalAck(
            group.functional_id, int(group.control_number), status, len(sets), len(sets), accepted, (), sets))
