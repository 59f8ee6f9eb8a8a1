"""Which business service takes each inbound canonical document: the composition root.

``gateway.exchange`` validates, acknowledges and translates what arrives, but knows no
business package (dependencies point down); this module hands it the table. A new
inbound document gets its line here and nowhere else.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from edi_maps.documents import PoChange, PurchaseOrder, Remittance
from gateway.exchange import inbound
from gateway.exchange.inbound import FollowUp, Receiver
from gateway.models import Message, TradingPartner
from gateway.finance import remittances
from gateway.orders import intake, po_changes
from gateway.platform.config import Settings


def _purchase_order(session: Session, partner: TradingPartner, message: Message,
                    document: PurchaseOrder) -> Sequence[FollowUp]:
    """A new PO is stored now; its sales order is created in the IMS by a task."""
    purchase_order = intake.receive_purchase_order(session, partner, message, document)
    if purchase_order is None:
        return []
    return [FollowUp("workers.tasks.create_sales_order", {"purchase_order_id": purchase_order.id})]


def _po_change(session: Session, partner: TradingPartner, message: Message, document: PoChange) -> Sequence[FollowUp]:
    """A change is applied to the stored PO now; the IMS order (and the 855) follow by a task."""
    purchase_order = po_changes.apply_po_change(session, partner, message, document)
    if purchase_order is None:
        return []
    return [FollowUp("workers.tasks.update_sales_order", {"purchase_order_id": purchase_order.id})]


def _remittance(session: Session, partner: TradingPartner, message: Message,
                document: Remittance) -> Sequence[FollowUp]:
    """A remittance is stored and its lines matched to invoices now; nothing follows."""
    remittances.receive_remittance(session, partner, message, document)
    return []


RECEIVERS: Mapping[type, Receiver] = {
    PurchaseOrder: _purchase_order,
    PoChange: _po_change,
    Remittance: _remittance,
}


def process_inbound_message(settings: Settings, message_id: int) -> str:
    """Validate, acknowledge, translate and take in one stored inbound message; returns its status."""
    return inbound.process_inbound_message(settings, message_id, RECEIVERS)
