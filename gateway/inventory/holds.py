"""Zero-stock holds: one owner of a hold's life (held -> released or cleared).

A hold is opened by a feed when the guard (``guard.zero_guard``) says a SKU's zero must
not reach the partner yet, with a ``stock_zero_held`` exception telling merchandising
which SKU, the last quantity sent, why, and what happens next. It ends:

- ``released`` by a person (page, API, CLI) or by the partner's policy timeout
  (``inventory.hold_release_hours``): the zero goes out in the next feed, and is not
  held again while it stays zero;
- ``cleared`` when the SKU has stock again: the cause is gone, the quantity is sent.

Every opening and ending is audited; the exception resolves when the hold ends.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.inventory.guard import REASON_WORDS, HoldReason
from gateway.models import InventoryHold, TradingPartner
from gateway.operations.exception_queue import record_exception, resolve_cause_gone
from gateway.platform import audit


class HoldStatus(StrEnum):
    HELD = "held"  # the SKU is absent from every 846 to the partner
    RELEASED = "released"  # let through: the zero goes out in the next feed
    CLEARED = "cleared"  # stock came back before anyone released it


def open_hold(session: Session, partner: TradingPartner, sku: str, ship_from: str, reason: HoldReason,
              last_sent: int | None, *, release_hours: float | None, now: datetime) -> InventoryHold:
    hold = InventoryHold(partner_id=partner.id, sku=sku, ship_from=ship_from, reason=reason.value,
                         last_sent_quantity=last_sent, status=HoldStatus.HELD.value, held_at=now)
    session.add(hold)
    session.flush()
    audit.record(session, "inventory.hold_opened", actor="gateway", subject_type="sku", subject_id=sku,
                 partner=partner.as2_id, ship_from=ship_from, reason=reason.value, last_sent=last_sent)
    where = f" at {ship_from}" if ship_from else ""
    told = "never been told a quantity" if last_sent is None else f"last been told {last_sent}"
    then = (f"the hold releases itself at {now + timedelta(hours=release_hours):%Y-%m-%d %H:%M} UTC (partner policy)"
            if release_hours is not None else "nothing is sent until a person releases it")
    record_exception(
        session, "stock_zero_held",
        f"SKU {sku}{where}: the IMS has none available to promise, and the 846 to {partner.name} leaves it out "
        f"because {REASON_WORDS[reason]} (Amazon has {told}). A zero can suppress the listing, and only Vendor "
        f"Central can undo that. Amazon keeps the last quantity it was told; {then}. Release it on "
        "/inventory/holds if the zero is right; restock it otherwise.",
        subject_type="inventory_hold", subject_id=hold.id,
        detail={"sku": sku, "ship_from": ship_from, "partner": partner.as2_id, "reason": reason.value,
                "last_sent_quantity": last_sent})
    return hold


def release_hold(session: Session, hold: InventoryHold, *, actor: str, note: str = "",
                 now: datetime | None = None) -> None:
    """Let the held zero through: it goes out in the partner's next feed."""
    if hold.status != HoldStatus.HELD:
        raise ValueError(f"hold {hold.id} of SKU {hold.sku} is {hold.status}, not held")
    _end(session, hold, HoldStatus.RELEASED, actor=actor, note=note, now=now or datetime.now(timezone.utc),
         cause=f"released by {actor}: the zero goes out in the next 846")


def clear_hold(session: Session, hold: InventoryHold, available: int, *, now: datetime) -> None:
    """The SKU has stock again: the hold ends, its quantity is sent."""
    _end(session, hold, HoldStatus.CLEARED, actor="gateway", note=f"{available} available again", now=now,
         cause=f"stock came back ({available} available): sent in the 846")


def release_expired(session: Session, partner: TradingPartner, release_hours: float | None, now: datetime) -> int:
    """The partner's policy: holds older than ``release_hours`` are released. Returns how many."""
    if release_hours is None:
        return 0
    expired = list(session.scalars(select(InventoryHold).where(
        InventoryHold.partner_id == partner.id, InventoryHold.status == HoldStatus.HELD,
        InventoryHold.held_at <= now - timedelta(hours=release_hours))))
    for hold in expired:
        _end(session, hold, HoldStatus.RELEASED, actor="policy", now=now,
             note=f"held longer than the partner's {release_hours:g} h", cause=(
                 f"released by the partner's policy after {release_hours:g} h: the zero goes out in the next 846"))
    return len(expired)


def holds_of(session: Session, *, sku: str | None = None, status: Sequence[HoldStatus] = (HoldStatus.HELD,),
             partner_id: int | None = None) -> list[InventoryHold]:
    query = select(InventoryHold).where(InventoryHold.status.in_([s.value for s in status]))
    if sku is not None:
        query = query.where(InventoryHold.sku == sku)
    if partner_id is not None:
        query = query.where(InventoryHold.partner_id == partner_id)
    return list(session.scalars(query.order_by(InventoryHold.held_at, InventoryHold.id)))


def _end(session: Session, hold: InventoryHold, status: HoldStatus, *, actor: str, note: str, now: datetime,
         cause: str) -> None:
    hold.status, hold.released_at, hold.released_by, hold.release_note = status.value, now, actor, note or None
    audit.record(session, f"inventory.hold_{status.value}", actor=actor, subject_type="sku", subject_id=hold.sku,
                 hold=hold.id, ship_from=hold.ship_from, note=note)
    resolve_cause_gone(session, ("stock_zero_held",), cause=cause, subject_type="inventory_hold", subject_id=hold.id)


def release_sku(session: Session, sku: str, *, actor: str, note: str = "", partner_id: int | None = None,
                ship_from: str | None = None) -> list[InventoryHold]:
    """Release every hold of ``sku`` (for one partner or ship-from when given); returns them
    (none: nothing of it was held)."""
    released = [hold for hold in holds_of(session, sku=sku, partner_id=partner_id)
                if ship_from is None or hold.ship_from == ship_from]
    for hold in released:
        release_hold(session, hold, actor=actor, note=note)
    return released
