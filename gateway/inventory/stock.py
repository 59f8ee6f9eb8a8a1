"""What the IMS holds: stock reports taken in (pushed or pulled), kept whole, applied to the
stock levels the 846 is computed from.

- A report older (``as_of``) than the last one taken in for its ship-from is ``stale``:
  kept, not applied. The same body again changes nothing.
- A complete snapshot that leaves out more than ``stock_max_missing_share`` of the SKUs
  last reported is ``held`` whole (``guard.snapshot_check``) with a critical exception: a
  person releases it (applied) or discards it. Applied, a complete snapshot marks the SKUs
  it leaves out ``missing_since``: unknown to the IMS, left out of the 846, never sent as zero.
- Drift in the catalogue is raised as it is seen: an IMS SKU with no Amazon identifier,
  a catalogue SKU the IMS's complete snapshot does not list. Each resolves itself once
  its cause is gone.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from gateway.ims.client import ImsClient
from gateway.inventory.guard import snapshot_check
from gateway.inventory.report import StockReportBody, read_stock_report
from gateway.models import CatalogueItem, OperationalException, StockLevel, StockReport
from gateway.operations.exception_queue import UNRESOLVED, record_exception, resolve_cause_gone, resolve_exception
from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import session_scope
from gateway.platform.json_reading import BodyRefused, Problem


class ReportOutcome(StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"  # the same body as a report already taken in
    STALE = "stale"  # older than the last report for its ship-from: kept, not applied
    HELD = "held"  # a complete snapshot missing too many SKUs: waits for a person
    RELEASED = "released"  # held, then applied by a person
    DISCARDED = "discarded"  # held, then set aside by a person


class StockReportRefused(BodyRefused):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("stock report", problems)


@dataclass(frozen=True)
class StockReceipt:
    outcome: ReportOutcome
    report_id: int | None


def receive_stock_report(settings: Settings, body: Any, *, actor: str, source: str = "push",
                         now: datetime | None = None) -> StockReceipt:
    """Store a stock report and apply it unless it is stale or held; raises
    :class:`StockReportRefused` (422) for a body that breaks the contract."""
    now = now or datetime.now(timezone.utc)
    report, problems = read_stock_report(body)
    if report is None:
        raise StockReportRefused(problems)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    with session_scope(settings) as session:
        if session.scalars(select(StockReport.id).where(StockReport.body_sha256 == digest)).first() is not None:
            return StockReceipt(ReportOutcome.UNCHANGED, None)
        row = StockReport(source=source, as_of=report.as_of, complete=report.complete, ship_from=report.ship_from,
                          item_count=len(report.items), body=body, body_sha256=digest, outcome="", detail={},
                          received_at=now)
        session.add(row)
        session.flush()
        latest = session.scalar(select(func.max(StockReport.as_of)).where(
            StockReport.ship_from == report.ship_from, StockReport.id != row.id,
            StockReport.outcome.in_((ReportOutcome.APPLIED, ReportOutcome.HELD, ReportOutcome.RELEASED))))
        if latest is not None and report.as_of < latest:
            row.outcome = ReportOutcome.STALE
            audit.record(session, "stock.report_stale", actor=actor, subject_type="stock_report", subject_id=row.id,
                         as_of=report.as_of.isoformat(), latest=latest.isoformat())
            return StockReceipt(ReportOutcome.STALE, row.id)
        if report.complete:
            check = snapshot_check(_reported_skus(session, report.ship_from), [item.sku for item in report.items],
                                   settings.stock_max_missing_share)
            row.detail = {"last_reported": check.last_reported, "missing": check.missing,
                          "missing_share": round(check.share, 4)}
            if check.held:
                row.outcome = ReportOutcome.HELD
                _raise_held(session, row, check.missing, check.last_reported, settings.stock_max_missing_share)
                return StockReceipt(ReportOutcome.HELD, row.id)
        row.outcome = ReportOutcome.APPLIED
        apply_report(session, row, report, now=now)
        audit.record(session, "stock.report_applied", actor=actor, subject_type="stock_report", subject_id=row.id,
                     complete=report.complete, items=len(report.items), ship_from=report.ship_from)
        return StockReceipt(ReportOutcome.APPLIED, row.id)


def decide_held_report(settings: Settings, report_id: int, *, release: bool, actor: str, note: str = "") -> StockReport:
    """A person releases (applies) or discards a held snapshot; raises LookupError for a
    report that is not held."""
    now = datetime.now(timezone.utc)
    with session_scope(settings) as session:
        row = session.get(StockReport, report_id, with_for_update=True)
        if row is None or row.outcome != ReportOutcome.HELD:
            raise LookupError(f"no held stock report {report_id}")
        row.outcome = ReportOutcome.RELEASED if release else ReportOutcome.DISCARDED
        row.decided_at, row.decided_by = now, actor
        if release:
            report, _ = read_stock_report(row.body)
            assert report is not None  # it was read when it came
            apply_report(session, row, report, now=now)
        words = "released and applied" if release else "discarded"
        audit.record(session, f"stock.report_{row.outcome}", actor=actor, subject_type="stock_report",
                     subject_id=row.id, note=note)
        _resolve(session, "stock_snapshot_held", "stock_report", [str(row.id)], f"{words} by {actor}")
        return row


def pull_stock(settings: Settings, *, now: datetime | None = None) -> StockReceipt:
    """Read the IMS's whole stock (``GET /api/v1/stock``) and take it in as a complete snapshot,
    for an IMS that does not push; raises ImsError when the IMS cannot be read."""
    now = now or datetime.now(timezone.utc)
    with ImsClient.from_settings(settings) as ims:
        listing = ims.list_stock()
    body = {"as_of": now.isoformat(), "complete": True, "items": listing.get("items", [])}
    receipt = receive_stock_report(settings, body, actor="gateway", source="pull", now=now)
    with session_scope(settings) as session:
        resolve_cause_gone(session, ("ims_call_failed",), cause="the IMS's stock was read again",
                           subject_type="ims", subject_id="stock")
    return receipt


def apply_report(session: Session, row: StockReport, report: StockReportBody, *, now: datetime) -> None:
    """Write the report's levels (bulk: a snapshot may list 100,000 SKUs) and raise or
    resolve the catalogue drift it shows."""
    known = {sku: level_id for sku, level_id in session.execute(
        select(StockLevel.sku, StockLevel.id).where(StockLevel.ship_from == report.ship_from))}
    updates, inserts = [], []
    for item in report.items:
        values = {"on_hand": item.on_hand, "reserved": item.reserved, "allocated": item.allocated,
                  "discontinued": item.discontinued, "restock_date": item.restock_date, "as_of": report.as_of,
                  "report_id": row.id, "missing_since": None}
        if item.sku in known:
            updates.append({"id": known[item.sku], **values})
        else:
            inserts.append({"sku": item.sku, "ship_from": report.ship_from, **values})
    if updates:
        session.execute(update(StockLevel), updates)
    if inserts:
        session.execute(insert(StockLevel), inserts)
    if report.complete:
        listed = {item.sku for item in report.items}
        gone = [level_id for sku, level_id in known.items() if sku not in listed]
        for start in range(0, len(gone), 1000):
            session.execute(update(StockLevel).where(StockLevel.id.in_(gone[start:start + 1000]),
                                                     StockLevel.missing_since.is_(None)).values(missing_since=now))
    _catalogue_drift(session, report)


def _reported_skus(session: Session, ship_from: str) -> list[str]:
    return list(session.scalars(select(StockLevel.sku).where(StockLevel.ship_from == ship_from,
                                                             StockLevel.missing_since.is_(None))))


def _raise_held(session: Session, row: StockReport, missing: int, last_reported: int, limit: float) -> None:
    where = f" for ship-from {row.ship_from}" if row.ship_from else ""
    record_exception(
        session, "stock_snapshot_held",
        f"The IMS's complete stock snapshot{where} (as of {row.as_of:%Y-%m-%d %H:%M} UTC) leaves out {missing} of the "
        f"{last_reported} SKUs it last reported ({missing / last_reported:.0%}; more than {limit:.0%} is held). "
        "Sent on, the 846 would stop offering every SKU it lost. Nothing of it was applied: check the IMS's export, "
        "then release the snapshot (it is applied) or discard it on the inventory page.",
        subject_type="stock_report", subject_id=row.id,
        detail={"report_id": row.id, "missing": missing, "last_reported": last_reported})


def _catalogue_drift(session: Session, report: StockReportBody) -> None:
    """IMS SKUs with no Amazon identifier; catalogue SKUs the IMS's snapshots no longer list."""
    catalogue = {sku for sku, in session.execute(
        select(CatalogueItem.sku).where(CatalogueItem.removed_at.is_(None)).distinct())}
    unmapped = [item.sku for item in report.items if item.sku not in catalogue and not item.discontinued]
    # Raised once while open: an IMS with thousands of SKUs Amazon does not sell reports them
    # every few minutes, and bumping each one's count every time would be all the work.
    already = _open_subjects(session, "ims_sku_not_in_catalogue")
    for sku in (sku for sku in unmapped if sku not in already):
        record_exception(
            session, "ims_sku_not_in_catalogue",
            f"The IMS stocks SKU {sku} but the catalogue maps no Amazon identifier to it, so no 846 offers it to "
            "Amazon. Add it to the catalogue if Amazon sells it (edi-gateway catalogue import); resolve this otherwise.",
            subject_type="sku", subject_id=sku)
    _resolve(session, "ims_sku_not_in_catalogue", "sku",
             [item.sku for item in report.items if item.sku in catalogue], "the catalogue now maps it")
    if not report.complete:
        _resolve(session, "catalogue_sku_not_in_ims", "sku", [item.sku for item in report.items],
                 "the IMS reports it again")
        return
    stocked = {sku for sku, in session.execute(
        select(StockLevel.sku).where(StockLevel.missing_since.is_(None)).distinct())}
    discontinued = {sku for sku, in session.execute(
        select(CatalogueItem.sku).where(CatalogueItem.removed_at.is_(None), CatalogueItem.discontinued.is_(True)))}
    already = _open_subjects(session, "catalogue_sku_not_in_ims")
    for sku in sorted(catalogue - stocked - discontinued - already):
        record_exception(
            session, "catalogue_sku_not_in_ims",
            f"Catalogue SKU {sku} is not in the IMS's latest complete stock snapshot: the IMS does not know it, so "
            "the 846 leaves it out and Amazon keeps the last quantity it was told. Check the SKU in the IMS, or "
            "remove it from the catalogue.",
            subject_type="sku", subject_id=sku)
    _resolve(session, "catalogue_sku_not_in_ims", "sku", sorted(stocked), "the IMS reports it again")


def _open_subjects(session: Session, kind: str) -> set[str]:
    return {subject for subject, in session.execute(select(OperationalException.subject_id).where(
        OperationalException.kind == kind, OperationalException.status.in_(UNRESOLVED))) if subject is not None}


def _resolve(session: Session, kind: str, subject_type: str, subject_ids: list[str], cause: str) -> None:
    """Resolve the open ``kind`` exceptions about any of ``subject_ids``: one query for all of
    them, not one per SKU (a snapshot lists thousands)."""
    if not subject_ids:
        return
    wanted = set(subject_ids)
    rows = session.scalars(select(OperationalException).where(
        OperationalException.kind == kind, OperationalException.subject_type == subject_type,
        OperationalException.status.in_(UNRESOLVED)))
    for row in rows:
        if row.subject_id in wanted:
            resolve_exception(session, row.id, actor="gateway", note=cause)


def pull_due(settings: Settings, *, now: datetime | None = None) -> bool:
    """Whether the IMS's stock should be pulled now (``stock_pull_minutes`` since the last pull)."""
    if settings.stock_pull_minutes <= 0 or settings.ims_url is None:
        return False
    now = now or datetime.now(timezone.utc)
    with session_scope(settings) as session:
        last = session.scalar(select(func.max(StockReport.received_at)).where(StockReport.source == "pull"))
    return last is None or (now - last).total_seconds() >= settings.stock_pull_minutes * 60


def note_pull_failed(settings: Settings, error: Exception) -> None:
    """The IMS could not be read: ops see it; the next pull tries again."""
    with session_scope(settings) as session:
        record_exception(session, "ims_call_failed",
                         f"Reading the IMS's stock (GET /api/v1/stock) failed: {error}. The 846 keeps going from the "
                         "last stock known; the next pull tries again.",
                         subject_type="ims", subject_id="stock")
