"""Shipments for tests of the shipment pages, seeded through the models as the gateway leaves
them once a shipment is stored: the PO it ships (its lines' ``shipped`` moved), the warehouse
it leaves from, its 856 message (delivered, or retrying) with the X12 group Amazon's 997
answers, pallets, cartons and items, and the shipment's and the PO's audit events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from biip.checksums import gs1_standard_check_digit
from sqlalchemy import select

from gateway.models import (
    Message,
    Organisation,
    PurchaseOrder,
    PurchaseOrderLine,
    Shipment,
    ShipmentCarton,
    ShipmentItem,
    ShipmentPallet,
    TradingPartner,
    Warehouse,
    X12Group,
    X12Set,
)
from gateway.platform import audit
from gateway.platform.db import session_scope
from gateway.platform.storage import attach_body

WAREHOUSE = "RNO-DC1"
FUNCTIONAL_IDS = {"856": "SH", "810": "IN"}
WAREHOUSE_NAME = "Acme Brands Reno DC"


def sscc(serial: int) -> str:
    """A well-formed SSCC-18 (GS1 company prefix 0614141) with ``serial``."""
    body = f"00614141{serial:09d}"
    return body + str(gs1_standard_check_digit(body))


@dataclass(frozen=True)
class Seeded:
    shipment_id: str
    po_number: str
    message_id: int
    ssccs: tuple[str, ...]  # the cartons', then the pallet's


def stored_shipment(settings, shipment_id: str, po_number: str, *, serial: int = 1, delivered: bool = True,
                    functional_ack: str | None = "A", received_at: datetime | None = None) -> Seeded:
    """A shipment of PO ``po_number`` (24 EA of line 1 in two cartons on one pallet, 2 CA of
    line 2 in a loose carton); its 856 delivered (with Amazon's ``functional_ack``) or retrying."""
    now = received_at or datetime.now(timezone.utc)
    ssccs = tuple(sscc(serial + offset) for offset in range(4))
    with session_scope(settings) as session:
        partner = amazon(session)
        po = PurchaseOrder(partner_id=partner.id, vendor_code="ACMEB", po_number=po_number, order_type="NE",
                           order_date=now.date(), ship_to="RNO1", backorder_allowed=False, status="shipped",
                           content_sha256="0" * 64, received_at=now - timedelta(days=2), ack_sent_at=now)
        mugs = PurchaseOrderLine(line_number="1", qualifier="EN", identifier="5012345678900", quantity=Decimal(24),
                                 unit="EA", unit_cost=Decimal("12.50"), sku="ACME-MUG-01", eaches=24, status="allocated",
                                 shipped=Decimal(24))
        lamps = PurchaseOrderLine(line_number="2", qualifier="EN", identifier="5012345678917", quantity=Decimal(4),
                                  unit="CA", pack_size=6, unit_cost=Decimal("60"), sku="ACME-LAMP-02", eaches=24,
                                  status="allocated", shipped=Decimal(2))
        po.lines = [mugs, lamps]
        session.add(po)
        message = sent_document(settings, session, partner, "856", shipment_id, delivered=delivered,
                                functional_ack=functional_ack, now=now)
        shipment = Shipment(
            shipment_id=shipment_id, partner_id=partner.id, ship_date=now.date(), shipped_at=now,
            estimated_delivery_date=now.date() + timedelta(days=2), ship_from=WAREHOUSE, ship_to="RNO1",
            carrier_scac="UPSN", bill_of_lading=f"BOL-{shipment_id}", pro_number=f"PRO-{shipment_id}",
            po_numbers=[po_number], body={}, body_sha256="0" * 64, asn_message_id=message.id, received_at=now,
            pallets=[ShipmentPallet(pallet_id="P1", sscc=ssccs[3])],
            cartons=[
                ShipmentCarton(sscc=ssccs[0], pallet_id="P1", po_number=po_number, items=[
                    ShipmentItem(purchase_order_line_id=mugs.id, line_number="1", sku="ACME-MUG-01", eaches=12,
                                 lot_number="LOT-A7", expiry_date=date(2027, 6, 30))]),
                ShipmentCarton(sscc=ssccs[1], pallet_id="P1", po_number=po_number, items=[
                    ShipmentItem(purchase_order_line_id=mugs.id, line_number="1", sku="ACME-MUG-01", eaches=12)]),
                ShipmentCarton(sscc=ssccs[2], po_number=po_number, items=[
                    ShipmentItem(purchase_order_line_id=lamps.id, line_number="2", sku="ACME-LAMP-02", eaches=12)]),
            ])
        session.add(shipment)
        session.flush()
        audit.record(session, "shipment.accepted", actor="api:ims", subject_type="shipment", subject_id=shipment_id,
                     revision=1, message_id=message.id, po_numbers=[po_number], cartons=3, pallets=1)
        audit.record(session, "purchase_order.856_sent", actor="api:ims", subject_type="purchase_order",
                     subject_id=po_number, shipment_id=shipment_id, message_id=message.id, cartons=3)
        return Seeded(shipment_id, po_number, message.id, ssccs)


def sent_document(settings, session, partner: TradingPartner, set_id: str, reference: str, *, delivered: bool,
                  functional_ack: str | None, now: datetime, po_number: str | None = None) -> Message:
    """The outbound message of one ``set_id`` about ``reference`` (filed under ``po_number``,
    else ``reference``): delivered (a verified MDN) or retrying after a second attempt's HTTP
    503, with the X12 group Amazon's 997 answers (``functional_ack``, None while awaited, due
    in 24 hours)."""
    message = Message(direction="outbound", status="delivered" if delivered else "queued", document_type=set_id,
                      partner_id=partner.id, po_number=po_number or reference, headers={}, attempts=1 if delivered else 2,
                      error=None if delivered else "HTTP 503", processed_at=now if delivered else None,
                      transport_id=f"<{set_id}-{reference}@gateway.example>", mdn_status="processed" if delivered
                      else None)
    attach_body(settings, message, b"")
    session.add(message)
    session.flush()
    group = X12Group(message_id=message.id, partner_id=partner.id, direction="outbound",
                     interchange_control_number=f"{message.id:09d}", functional_id=FUNCTIONAL_IDS[set_id],
                     control_number=str(message.id), version="004010", ack_status=functional_ack,
                     ack_due_at=now + timedelta(hours=24))
    group.sets = [X12Set(set_id=set_id, control_number=f"{message.id}0001", reference=reference,
                         ack_status=functional_ack, errors=[])]
    session.add(group)
    return message


def amazon(session) -> TradingPartner:
    """Amazon as a partner of our organisation, and the warehouse shipments leave from (made once)."""
    partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == "AMAZON")).first()
    if partner is not None:
        return partner
    organisation = Organisation(name="Acme Brands", as2_id="ACMEBRANDS", x12_id="ACMEBRANDS")
    partner = TradingPartner(organisation=organisation, name="Amazon", as2_id="AMAZON", x12_id="AMAZON")
    session.add_all([partner, Warehouse(code=WAREHOUSE, name=WAREHOUSE_NAME, street="1 Logistics Way", city="Reno",
                                        state="NV", postal_code="89502", country="US")])
    session.flush()
    return partner
