"""846 feeds: planned whole, sent batch by batch at the partner's rate, resumable after a crash.

A feed is ``full`` (every SKU the catalogue maps and the IMS reports) or ``changes``
(the SKUs whose quantity differs from what the partner was last told). Planning runs in
one transaction: it computes available to promise per SKU and ship-from
(``availability``), holds the zeros the guard stops (``holds``), and writes the items as
batches of ``inventory.batch_size`` per ship-from. Sending then takes one batch at a time:
a token from the partner's bucket (``rate``), the batch claimed (``planned`` ->
``queued``), its 846 stored through ``exchange.outbound.send_document`` and what the
partner is now told recorded, all in one transaction. A crash before the commit leaves
the batch owed; after it, the message exists and the transport's own sweep delivers it.
So a batch is never sent twice, and whatever stops a feed, the next run carries on from
the first batch still owed (``send_feed``, called by the beat every minute).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from edi_maps.documents import Address, IdentifierQualifier, InventoryAdvice, InventoryItem, ProductIdentifier
from gateway.exchange.outbound import QueuedDocument, send_document, start_delivery
from gateway.inventory.availability import available_to_promise
from gateway.inventory.guard import SkuPosition, zero_guard
from gateway.inventory.holds import HoldStatus, clear_hold, open_hold, release_expired
from gateway.inventory.rate import Draw, draw
from gateway.models import (
    CatalogueItem,
    InventoryBatch,
    InventoryFeed,
    InventoryHold,
    InventorySent,
    RateBucket,
    StockLevel,
    TradingPartner,
    Warehouse,
)
from gateway.operations.exception_queue import record_exception
from gateway.partners.profile import InventorySettings
from gateway.partners.registry import profile_of
from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import existing, session_scope

# LIN carries at most 7 identifier pairs; the order says which Amazon matches first.
IDENTIFIER_ORDER = ("VN", "BP", "EN", "UP", "IB", "VP")
MAX_IDENTIFIERS = 7
BUCKET = "846"


class FeedKind(StrEnum):
    FULL = "full"
    CHANGES = "changes"


class FeedStatus(StrEnum):
    SENDING = "sending"  # batches still owed
    SENT = "sent"  # every batch queued for delivery
    EMPTY = "empty"  # nothing to tell the partner
    FAILED = "failed"  # a batch could not be written (its exception says why); the next feed starts afresh


class BatchStatus(StrEnum):
    PLANNED = "planned"
    QUEUED = "queued"


class InventoryNotEnabled(ValueError):
    """The partner's profile does not ask for an 846."""


class FeedInProgress(ValueError):
    """The partner's previous feed still has batches owed: a second one planned now would
    repeat them, and could reach the partner before them with older figures."""


@dataclass(frozen=True)
class Progress:
    feed_id: int
    queued: int  # batches queued by this call
    remaining: int  # batches still owed
    wait_seconds: float  # until the bucket has a token again (0 when none is owed or one is there)


@dataclass(frozen=True)
class _Sku:
    critical: bool
    safety_stock: int | None


def plan_feed(session: Session, partner: TradingPartner, kind: FeedKind, *, requested_by: str,
              now: datetime) -> InventoryFeed:
    """Compute, guard and batch what the partner is to be told; nothing is sent yet."""
    policy = profile_of(partner).inventory
    release_expired(session, partner, policy.hold_release_hours, now)
    catalogue = _catalogue(session)
    sent = {(row.sku, row.ship_from): row for row in session.scalars(
        select(InventorySent).where(InventorySent.partner_id == partner.id))}
    holds = {(hold.sku, hold.ship_from): hold for hold in session.scalars(select(InventoryHold).where(
        InventoryHold.partner_id == partner.id, InventoryHold.status == HoldStatus.HELD))}
    pending = {(hold.sku, hold.ship_from) for hold in session.scalars(select(InventoryHold).where(
        InventoryHold.partner_id == partner.id, InventoryHold.status == HoldStatus.RELEASED,
        InventoryHold.sent_at.is_(None)))}
    feed = InventoryFeed(partner_id=partner.id, kind=kind.value, status=FeedStatus.SENDING.value,
                         requested_by=requested_by, created_at=now)
    session.add(feed)
    session.flush()
    items: dict[str, list[list[object]]] = defaultdict(list)
    held = 0
    levels = session.execute(select(StockLevel.sku, StockLevel.ship_from, StockLevel.on_hand, StockLevel.reserved,
                                    StockLevel.allocated, StockLevel.discontinued)
                             .where(StockLevel.missing_since.is_(None)).order_by(StockLevel.ship_from, StockLevel.sku))
    for sku, ship_from, on_hand, reserved, allocated, discontinued in levels:
        entry = catalogue.get(sku)
        if entry is None:
            continue  # no Amazon identifier: raised when the IMS reported it (stock)
        safety = entry.safety_stock if entry.safety_stock is not None else policy.safety_stock
        available = available_to_promise(on_hand, reserved, allocated, safety, discontinued=discontinued)
        key = (sku, ship_from)
        last = sent.get(key)
        position = SkuPosition(available, None if last is None else last.quantity, entry.critical, discontinued,
                               zero_released=last is not None and last.zero_released,
                               release_pending=key in pending)
        reason = zero_guard(position)
        if reason is not None:
            held += 1
            if key not in holds:
                open_hold(session, partner, sku, ship_from, reason, position.last_sent,
                          release_hours=policy.hold_release_hours, now=now)
            continue
        if key in holds:
            clear_hold(session, holds[key], available, now=now)
        if kind is FeedKind.CHANGES and position.last_sent == available and key not in pending:
            continue
        items[ship_from].append([sku, available])
    sequence = 0
    for ship_from in sorted(items):
        entries = items[ship_from]
        for start in range(0, len(entries), policy.batch_size):
            sequence += 1
            session.add(InventoryBatch(feed_id=feed.id, sequence=sequence, ship_from=ship_from,
                                       items=entries[start:start + policy.batch_size],
                                       status=BatchStatus.PLANNED.value))
    feed.item_count = sum(len(entries) for entries in items.values())
    feed.held_count, feed.batch_count = held, sequence
    if sequence == 0:
        feed.status, feed.finished_at = FeedStatus.EMPTY.value, now
    audit.record(session, "inventory.feed_planned", actor=requested_by, subject_type="inventory_feed",
                 subject_id=feed.id, partner=partner.as2_id, kind=kind.value, items=feed.item_count, held=held,
                 batches=sequence)
    return feed


def send_feed(settings: Settings, feed_id: int, *, now: datetime | None = None) -> Progress:
    """Send the feed's owed batches while the partner's bucket has tokens.

    A batch the map refuses (a ValueError: data no 846 can carry) fails the feed with an
    ``inventory_feed_failed`` exception, so that it blocks no later feed; anything else (the
    database, the broker) propagates and the beat's next run carries on where this stopped.
    """
    queued_count = 0
    while True:
        moment = now or datetime.now(timezone.utc)
        try:
            with session_scope(settings) as session:
                step = _send_next_batch(session, settings, feed_id, moment)
        except ValueError as refused:
            _fail(settings, feed_id, refused, moment)
            return Progress(feed_id, queued_count, 0, 0.0)
        if step.queued is not None:
            start_delivery(settings, step.queued)
            queued_count += 1
        if step.queued is None or step.remaining == 0:
            return Progress(feed_id, queued_count, step.remaining, step.wait_seconds)


@dataclass(frozen=True)
class _Step:
    queued: QueuedDocument | None
    remaining: int
    wait_seconds: float


def _send_next_batch(session: Session, settings: Settings, feed_id: int, now: datetime) -> _Step:
    feed = session.scalars(select(InventoryFeed).where(InventoryFeed.id == feed_id)
                           .with_for_update(skip_locked=True)).first()
    if feed is None or feed.status != FeedStatus.SENDING:
        return _Step(None, 0, 0.0)  # finished, or another worker is sending it now
    owed = list(session.scalars(select(InventoryBatch).where(
        InventoryBatch.feed_id == feed_id, InventoryBatch.status == BatchStatus.PLANNED)
        .order_by(InventoryBatch.sequence).limit(2)))
    if not owed:
        feed.status, feed.finished_at = FeedStatus.SENT.value, now
        audit.record(session, "inventory.feed_sent", actor="gateway", subject_type="inventory_feed",
                     subject_id=feed.id, batches=feed.batch_count)
        return _Step(None, 0, 0.0)
    partner = existing(session, TradingPartner, feed.partner_id)
    policy = profile_of(partner).inventory
    token = _draw_token(session, partner, policy, now)
    if not token.granted:
        return _Step(None, _owed(session, feed_id), token.wait_seconds)
    batch = owed[0]
    # Claimed by a conditional update: a second worker sending the same feed (SQLite has
    # no row locks) finds it queued and claims nothing.
    claim = session.execute(update(InventoryBatch).where(
        InventoryBatch.id == batch.id, InventoryBatch.status == BatchStatus.PLANNED)
        .values(status=BatchStatus.QUEUED.value, queued_at=now))
    if cast(CursorResult, claim).rowcount != 1:
        return _Step(None, _owed(session, feed_id), 0.0)
    advice = _advice(session, feed, batch, now)
    queued = send_document(session, settings, partner, advice, when=now)
    batch.message_id = queued.message_id
    _record_sent(session, partner, batch, queued.message_id, now)
    remaining = _owed(session, feed_id)
    if remaining == 0:
        feed.status, feed.finished_at = FeedStatus.SENT.value, now
        audit.record(session, "inventory.feed_sent", actor="gateway", subject_type="inventory_feed",
                     subject_id=feed.id, batches=feed.batch_count)
    return _Step(queued, remaining, 0.0)


def _fail(settings: Settings, feed_id: int, error: ValueError, now: datetime) -> None:
    with session_scope(settings) as session:
        feed = existing(session, InventoryFeed, feed_id)
        partner = existing(session, TradingPartner, feed.partner_id)
        owed = _owed(session, feed_id)
        feed.status, feed.finished_at = FeedStatus.FAILED.value, now
        audit.record(session, "inventory.feed_failed", actor="gateway", subject_type="inventory_feed",
                     subject_id=feed.id, error=str(error))
        record_exception(
            session, "inventory_feed_failed",
            f"The {feed.kind} 846 feed {feed.id} to {partner.name} stopped with {owed} of its {feed.batch_count} "
            f"batches unsent: {error}. The next feed is planned afresh; fix the data it names (the catalogue or "
            "the IMS's stock), then send one with `edi-gateway inventory push`.",
            subject_type="inventory_feed", subject_id=feed.id)


def _owed(session: Session, feed_id: int) -> int:
    return session.scalar(select(func.count()).select_from(InventoryBatch).where(
        InventoryBatch.feed_id == feed_id, InventoryBatch.status == BatchStatus.PLANNED)) or 0


def _draw_token(session: Session, partner: TradingPartner, policy: InventorySettings, now: datetime) -> Draw:
    bucket = session.scalars(select(RateBucket).where(RateBucket.partner_id == partner.id,
                                                      RateBucket.purpose == BUCKET).with_for_update()).first()
    if bucket is None:
        bucket = RateBucket(partner_id=partner.id, purpose=BUCKET, tokens=float(policy.burst), refilled_at=now)
        session.add(bucket)
    result = draw(bucket.tokens, bucket.refilled_at, now, per_minute=policy.sends_per_minute, capacity=policy.burst)
    bucket.tokens, bucket.refilled_at = result.tokens, now
    return result


def _advice(session: Session, feed: InventoryFeed, batch: InventoryBatch, now: datetime) -> InventoryAdvice:
    skus = [sku for sku, _ in batch.items]
    identifiers: dict[str, list[ProductIdentifier]] = defaultdict(list)
    for start in range(0, len(skus), 1000):
        for item in session.scalars(select(CatalogueItem).where(CatalogueItem.sku.in_(skus[start:start + 1000]),
                                                                CatalogueItem.removed_at.is_(None))):
            identifiers[item.sku].append(ProductIdentifier(IdentifierQualifier(item.qualifier), item.identifier))
    restock: dict[str, date | None] = {}
    for start in range(0, len(skus), 1000):
        restock.update(session.execute(select(StockLevel.sku, StockLevel.restock_date).where(
            StockLevel.ship_from == batch.ship_from, StockLevel.sku.in_(skus[start:start + 1000]))).all())
    items = tuple(InventoryItem(_ordered(identifiers[sku]), int(quantity),
                                restock.get(sku) if int(quantity) == 0 else None)
                  for sku, quantity in batch.items if identifiers.get(sku))
    warehouse = (session.scalars(select(Warehouse).where(Warehouse.code == batch.ship_from)).first()
                 if batch.ship_from else None)
    address = None if warehouse is None else Address(warehouse.name, warehouse.street, warehouse.city, warehouse.state,
                                                     warehouse.postal_code, warehouse.country)
    return InventoryAdvice(reference=f"F{feed.id}-{batch.sequence}", as_of=now,
                           ship_from_code=batch.ship_from or None, ship_from=address, items=items)


def _ordered(identifiers: list[ProductIdentifier]) -> tuple[ProductIdentifier, ...]:
    rank = {qualifier: index for index, qualifier in enumerate(IDENTIFIER_ORDER)}
    ordered = sorted(set(identifiers), key=lambda pid: (rank.get(pid.qualifier.value, len(rank)), pid.value))
    return tuple(ordered[:MAX_IDENTIFIERS])


def _record_sent(session: Session, partner: TradingPartner, batch: InventoryBatch, message_id: int,
                 now: datetime) -> None:
    """What the partner is now told, per SKU; a released hold's zero is marked let through."""
    skus = [sku for sku, _ in batch.items]
    released: set[str] = set()
    for start in range(0, len(skus), 1000):
        for hold in session.scalars(select(InventoryHold).where(
                InventoryHold.partner_id == partner.id, InventoryHold.ship_from == batch.ship_from,
                InventoryHold.sku.in_(skus[start:start + 1000]), InventoryHold.status == HoldStatus.RELEASED,
                InventoryHold.sent_at.is_(None))):
            hold.sent_at = now
            released.add(hold.sku)
    # One upsert: looking each batch's SKUs up first was a query PostgreSQL planned once,
    # generically, while the table was nearly empty, and it then scanned every row written
    # so far, batch after batch (bench/inventory_bench.py: 241 s for 100,000 SKUs, now 20 s).
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    upsert = dialect_insert(InventorySent)
    upsert = upsert.on_conflict_do_update(
        index_elements=["partner_id", "sku", "ship_from"],
        set_={name: upsert.excluded[name] for name in ("quantity", "zero_released", "sent_at", "message_id")})
    session.execute(upsert, [
        {"partner_id": partner.id, "sku": sku, "ship_from": batch.ship_from, "quantity": int(quantity),
         "zero_released": int(quantity) == 0 and sku in released, "sent_at": now, "message_id": message_id}
        for sku, quantity in batch.items])


def _catalogue(session: Session) -> dict[str, _Sku]:
    """Per SKU the catalogue maps: critical if any of its entries is, the largest safety stock set."""
    found: dict[str, _Sku] = {}
    for sku, critical, safety in session.execute(select(CatalogueItem.sku, CatalogueItem.critical,
                                                        CatalogueItem.safety_stock)
                                                 .where(CatalogueItem.removed_at.is_(None))):
        before = found.get(sku)
        if before is None:
            found[sku] = _Sku(critical, safety)
        else:
            safeties = [value for value in (before.safety_stock, safety) if value is not None]
            found[sku] = _Sku(before.critical or critical, max(safeties) if safeties else None)
    return found


def due_kind(policy: InventorySettings, last_full: datetime | None, last_any: datetime | None,
             now: datetime) -> FeedKind | None:
    """Which feed the schedule owes now: full when the last is ``full_every_hours`` old (or
    none was sent), else changes when the last feed is ``changes_every_minutes`` old. Pure."""
    if last_full is None or now - last_full >= timedelta(hours=policy.full_every_hours):
        return FeedKind.FULL
    if last_any is None or now - last_any >= timedelta(minutes=policy.changes_every_minutes):
        return FeedKind.CHANGES
    return None


def run_schedule(settings: Settings, *, now: datetime | None = None) -> list[int]:
    """Beat: plan the feeds each enabled partner is owed; returns every feed still sending
    (new or interrupted), for the caller to send."""
    now = now or datetime.now(timezone.utc)
    with session_scope(settings) as session:
        for partner in session.scalars(select(TradingPartner).where(TradingPartner.active).order_by(TradingPartner.id)):
            policy = profile_of(partner).inventory
            if not policy.enabled:
                continue
            last_full = session.scalar(select(func.max(InventoryFeed.created_at)).where(
                InventoryFeed.partner_id == partner.id, InventoryFeed.kind == FeedKind.FULL))
            last_any = session.scalar(select(func.max(InventoryFeed.created_at)).where(
                InventoryFeed.partner_id == partner.id))
            kind = due_kind(policy, last_full, last_any, now)
            if kind is not None and _sending(session, partner) is None:
                plan_feed(session, partner, kind, requested_by="schedule", now=now)
        return list(session.scalars(select(InventoryFeed.id).where(InventoryFeed.status == FeedStatus.SENDING)
                                    .order_by(InventoryFeed.id)))


def request_feed(settings: Settings, partner_key: str, *, full: bool, requested_by: str,
                 now: datetime | None = None) -> InventoryFeed:
    """Plan a feed for one partner now (CLI, API); raises LookupError for an unknown partner
    and :class:`InventoryNotEnabled` when its profile does not ask for an 846."""
    now = now or datetime.now(timezone.utc)
    with session_scope(settings) as session:
        partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == partner_key)).first()
        if partner is None:
            raise LookupError(f"no partner {partner_key}")
        if not profile_of(partner).inventory.enabled:
            raise InventoryNotEnabled(
                f"partner {partner_key} gets no 846: set inventory.enabled to true in its profile first "
                f"(edi-gateway partners update {partner_key} --inventory)")
        sending = _sending(session, partner)
        if sending is not None:
            raise FeedInProgress(f"the {sending.kind} feed {sending.id} to {partner_key} still has "
                                 f"{_owed(session, sending.id)} of its {sending.batch_count} batches to send: "
                                 "a new feed waits until it is through")
        return plan_feed(session, partner, FeedKind.FULL if full else FeedKind.CHANGES, requested_by=requested_by,
                         now=now)


def _sending(session: Session, partner: TradingPartner) -> InventoryFeed | None:
    return session.scalars(select(InventoryFeed).where(InventoryFeed.partner_id == partner.id,
                                                       InventoryFeed.status == FeedStatus.SENDING)).first()
