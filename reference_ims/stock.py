"""Stock per SKU, and the CSV file the reference IMS starts from.

The file needs the columns ``sku,on_hand,reserved`` (reserved = held for other
channels); ``restock_date`` (YYYY-MM-DD), ``discontinued`` (true/false) and ``case_pack``
(eaches per shipping carton, 1 when absent or empty) are optional. The case pack is how the
IMS packs the SKU when it ships, which may differ from how Amazon orders it: a catalogue
case pack of 1 means Amazon orders eaches, not that each one travels in its own carton.
A bad file stops start-up with an error naming the line, because a demo running on
half-loaded stock would mislead whoever watches it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_LOCATION = "MAIN"
REQUIRED_COLUMNS = ("sku", "on_hand", "reserved")
TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0", "")


class StockFileError(Exception):
    """The stock CSV cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class StockUpdate:
    """Replaces a SKU's quantities at one location and its SKU-wide attributes."""

    on_hand: int
    reserved: int
    restock_date: date | None = None
    discontinued: bool = False
    location: str = DEFAULT_LOCATION
    case_pack: int = 1  # eaches per shipping carton; SKU-wide, like discontinued


@dataclass(frozen=True, slots=True)
class LocationStock:
    location: str
    on_hand: int
    reserved: int


@dataclass(frozen=True, slots=True)
class StockLevel:
    """One SKU over all its locations, with what open orders hold."""

    sku: str
    on_hand: int
    reserved: int
    allocated: int
    discontinued: bool
    restock_date: date | None
    locations: tuple[LocationStock, ...]

    @property
    def available(self) -> int:
        """What could still be offered to Amazon: on hand, not reserved, not allocated."""
        return max(0, self.on_hand - self.reserved - self.allocated)


def read_stock_csv(path: Path) -> list[tuple[str, StockUpdate]]:
    """The (sku, update) pairs of a stock CSV, in file order."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or ())]
        if missing:
            raise StockFileError(f"{path}: missing column(s) {', '.join(missing)}")
        return [(_text(row, "sku", path, reader.line_num), _update(row, path, reader.line_num)) for row in reader]


def _update(row: dict[str, str], path: Path, line: int) -> StockUpdate:
    restock = (row.get("restock_date") or "").strip()
    discontinued = (row.get("discontinued") or "").strip().lower()
    if discontinued not in TRUE_WORDS + FALSE_WORDS:
        raise StockFileError(f"{path}:{line}: discontinued={discontinued!r} is not true or false")
    try:
        restock_date = date.fromisoformat(restock) if restock else None
    except ValueError:
        raise StockFileError(f"{path}:{line}: restock_date={restock!r} is not YYYY-MM-DD") from None
    return StockUpdate(
        on_hand=_count(row, "on_hand", path, line),
        reserved=_count(row, "reserved", path, line),
        restock_date=restock_date,
        discontinued=discontinued in TRUE_WORDS,
        case_pack=_case_pack(row, path, line),
    )


def _case_pack(row: dict[str, str], path: Path, line: int) -> int:
    raw = (row.get("case_pack") or "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise StockFileError(f"{path}:{line}: case_pack={raw!r} is not a whole number of eaches of at least 1")
    return int(raw)


def _text(row: dict[str, str], column: str, path: Path, line: int) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise StockFileError(f"{path}:{line}: {column} is empty")
    return value


def _count(row: dict[str, str], column: str, path: Path, line: int) -> int:
    raw = _text(row, column, path, line)
    if not raw.isdigit():
        raise StockFileError(f"{path}:{line}: {column}={raw!r} is not a whole number of eaches")
    return int(raw)
