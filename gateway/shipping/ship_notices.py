"""A shipment from the IMS becomes an 856 to Amazon: checked, stored, sent at once.

:func:`receive_shipment` is the one entry point (``POST /api/v1/ims/shipments``). It reads
the body (``report``), decides idempotency and replacement by ``shipment_id``, checks it
(``checks``) against the POs' accepted and already shipped quantities, stores pallets,
cartons and items, moves each PO's shipped quantities and status, and hands the
:class:`~edi_maps.documents.ShipNotice` to ``gateway.exchange.outbound.send_document`` in the
same transaction. The send is queued once it has committed: nothing is sent for a
shipment that was not stored, and nothing stored is left unsent.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from edi_maps.documents import (
    Address,
    Carton,
    IdentifierQualifier,
    Pallet,
    ProductIdentifier,
    ShipNotice,
    ShipNoticePurpose,
    ShippedItem,
    ShippedOrder,
    UnitOfMeasure,
)
from gateway.exchange.outbound import QueuedDocument, send_document, start_delivery
from gateway.models import (
    CatalogueItem,
    PurchaseOrder,
    PurchaseOrderLine,
    Shipment,
    ShipmentCarton,
    ShipmentItem,
    ShipmentPallet,
    TradingPartner,
    Warehouse,
)
from gateway.operations.exception_queue import resolve_cause_gone
from gateway.orders.status import (
    SHIPPING_STARTED,
    TIMELINE,
    PurchaseOrderStatus,
    accepted_quantity,
    allocation_status,
    move,
    status_after_shipping,
)
from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope
from gateway.shipping.checks import (
    LineFacts,
    OrderFacts,
    ShipmentFacts,
    check_shipment,
    quantity_in_unit,
    replacement_refusal,
)
from gateway.platform.json_reading import BodyConflict, BodyRefused, Problem
from gateway.shipping.report import ShipmentReport, read_shipment
from gateway.shipping.sscc import REUSE_WINDOW_DAYS

log = structlog.get_logger("gateway.shipping.ship_notices")

# Subject type of a shipment's own history in the audit trail; subject_id is the shipment_id.
SHIPMENT = "shipment"


class Received(StrEnum):
    """What became of a shipment the IMS sent."""

    ACCEPTED = "accepted"  # new: stored and its 856 queued
    UNCHANGED = "unchanged"  # the same body again: nothing to do
    REPLACED = "replaced"  # a changed body within the rules: stored and a replacement 856 (BSN01 05) queued


class ShipmentInvalid(BodyRefused):
    """The shipment breaks the contract or Amazon's rules; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("shipment", problems)


class ShipmentConflict(BodyConflict):
    """The shipment_id is known and this body cannot replace it (the message says why)."""


@dataclass(frozen=True, slots=True)
class ShipmentReceipt:
    outcome: Received
    shipment_id: str
    queued: QueuedDocument | None


def receive_shipment(settings: Settings, body: Any, *, actor: str, now: datetime | None = None) -> ShipmentReceipt:
    """Check, store and send the 856 for a shipment the IMS reports; raises :class:`ShipmentInvalid`
    (422) or :class:`ShipmentConflict` (409)."""
    now = now or datetime.now(timezone.utc)
    report, problems = read_shipment(body)
    if report is None:
        raise ShipmentInvalid(problems)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    with session_scope(settings) as session:
        shipment = session.scalars(select(Shipment).where(Shipment.shipment_id == report.shipment_id)
                                   .with_for_update()).first()
        if shipment is not None and shipment.body_sha256 == digest:
            return ShipmentReceipt(Received.UNCHANGED, report.shipment_id, None)
        if shipment is not None:
            previous, _ = read_shipment(shipment.body)
            assert previous is not None  # it was read when it was stored
            refusal = replacement_refusal(report, previous, shipment.shipped_at, now)
            if refusal is not None:
                raise ShipmentConflict(refusal)
        # A replacement may drop a PO altogether: its lines' shipped quantities are counted again too.
        orders = _purchase_orders(session, report.po_numbers + (shipment.po_numbers if shipment else []))
        problems = check_shipment(report, _facts(session, report, orders, shipment, now))
        partners = {po.partner_id for po in orders.values()}
        if len(partners) > 1:
            problems.append(Problem("/cartons", "the shipment's POs came from different trading partners: "
                                                "one 856 goes to one partner"))
        if problems:
            raise ShipmentInvalid(problems)
        outcome = Received.REPLACED if shipment is not None else Received.ACCEPTED
        shipment = _store(session, report, body, digest, orders, shipment, now)
        notice = _ship_notice(session, report, shipment, orders,
                              ShipNoticePurpose.REPLACEMENT if outcome is Received.REPLACED else ShipNoticePurpose.ORIGINAL)
        partner = existing(session, TradingPartner, shipment.partner_id)
        queued = send_document(session, settings, partner, notice, when=now)
        shipment.asn_message_id = queued.message_id
        _record(session, shipment, outcome, actor, queued)
    start_delivery(settings, queued)
    log.info("856 queued", shipment=report.shipment_id, outcome=outcome.value, message=queued.message_id)
    return ShipmentReceipt(outcome, report.shipment_id, queued)


def _purchase_orders(session: Session, po_numbers: list[str]) -> dict[str, PurchaseOrder]:
    """The shipment's POs by number (the newest where two vendor codes share one)."""
    rows = session.scalars(select(PurchaseOrder).where(PurchaseOrder.po_number.in_(po_numbers))
                           .options(selectinload(PurchaseOrder.lines)).order_by(PurchaseOrder.received_at))
    return {po.po_number: po for po in rows}


def _facts(session: Session, report: ShipmentReport, orders: dict[str, PurchaseOrder], shipment: Shipment | None,
           now: datetime) -> ShipmentFacts:
    """What the checks need to know, looked up once; ``shipment`` is the one being replaced, if any."""
    this = shipment.id if shipment is not None else -1
    skus = {line.sku for po in orders.values() for line in po.lines if line.sku}
    perishable = set(session.scalars(select(CatalogueItem.sku).where(CatalogueItem.sku.in_(skus),
                                                                     CatalogueItem.perishable.is_(True))))
    elsewhere = _shipped_by_line(session, [line.id for po in orders.values() for line in po.lines], excluding=this)
    facts_of_orders = {
        number: OrderFacts(
            po_number=number, ship_to=po.ship_to, acknowledged=po.ack_sent_at is not None,
            cancelled=po.status == PurchaseOrderStatus.CANCELLED,
            lines={line.line_number: LineFacts(
                line_number=line.line_number, sku=line.sku, unit=line.unit, pack_size=line.pack_size,
                accepted=accepted_quantity(line.outcomes or []),
                shipped_elsewhere=quantity_in_unit(elsewhere.get(line.id, 0), line.unit, line.pack_size),
                perishable=line.sku in perishable) for line in po.lines})
        for number, po in orders.items()}
    ssccs = {carton.sscc for carton in report.cartons} | {p.sscc for p in report.pallets if p.sscc}
    bol_user = session.scalars(select(Shipment.shipment_id).where(Shipment.bill_of_lading == report.bill_of_lading,
                                                                  Shipment.id != this)).first()
    return ShipmentFacts(now=now, warehouses=frozenset(session.scalars(select(Warehouse.code))),
                         orders=facts_of_orders, sscc_last_used=_sscc_last_used(session, ssccs, this, now),
                         bill_of_lading_used_by=bol_user)


def _sscc_last_used(session: Session, ssccs: set[str], excluding: int, now: datetime) -> dict[str, date]:
    """When each of ``ssccs`` last shipped in another shipment within the reuse window."""
    since = date.fromordinal(now.date().toordinal() - REUSE_WINDOW_DAYS)
    used: dict[str, date] = {}
    for table in (ShipmentCarton, ShipmentPallet):
        rows = session.execute(select(table.sscc, func.max(Shipment.ship_date))
                               .join(Shipment, Shipment.id == table.shipment_ref)
                               .where(table.sscc.in_(ssccs), Shipment.id != excluding, Shipment.ship_date > since)
                               .group_by(table.sscc))
        for sscc, day in rows:
            if sscc is not None:
                used[sscc] = max(day, used.get(sscc, day))
    return used


def _shipped_by_line(session: Session, line_ids: list[int], *, excluding: int) -> dict[int, int]:
    """Eaches shipped per PO line by the stored shipments other than ``excluding``."""
    rows = session.execute(select(ShipmentItem.purchase_order_line_id, func.sum(ShipmentItem.eaches))
                           .join(ShipmentCarton, ShipmentCarton.id == ShipmentItem.carton_id)
                           .where(ShipmentItem.purchase_order_line_id.in_(line_ids),
                                  ShipmentCarton.shipment_ref != excluding)
                           .group_by(ShipmentItem.purchase_order_line_id))
    return {line_id: int(total) for line_id, total in rows}


def _store(session: Session, report: ShipmentReport, body: Any, digest: str, orders: dict[str, PurchaseOrder],
           shipment: Shipment | None, now: datetime) -> Shipment:
    """Keep the shipment (replacing pallets and cartons of an earlier revision) and move its POs."""
    if shipment is None:
        shipment = Shipment(shipment_id=report.shipment_id, revision=1, received_at=now)
        session.add(shipment)
    else:
        shipment.revision += 1
        shipment.pallets.clear()
        shipment.cartons.clear()
        session.flush()
    weights = [carton.weight for carton in report.cartons if carton.weight is not None]
    shipment.partner_id = next(iter(orders.values())).partner_id
    # Without shipped_at (an older IMS) the truck counts as leaving when the shipment first came.
    shipment.ship_date, shipment.shipped_at = report.ship_date, report.shipped_at or shipment.shipped_at or now
    shipment.estimated_delivery_date = report.estimated_delivery_date
    shipment.ship_from, shipment.ship_to, shipment.carrier_scac = report.ship_from, report.ship_to, report.carrier_scac
    shipment.bill_of_lading, shipment.pro_number = report.bill_of_lading, report.pro_number
    shipment.weight_unit = report.weight_unit
    # TD1 states the gross weight only when every carton has one: a partial sum would be wrong.
    shipment.gross_weight = sum(weights, Decimal(0)) if len(weights) == len(report.cartons) else None
    shipment.po_numbers, shipment.body, shipment.body_sha256 = report.po_numbers, body, digest
    shipment.pallets = [ShipmentPallet(pallet_id=p.pallet_id, sscc=p.sscc) for p in report.pallets]
    lines = {(po.po_number, line.line_number): line for po in orders.values() for line in po.lines}
    shipment.cartons = [
        ShipmentCarton(sscc=carton.sscc, pallet_id=carton.pallet_id, po_number=carton.po_number, weight=carton.weight,
                       items=[ShipmentItem(purchase_order_line_id=lines[(carton.po_number, item.line_number)].id,
                                           line_number=item.line_number, sku=item.sku, eaches=item.eaches,
                                           lot_number=item.lot_number, expiry_date=item.expiry_date)
                              for item in carton.items])
        for carton in report.cartons]
    session.flush()
    for po in orders.values():
        shipped = _shipped_by_line(session, [line.id for line in po.lines], excluding=-1)
        for line in po.lines:
            line.shipped = quantity_in_unit(shipped.get(line.id, 0), line.unit, line.pack_size)
        status = status_after_shipping((accepted_quantity(line.outcomes or []), line.shipped) for line in po.lines
                                       if line.outcomes)
        if status is not None:
            move(po, status)
        elif po.status in SHIPPING_STARTED:  # a replacement took all of it off the truck
            move(po, allocation_status(po))
    return shipment


def _ship_notice(session: Session, report: ShipmentReport, shipment: Shipment, orders: dict[str, PurchaseOrder],
                 purpose: ShipNoticePurpose) -> ShipNotice:
    """The canonical 856: per PO its pallets (with that PO's cartons on them) and its loose cartons."""
    warehouse = session.scalars(select(Warehouse).where(Warehouse.code == report.ship_from)).one()
    pallet_sscc = {pallet.pallet_id: pallet.sscc for pallet in report.pallets}
    shipped_orders = []
    for po_number in report.po_numbers:
        po = orders[po_number]
        lines = {line.line_number: line for line in po.lines}
        by_pallet: dict[str | None, list[Carton]] = defaultdict(list)
        for carton in report.cartons:
            if carton.po_number != po_number:
                continue
            items = tuple(_shipped_item(lines[item.line_number], item.eaches, item.lot_number, item.expiry_date)
                          for item in carton.items)
            by_pallet[carton.pallet_id].append(Carton(carton.sscc, items))
        loose = tuple(by_pallet.pop(None, []))
        pallets = tuple(Pallet(pallet_sscc[pallet_id], tuple(cartons)) for pallet_id, cartons in by_pallet.items()
                        if pallet_id is not None)
        shipped_orders.append(ShippedOrder(po_number, po.order_date or po.received_at.date(), pallets, loose))
    return ShipNotice(
        shipment_id=report.shipment_id, purpose=purpose, shipped_at=shipment.shipped_at,
        estimated_delivery_date=report.estimated_delivery_date, carrier_scac=report.carrier_scac,
        bill_of_lading=report.bill_of_lading, pro_number=report.pro_number, ship_from_code=warehouse.code,
        ship_from=Address(warehouse.name, warehouse.street, warehouse.city, warehouse.state, warehouse.postal_code,
                          warehouse.country),
        ship_to=report.ship_to, carton_count=len(report.cartons), pallet_count=len(report.pallets),
        gross_weight=shipment.gross_weight, weight_unit=report.weight_unit, orders=tuple(shipped_orders))


def _shipped_item(line: PurchaseOrderLine, eaches: int, lot: str | None, expiry: date | None) -> ShippedItem:
    """One carton's share of a PO line, in the line's unit (whole cases for a CA line: the checks
    refuse anything else) with the identifier Amazon ordered by."""
    return ShippedItem(line.line_number, ProductIdentifier(IdentifierQualifier(line.qualifier), line.identifier),
                       quantity_in_unit(eaches, line.unit, line.pack_size), UnitOfMeasure(line.unit), lot, expiry)


def _record(session: Session, shipment: Shipment, outcome: Received, actor: str, queued: QueuedDocument) -> None:
    """The shipment's and each PO's history; a shipment resolves its POs' "shipped without ASN"."""
    audit.record(session, f"shipment.{outcome.value}", actor=actor, subject_type=SHIPMENT,
                 subject_id=shipment.shipment_id, revision=shipment.revision, message_id=queued.message_id,
                 po_numbers=shipment.po_numbers, cartons=len(shipment.cartons), pallets=len(shipment.pallets))
    for po_number in shipment.po_numbers:
        audit.record(session, "purchase_order.856_sent" if outcome is Received.ACCEPTED else "purchase_order.856_resent",
                     actor=actor, subject_type=TIMELINE, subject_id=po_number, shipment_id=shipment.shipment_id,
                     message_id=queued.message_id,
                     cartons=sum(1 for carton in shipment.cartons if carton.po_number == po_number))
        resolve_cause_gone(session, ("shipped_without_asn",), po_number=po_number,
                           cause=f"shipment {shipment.shipment_id} reached the gateway and its 856 was queued")
