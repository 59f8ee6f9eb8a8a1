"""The catalogue: which IMS SKU an Amazon identifier (ASIN, EAN, UPC, ISBN, vendor item) is.

Intake maps every PO line through it, checks the PO's cost against the expected cost (kept
per each; a case is expected to cost it x the pack) and turns cases into eaches with its
case pack. It is kept as CSV by the vendor's
merchandising team, so import reads that CSV strictly: a bad value stops the whole
import with the file and line named, and nothing is half-imported.

An import adds and updates entries; a replacing import (``--replace``) also removes every
entry the file leaves out. A removed entry is marked (``removed_at``), not deleted: no new
PO line maps to it and the export leaves it out, but the POs that already name its SKU
still find their case pack and flags when an 860 changes them or their 855 is sent again.
Importing it again brings it back.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.platform import audit
from gateway.models import CatalogueItem

QUALIFIERS = ("BP", "EN", "UP", "IB", "VN", "VP")  # as in PO1: ASIN, EAN, UPC, ISBN, vendor item/part
REQUIRED_COLUMNS = ("qualifier", "identifier", "sku", "unit_cost", "case_pack", "critical")
COLUMNS = (*REQUIRED_COLUMNS, "discontinued", "perishable", "safety_stock")
TRUE, FALSE = ("true", "yes", "y", "1"), ("false", "no", "n", "0", "")


class CatalogueError(ValueError):
    """The catalogue file cannot be imported; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    qualifier: str
    identifier: str
    sku: str
    unit_cost: Decimal | None  # per each, whatever unit Amazon orders in; None: no expected cost, so no cost check
    case_pack: int | None  # eaches per case; None: the SKU is not sold in cases
    critical: bool
    discontinued: bool
    perishable: bool = False  # the 856 must carry the lot and expiry of every carton of it
    safety_stock: int | None = None  # eaches kept back from the 846; None: the partner's default


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int  # new to the catalogue, or back in it after a removal
    updated: int
    removed: int = 0  # left out by a replacing import


def read_catalogue_csv(path: Path) -> list[CatalogueRow]:
    """Every row of the file, checked; raises :class:`CatalogueError` at the first bad one."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return _read_rows(handle, str(path))
    except OSError as error:
        raise CatalogueError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CatalogueError(f"{path}: not UTF-8 text") from None


def _read_rows(handle: TextIO, name: str) -> list[CatalogueRow]:
    reader = csv.DictReader(handle)
    header = [column.strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise CatalogueError(f"{name}:1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
    reader.fieldnames = header
    rows: list[CatalogueRow] = []
    first_line: dict[tuple[str, str], int] = {}
    for record in reader:
        line = reader.line_num
        row = _row(record, f"{name}:{line}")
        key = (row.qualifier, row.identifier)
        if key in first_line:
            raise CatalogueError(f"{name}:{line}: {row.qualifier} {row.identifier} is already on line {first_line[key]}")
        first_line[key] = line
        rows.append(row)
    return rows


def _row(record: dict[str, str | None], where: str) -> CatalogueRow:
    def value(column: str) -> str:
        return (record.get(column) or "").strip()

    qualifier = value("qualifier").upper()
    if qualifier not in QUALIFIERS:
        raise CatalogueError(f"{where}: qualifier={qualifier!r} is not one of {', '.join(QUALIFIERS)}")
    identifier, sku = value("identifier"), value("sku")
    if not identifier or len(identifier) > 48:
        raise CatalogueError(f"{where}: identifier must be 1 to 48 characters")
    if not sku or len(sku) > 64:
        raise CatalogueError(f"{where}: sku must be 1 to 64 characters")
    return CatalogueRow(qualifier, identifier, sku, _cost(value("unit_cost"), where), _pack(value("case_pack"), where),
                        _flag(value("critical"), "critical", where), _flag(value("discontinued"), "discontinued", where),
                        _flag(value("perishable"), "perishable", where), _safety(value("safety_stock"), where))


def _cost(text: str, where: str) -> Decimal | None:
    if not text:
        return None
    try:
        cost = Decimal(text)
    except InvalidOperation:
        cost = None
    if cost is None or not cost.is_finite() or cost < 0 or _decimal_places(cost) > 4:
        raise CatalogueError(f"{where}: unit_cost={text!r} is not an amount such as 12.50")
    return cost


def _pack(text: str, where: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise CatalogueError(f"{where}: case_pack={text!r} is not a whole number of at least 1")
    return int(text)


def _safety(text: str, where: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise CatalogueError(f"{where}: safety_stock={text!r} is not a whole number of eaches (0 or more)")
    return int(text)


def _flag(text: str, column: str, where: str) -> bool:
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    raise CatalogueError(f"{where}: {column}={text!r} is not true or false")


def import_catalogue(session: Session, rows: Iterable[CatalogueRow], *, actor: str = "cli",
                     replace: bool = False) -> ImportResult:
    """Insert new identifiers and update known ones (upsert on qualifier + identifier); with
    ``replace`` the rows are the whole catalogue and every other entry is removed.

    A replacing import of no rows is refused: an empty or cut-off file would otherwise
    empty the catalogue, and every PO line after it would be a sku_mismatch.
    """
    rows = list(rows)
    if replace and not rows:
        raise CatalogueError("no entries to replace the catalogue with: that would remove every entry")
    known = {(item.qualifier, item.identifier): item for item in session.scalars(select(CatalogueItem))}
    created = updated = 0
    for row in rows:
        item = known.pop((row.qualifier, row.identifier), None)
        if item is None:
            item = CatalogueItem(qualifier=row.qualifier, identifier=row.identifier)
            session.add(item)
            created += 1
        elif item.removed_at is not None:
            item.removed_at = None
            created += 1
        else:
            updated += 1
        item.sku, item.unit_cost, item.case_pack = row.sku, row.unit_cost, row.case_pack
        item.critical, item.discontinued, item.perishable = row.critical, row.discontinued, row.perishable
        item.safety_stock = row.safety_stock
    removed = remove_items(known.values()) if replace else 0
    audit.record(session, "catalogue.imported", actor=actor, subject_type="catalogue", created=created, updated=updated,
                 removed=removed, replace=replace)
    return ImportResult(created, updated, removed)


def remove_items(items: Iterable[CatalogueItem]) -> int:
    """Mark entries removed (see the module's docstring); returns how many were still in the catalogue."""
    now = datetime.now(timezone.utc)
    removed = 0
    for item in items:
        if item.removed_at is None:
            item.removed_at = now
            removed += 1
    return removed


def current_items(session: Session) -> list[CatalogueItem]:
    """The catalogue as it stands: every entry not removed, in export order."""
    return list(session.scalars(select(CatalogueItem).where(CatalogueItem.removed_at.is_(None))
                                .order_by(CatalogueItem.qualifier, CatalogueItem.identifier)))


def export_catalogue(session: Session, output: TextIO) -> int:
    """Write the catalogue as CSV in the import format; returns the number of rows."""
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(COLUMNS)
    items = current_items(session)
    for item in items:
        writer.writerow([
            item.qualifier, item.identifier, item.sku,
            "" if item.unit_cost is None else money_text(item.unit_cost),
            "" if item.case_pack is None else item.case_pack,
            str(item.critical).lower(), str(item.discontinued).lower(), str(item.perishable).lower(),
            "" if item.safety_stock is None else item.safety_stock,
        ])
    return len(items)


def money_text(amount: Decimal) -> str:
    """12.5000 (as the database keeps it) -> "12.50": at least cents, no trailing zeros past them."""
    exact = amount.normalize()
    return format(exact if _decimal_places(exact) > 2 else amount.quantize(Decimal("0.01")), "f")


def _decimal_places(amount: Decimal) -> int:
    """Digits after the point as written (12.50 -> 2, 1E+1 -> -1); ``amount`` is finite."""
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # a str ('n', 'N', 'F') only for NaN and infinity
    return -exponent


def find_items(session: Session, identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], CatalogueItem]:
    """The catalogue entries of many (qualifier, identifier) pairs in one query, by pair; a
    pair the catalogue does not know (or no longer) is absent. A PO maps all its lines at once:
    a query per line cost more than the rest of taking the PO in."""
    wanted = {(qualifier, identifier.strip()) for qualifier, identifier in identifiers}
    if not wanted:
        return {}
    found: dict[tuple[str, str], CatalogueItem] = {}
    rows = session.scalars(select(CatalogueItem).where(
        CatalogueItem.identifier.in_(sorted({identifier for _, identifier in wanted})),
        CatalogueItem.removed_at.is_(None))
        .order_by(CatalogueItem.id))
    for item in rows:
        if (item.qualifier, item.identifier) in wanted:
            found.setdefault((item.qualifier, item.identifier), item)
    return found


def find_item(session: Session, qualifier: str, identifier: str) -> CatalogueItem | None:
    """The catalogue entry for one PO1 identifier, or None when the catalogue does not know it
    (or no longer: a removed entry maps no new line)."""
    return find_items(session, [(qualifier, identifier)]).get((qualifier, identifier.strip()))
