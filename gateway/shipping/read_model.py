"""The shipment read model: what ops see of a shipment and its 856, as JSON and on pages.

A shipment's ``status`` is where its 856 stands with Amazon, derived (never stored) from
the one vocabulary of deliveries (``gateway.exchange.outbound.Delivery``) and Amazon's 997
for the latest 856, so the API, the pages and the ASN watch cannot disagree. Reading only.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gateway.exchange.outbound import Delivery, delivered_at, delivery_of
from gateway.exchange.tracker import functional_ack_due
from gateway.models import AuditEvent, PurchaseOrderLine, Shipment, ShipmentCarton
from gateway.orders.read_model import quantity_text
from gateway.shipping.checks import quantity_in_unit
from gateway.shipping.ship_notices import SHIPMENT

# 997 codes (AK5 of the set, else AK9 of the group): E is accepted with errors noted.
ACCEPTED_997 = ("A", "E")


class ShipmentStatus(StrEnum):
    """Where a shipment's latest 856 stands with Amazon."""

    ASN_PENDING = "asn_pending"  # queued or sent, no verified MDN yet, no attempt failed
    ASN_RETRYING = "asn_retrying"  # an attempt failed; another is due
    ASN_FAILED = "asn_failed"  # not delivered and no attempt left: a person replays it
    ASN_DELIVERED = "asn_delivered"  # Amazon's MDN came back; its 997 is awaited
    ASN_ACCEPTED = "asn_accepted"  # Amazon's 997 accepted it: done
    ASN_REJECTED = "asn_rejected"  # Amazon's 997 rejected it: see the exception


# Each status as the pages say it.
STATUS_WORDS = {
    ShipmentStatus.ASN_PENDING: "856 pending delivery",
    ShipmentStatus.ASN_RETRYING: "856 delivery retrying",
    ShipmentStatus.ASN_FAILED: "856 delivery failed",
    ShipmentStatus.ASN_DELIVERED: "856 delivered, 997 awaited",
    ShipmentStatus.ASN_ACCEPTED: "856 accepted by Amazon",
    ShipmentStatus.ASN_REJECTED: "856 rejected by Amazon",
}


def shipment_status(delivery: Delivery, functional_ack: str | None) -> ShipmentStatus:
    if functional_ack is not None:
        return ShipmentStatus.ASN_ACCEPTED if functional_ack in ACCEPTED_997 else ShipmentStatus.ASN_REJECTED
    return {Delivery.PENDING: ShipmentStatus.ASN_PENDING, Delivery.RETRYING: ShipmentStatus.ASN_RETRYING,
            Delivery.FAILED: ShipmentStatus.ASN_FAILED, Delivery.DELIVERED: ShipmentStatus.ASN_DELIVERED}[delivery]


def asn_functional_ack(session: Session, shipment: Shipment) -> str | None:
    """Amazon's 997 code for the shipment's latest 856 (None while awaited)."""
    return asn_functional_ack_due(session, shipment)[0]


def asn_functional_ack_due(session: Session, shipment: Shipment) -> tuple[str | None, datetime | None]:
    """Amazon's 997 code for the shipment's latest 856 (None while awaited) and when it is due."""
    return functional_ack_due(session, shipment.asn_message_id, "856")


def status_of(session: Session, shipment: Shipment) -> ShipmentStatus:
    assert shipment.asn_message is not None  # stored with its 856 in one transaction
    return shipment_status(delivery_of(shipment.asn_message), asn_functional_ack(session, shipment))


def find_shipment(session: Session, shipment_id: str) -> Shipment | None:
    return session.scalars(select(Shipment).where(Shipment.shipment_id == shipment_id)
                           .options(selectinload(Shipment.cartons).selectinload(ShipmentCarton.items),
                                    selectinload(Shipment.pallets), selectinload(Shipment.asn_message))).first()


def list_shipments(session: Session, *, po_number: str | None = None, limit: int = 100) -> list[Shipment]:
    """The newest shipments first (their cartons and pallets loaded, to count); with
    ``po_number`` only those carrying that PO."""
    query = select(Shipment).options(selectinload(Shipment.asn_message), selectinload(Shipment.cartons),
                                     selectinload(Shipment.pallets)).order_by(Shipment.received_at.desc(),
                                                                                 Shipment.id.desc())
    if po_number is not None:
        query = query.where(Shipment.id.in_(select(ShipmentCarton.shipment_ref)
                                            .where(ShipmentCarton.po_number == po_number)))
    return list(session.scalars(query.limit(limit)))


def shipment_summary(session: Session, shipment: Shipment) -> dict[str, Any]:
    """What a list shows of a shipment."""
    message = shipment.asn_message
    assert message is not None
    functional_ack = asn_functional_ack(session, shipment)
    return {
        "shipment_id": shipment.shipment_id,
        "status": shipment_status(delivery_of(message), functional_ack).value,
        "revision": shipment.revision,
        "ship_date": shipment.ship_date.isoformat(),
        "shipped_at": _instant(shipment.shipped_at),
        "estimated_delivery_date": _date(shipment.estimated_delivery_date),
        "ship_from": shipment.ship_from,
        "ship_to": shipment.ship_to,
        "carrier_scac": shipment.carrier_scac,
        "bill_of_lading": shipment.bill_of_lading,
        "pro_number": shipment.pro_number,
        "po_numbers": shipment.po_numbers,
        "received_at": _instant(shipment.received_at),
        "asn": {
            "message_id": message.id,
            "delivery": delivery_of(message).value,
            "delivered_at": _instant(delivered_at(message)),
            "attempts": message.attempts,
            "error": message.error,
            "mdn_status": message.mdn_status,
            "functional_ack": functional_ack,
        },
    }


def shipment_detail(session: Session, shipment: Shipment) -> dict[str, Any]:
    """The whole shipment: pallets, cartons with items in eaches and in the PO's unit, history."""
    line_ids = {item.purchase_order_line_id for carton in shipment.cartons for item in carton.items}
    lines = {line.id: line for line in session.scalars(select(PurchaseOrderLine)
                                                       .where(PurchaseOrderLine.id.in_(line_ids)))}
    detail = shipment_summary(session, shipment)
    detail.update({
        "weight_unit": shipment.weight_unit,
        "gross_weight": None if shipment.gross_weight is None else quantity_text(shipment.gross_weight),
        "carton_count": len(shipment.cartons),
        "pallet_count": len(shipment.pallets),
        "updated_at": _instant(shipment.updated_at),
        "pallets": [{"pallet_id": pallet.pallet_id, "sscc": pallet.sscc} for pallet in shipment.pallets],
        "cartons": [{
            "sscc": carton.sscc, "pallet_id": carton.pallet_id, "po_number": carton.po_number,
            "weight": None if carton.weight is None else quantity_text(carton.weight),
            "items": [{
                "line_number": item.line_number, "sku": item.sku, "eaches": item.eaches,
                "quantity": quantity_text(quantity_in_unit(item.eaches, lines[item.purchase_order_line_id].unit,
                                                     lines[item.purchase_order_line_id].pack_size)),
                "unit": lines[item.purchase_order_line_id].unit,
                "lot_number": item.lot_number, "expiry_date": _date(item.expiry_date),
            } for item in carton.items],
        } for carton in shipment.cartons],
        "history": [{"at": _instant(event.at), "actor": event.actor, "action": event.action, "detail": event.detail}
                    for event in shipment_history(session, shipment)],
    })
    return detail


def shipment_history(session: Session, shipment: Shipment) -> list[AuditEvent]:
    """The shipment's own audit events (received, replaced), oldest first."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.subject_type == SHIPMENT,
                                                         AuditEvent.subject_id == shipment.shipment_id)
                                .order_by(AuditEvent.at, AuditEvent.id)))


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
