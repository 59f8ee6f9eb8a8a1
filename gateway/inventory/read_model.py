"""The inventory read model: holds, held snapshots and feeds as the API, CLI and pages show
them. A feed's batches carry their 846's delivery (``exchange.outbound.Delivery``:
delivered means the partner's verified MDN came back) and the partner's 997 code.
Reading only.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.exchange.outbound import delivery_of
from gateway.exchange.tracker import functional_ack_due
from gateway.inventory.drift import COLUMNS, DriftRow
from gateway.inventory.guard import REASON_WORDS, HoldReason
from gateway.inventory.holds import HoldStatus
from gateway.inventory.stock import ReportOutcome
from gateway.models import InventoryBatch, InventoryFeed, InventoryHold, Message, StockReport, TradingPartner


def hold_json(hold: InventoryHold, partner: TradingPartner) -> dict[str, Any]:
    return {
        "id": hold.id,
        "partner": partner.as2_id,
        "sku": hold.sku,
        "ship_from": hold.ship_from or None,
        "reason": hold.reason,
        "reason_words": REASON_WORDS[HoldReason(hold.reason)],
        "last_sent_quantity": hold.last_sent_quantity,
        "status": hold.status,
        "held_at": _instant(hold.held_at),
        "released_at": _instant(hold.released_at),
        "released_by": hold.released_by,
        "release_note": hold.release_note,
    }


def snapshot_json(report: StockReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "source": report.source,
        "as_of": _instant(report.as_of),
        "complete": report.complete,
        "ship_from": report.ship_from or None,
        "item_count": report.item_count,
        "outcome": report.outcome,
        "last_reported": report.detail.get("last_reported"),
        "missing": report.detail.get("missing"),
        "missing_share": report.detail.get("missing_share"),
        "received_at": _instant(report.received_at),
        "decided_at": _instant(report.decided_at),
        "decided_by": report.decided_by,
    }


def list_snapshots(session: Session, *, outcome: ReportOutcome | None = None, limit: int = 100) -> list[StockReport]:
    """The newest stock reports first, optionally with one outcome (``held``: waiting for a person)."""
    query = select(StockReport)
    if outcome is not None:
        query = query.where(StockReport.outcome == outcome.value)
    return list(session.scalars(query.order_by(StockReport.received_at.desc(), StockReport.id.desc()).limit(limit)))


def list_feeds(session: Session, *, partner_id: int | None = None, limit: int = 100) -> list[InventoryFeed]:
    query = select(InventoryFeed)
    if partner_id is not None:
        query = query.where(InventoryFeed.partner_id == partner_id)
    return list(session.scalars(query.order_by(InventoryFeed.created_at.desc(), InventoryFeed.id.desc()).limit(limit)))


def feed_json(session: Session, feed: InventoryFeed, *, batches: bool = True) -> dict[str, Any]:
    partner = session.get(TradingPartner, feed.partner_id)
    shown: dict[str, Any] = {
        "id": feed.id,
        "partner": partner.as2_id if partner else None,
        "kind": feed.kind,
        "status": feed.status,
        "requested_by": feed.requested_by,
        "created_at": _instant(feed.created_at),
        "finished_at": _instant(feed.finished_at),
        "item_count": feed.item_count,
        "held_count": feed.held_count,
        "batch_count": feed.batch_count,
    }
    if batches:
        shown["batches"] = [_batch_json(session, batch) for batch in session.scalars(
            select(InventoryBatch).where(InventoryBatch.feed_id == feed.id).order_by(InventoryBatch.sequence))]
    return shown


def _batch_json(session: Session, batch: InventoryBatch) -> dict[str, Any]:
    message = session.get(Message, batch.message_id) if batch.message_id is not None else None
    return {
        "sequence": batch.sequence,
        "ship_from": batch.ship_from or None,
        "item_count": len(batch.items),
        "status": batch.status,
        "message_id": batch.message_id,
        "delivery": delivery_of(message).value if message is not None else None,
        "functional_ack": functional_ack_due(session, message.id, "846")[0] if message is not None else None,
    }


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def held_counts(session: Session) -> tuple[int, int]:
    """(SKUs held by the zero-stock guard, stock snapshots held for a person): what the home page counts."""
    skus = session.scalar(select(func.count()).select_from(InventoryHold)
                          .where(InventoryHold.status == HoldStatus.HELD.value)) or 0
    snapshots = session.scalar(select(func.count()).select_from(StockReport)
                               .where(StockReport.outcome == ReportOutcome.HELD.value)) or 0
    return skus, snapshots


def drift_csv(rows: list[DriftRow]) -> str:
    """The drift report as CSV (header ``drift.COLUMNS``; empty cells for unknown figures)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        shown = row.as_json()
        writer.writerow(["" if shown[name] is None else shown[name] for name in COLUMNS])
    return out.getvalue()
