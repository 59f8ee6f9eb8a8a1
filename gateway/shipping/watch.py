"""The ASN watch (beat, every minute): what Amazon charges for when an 856 is late or missing.

Two critical exceptions, both measured from when the goods left:
- ``asn_late``: a shipment whose 856 is not delivered (verified MDN) and accepted (Amazon's
  997) within the partner's ``ship_notice.deadline_minutes`` (Amazon: 30) of ``shipped_at``.
  Like a late 855 it stays open once raised: the lateness happened, and a chargeback may
  follow; its text is updated while the 856 is still not through.
- ``shipped_without_asn``: the IMS reported an order shipped, and no shipment carrying it
  reached the gateway within that time: Amazon "remains unaware" of goods on the way. A
  shipment for the PO resolves it (``gateway.shipping.ship_notices``).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from gateway.models import PurchaseOrder, Shipment, ShipmentCarton, TradingPartner
from gateway.operations.exception_queue import record_exception
from gateway.partners.registry import profile_of
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.shipping.read_model import ShipmentStatus, status_of
from gateway.shipping.ship_notices import SHIPMENT

# Shipments older than this are not watched: their lateness, if any, was raised long ago.
WATCHED_DAYS = 14


def watch_ship_notices(settings: Settings, now: datetime | None = None) -> dict[str, list[str]]:
    """Raise the late and missing ASNs; returns the shipment ids and PO numbers raised."""
    now = now or datetime.now(timezone.utc)
    raised: dict[str, list[str]] = {"asn_late": [], "shipped_without_asn": []}
    with session_scope(settings) as session:
        deadlines: dict[int, timedelta] = {}

        def deadline(partner_id: int) -> timedelta:
            if partner_id not in deadlines:
                partner = existing(session, TradingPartner, partner_id)
                deadlines[partner_id] = timedelta(minutes=profile_of(partner).ship_notice.deadline_minutes)
            return deadlines[partner_id]

        recent = select(Shipment).where(Shipment.shipped_at > now - timedelta(days=WATCHED_DAYS),
                                        Shipment.shipped_at < now).options(selectinload(Shipment.asn_message))
        for shipment in session.scalars(recent):
            due = shipment.shipped_at + deadline(shipment.partner_id)
            if now < due:
                continue
            status = status_of(session, shipment)
            if status is ShipmentStatus.ASN_ACCEPTED:
                continue
            pos = ", ".join(shipment.po_numbers)
            record_exception(
                session, "asn_late",
                f"shipment {shipment.shipment_id} (PO {pos}): the 856 was not delivered and accepted within "
                f"{deadline(shipment.partner_id).total_seconds() / 60:g} minutes of the truck leaving "
                f"({shipment.shipped_at:%Y-%m-%d %H:%M} UTC); it is {status.value.replace('_', ' ')}",
                subject_type=SHIPMENT, subject_id=shipment.shipment_id, po_number=shipment.po_numbers[0],
                detail={"shipment_id": shipment.shipment_id, "po_numbers": shipment.po_numbers,
                        "status": status.value})
            raised["asn_late"].append(shipment.shipment_id)
        shipped = select(PurchaseOrder).where(
            PurchaseOrder.ims_shipped_at.is_not(None), PurchaseOrder.ims_shipped_at > now - timedelta(days=WATCHED_DAYS),
            ~exists().where(ShipmentCarton.po_number == PurchaseOrder.po_number))
        for po in session.scalars(shipped):
            assert po.ims_shipped_at is not None
            if now < po.ims_shipped_at + deadline(po.partner_id):
                continue
            record_exception(
                session, "shipped_without_asn",
                f"PO {po.po_number}: the IMS reported it shipped at {po.ims_shipped_at:%Y-%m-%d %H:%M} UTC and no "
                "shipment (pallets, cartons, SSCCs) reached the gateway, so no 856 went to Amazon: post it to "
                "/api/v1/ims/shipments",
                subject_type="purchase_order", subject_id=po.po_number, po_number=po.po_number)
            raised["shipped_without_asn"].append(po.po_number)
    return raised
