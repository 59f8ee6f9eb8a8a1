"""Drift: where what Amazon believes and what the IMS holds have come apart (phantom stock).

Per partner and SKU, two comparisons:

- open orders: the units Amazon holds on open POs as accepted and not yet shipped
  (accepted in the latest 855 minus shipped, in eaches) against the units the IMS holds
  allocated to those same POs (allocated minus shipped, in eaches). Amazon counting on
  more than the IMS set aside is stock it will not receive;
- availability: what the last 846 told the partner against what is available to promise
  now. Amazon ordering from a higher figure is the phantom stock the seed warns of.

The report is computed when asked (page, API, CSV); the beat looks once a day and keeps
one ``stock_drift`` exception open while any SKU drifts, resolved when none does.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gateway.inventory.availability import available_to_promise
from gateway.models import CatalogueItem, InventorySent, PurchaseOrder, StockLevel, TradingPartner
from gateway.operations.exception_queue import record_exception, resolve_cause_gone
from gateway.orders.status import NOT_ACKNOWLEDGED, PurchaseOrderStatus, accepted_quantity
from gateway.partners.registry import profile_of
from gateway.platform.config import Settings
from gateway.platform.db import session_scope

CLOSED = NOT_ACKNOWLEDGED | {PurchaseOrderStatus.SHIPPED}
COLUMNS = ("partner", "sku", "amazon_open_units", "ims_allocated_units", "open_order_gap", "last_sent_quantity",
           "available_now", "availability_gap")


@dataclass(frozen=True)
class DriftRow:
    partner: str  # the partner's AS2 id
    sku: str
    amazon_open_units: int  # accepted on open POs, not yet shipped (eaches)
    ims_allocated_units: int  # allocated by the IMS to those POs, not yet shipped (eaches)
    last_sent_quantity: int | None  # what the last 846 said (summed over ship-froms); None: never sent
    available_now: int | None  # available to promise now; None: the IMS reports no stock for it

    @property
    def open_order_gap(self) -> int:
        """Positive: Amazon counts on units the IMS has not set aside for it."""
        return self.amazon_open_units - self.ims_allocated_units

    @property
    def availability_gap(self) -> int | None:
        """Positive: Amazon was told of more than is available now (phantom stock)."""
        if self.last_sent_quantity is None or self.available_now is None:
            return None
        return self.last_sent_quantity - self.available_now

    @property
    def drifts(self) -> bool:
        return self.open_order_gap != 0 or bool(self.availability_gap)

    def as_json(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in COLUMNS}


def drift_report(session: Session, *, only_drifting: bool = False) -> list[DriftRow]:
    """One row per partner and SKU that has open orders, a sent quantity or stock; by SKU."""
    partners = {partner.id: partner for partner in session.scalars(select(TradingPartner))}
    open_units: dict[tuple[int, str], int] = defaultdict(int)
    allocated: dict[tuple[int, str], int] = defaultdict(int)
    orders = session.scalars(select(PurchaseOrder).where(PurchaseOrder.status.not_in([s.value for s in CLOSED]))
                             .options(selectinload(PurchaseOrder.lines)))
    for order in orders:
        for line in order.lines:
            if line.sku is None or not line.outcomes:
                continue
            per_unit = line.pack_size or 1 if line.unit == "CA" else 1
            shipped = int(line.shipped * per_unit)
            key = (order.partner_id, line.sku)
            open_units[key] += max(0, int(accepted_quantity(line.outcomes) * per_unit) - shipped)
            allocated[key] += max(0, (line.allocated or 0) - shipped)
    sent: dict[tuple[int, str], int] = defaultdict(int)
    for entry in session.scalars(select(InventorySent)):
        sent[(entry.partner_id, entry.sku)] += entry.quantity
    catalogue: dict[str, int | None] = {}
    for sku, safety in session.execute(select(CatalogueItem.sku, CatalogueItem.safety_stock)
                                       .where(CatalogueItem.removed_at.is_(None))):
        catalogue[sku] = max(catalogue.get(sku) or 0, safety) if safety is not None else catalogue.get(sku)
    # The levels by SKU and each partner's policy, read once: a report covers every SKU.
    levels: dict[str, list[StockLevel]] = defaultdict(list)
    for level in session.scalars(select(StockLevel).where(StockLevel.missing_since.is_(None))):
        levels[level.sku].append(level)
    policies = {partner_id: profile_of(partner).inventory for partner_id, partner in partners.items()}
    rows: list[DriftRow] = []
    keys = set(open_units) | set(sent)
    for partner_id, policy in policies.items():
        if policy.enabled:
            keys |= {(partner_id, sku) for sku in levels if sku in catalogue}
    for partner_id, sku in sorted(keys, key=lambda key: (key[1], key[0])):
        partner = partners[partner_id]
        default_safety = policies[partner_id].safety_stock
        own = levels.get(sku, [])
        safety = catalogue.get(sku)
        available = (sum(available_to_promise(level.on_hand, level.reserved, level.allocated,
                                              safety if safety is not None else default_safety,
                                              discontinued=level.discontinued) for level in own)
                     if own else None)
        key = (partner_id, sku)
        row = DriftRow(partner.as2_id, sku, open_units.get(key, 0), allocated.get(key, 0),
                       sent[key] if key in sent else None, available)
        if row.drifts or not only_drifting:
            rows.append(row)
    return rows


def watch_drift(settings: Settings, *, now: datetime | None = None) -> int:
    """Beat, daily: one open ``stock_drift`` exception while any SKU drifts. Returns how many do."""
    now = now or datetime.now(timezone.utc)
    with session_scope(settings) as session:
        drifting = drift_report(session, only_drifting=True)
        if not drifting:
            resolve_cause_gone(session, ("stock_drift",), cause="no SKU drifts any more", subject_type="inventory",
                               subject_id="drift")
            return 0
        worst = sorted(drifting, key=lambda row: -(abs(row.open_order_gap) + abs(row.availability_gap or 0)))[:5]
        named = "; ".join(f"{row.sku}: Amazon holds {row.amazon_open_units} open, the IMS allocated "
                          f"{row.ims_allocated_units}, the last 846 said {row.last_sent_quantity}, "
                          f"{row.available_now} available now" for row in worst)
        record_exception(
            session, "stock_drift",
            f"{len(drifting)} SKU(s) drift between Amazon and the IMS as of {now:%Y-%m-%d %H:%M} UTC ({named}). "
            "Open the drift report (/inventory/drift) to see each one; a gap on open orders is stock Amazon will "
            "not receive, a gap in availability is what Amazon orders from until the next 846.",
            subject_type="inventory", subject_id="drift", detail={"drifting": len(drifting)})
        return len(drifting)
