"""Reading a JSON request body field by field, collecting every problem with a JSON Pointer.

The IMS's shipments and invoices are answered with one 422 listing every problem at once
(docs/ims-api.yaml ``Problem.errors``), so a reader never stops at the first bad field: it
notes each one and reads on. Pure: no I/O, no database; the callers decide what the
values mean.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_COUNT = 2**31 - 1  # the largest INTEGER on PostgreSQL
MONEY = re.compile(r"[0-9]{1,10}(\.[0-9]{1,4})?")  # non-negative, like the contracts' Money


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a body: where (a JSON Pointer) and what, for the IMS's people."""

    pointer: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"pointer": self.pointer, "detail": self.detail}


class BodyRefused(ValueError):
    """A body that breaks its contract or the rules it is checked by: answered 422 with ``problems``."""

    def __init__(self, what: str, problems: list[Problem]) -> None:
        super().__init__(f"the {what} was not accepted: {len(problems)} problem(s), each in errors")
        self.problems = problems


class BodyConflict(ValueError):
    """A body that its key (a shipment id, an invoice number) already names otherwise: answered 409."""


class JsonObject:
    """Reads the fields of one JSON object, adding a :class:`Problem` for each bad one."""

    def __init__(self, value: Any, pointer: str, problems: list[Problem], known: tuple[str, ...],
                 required: tuple[str, ...]) -> None:
        self.pointer, self.problems = pointer, problems
        self.value: dict[str, Any] = value if isinstance(value, dict) else {}
        # Not an object: nothing to read. Otherwise every field present is read, so that one
        # 422 lists every problem, the missing and unknown fields among them.
        self.ok = isinstance(value, dict)
        if not self.ok:
            problems.append(Problem(pointer, "must be a JSON object"))
            return
        problems.extend(Problem(f"{pointer}/{name}", "is required") for name in required if name not in value)
        problems.extend(Problem(f"{pointer}/{escape_pointer(name)}", "is not a field of the contract")
                        for name in value if name not in known)

    def present(self, name: str) -> bool:
        return name in self.value

    def fail(self, name: str, detail: str) -> None:
        """A problem with a field present; a missing one was reported once, as required."""
        if name in self.value:
            self.problems.append(Problem(f"{self.pointer}/{name}", detail))

    def text(self, name: str, *, max_length: int = 64, pattern: re.Pattern[str] | None = None, shape: str = "",
             nullable: bool = False) -> str | None:
        raw = self.value.get(name)
        if raw is None and nullable:
            return None
        # Printable: a NUL reaches PostgreSQL, which refuses it in a query (a 500, not a 422).
        if not isinstance(raw, str) or not raw or not raw.isprintable() or len(raw) > max_length:
            self.fail(name, f"must be {'null or ' if nullable else ''}a string of 1 to {max_length} printable characters")
            return None
        if pattern is not None and not pattern.fullmatch(raw):
            self.fail(name, f"{raw!r} is not {shape}")
            return None
        return raw

    def day(self, name: str, *, nullable: bool = False) -> date | None:
        raw = self.value.get(name)
        if raw is None and nullable:
            return None
        try:
            if isinstance(raw, str) and len(raw) == 10:
                return date.fromisoformat(raw)
        except ValueError:
            pass
        self.fail(name, f"must be {'null or ' if nullable else ''}a date YYYY-MM-DD")
        return None

    def moment(self, name: str) -> datetime | None:
        raw = self.value.get(name)
        try:
            if isinstance(raw, str) and 19 <= len(raw) <= 35:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
                if moment.tzinfo is not None:
                    return moment.astimezone(timezone.utc)
        except ValueError:
            pass
        self.fail(name, "must be a date-time with its offset, e.g. 2026-12-02T14:30:00Z")
        return None

    def count(self, name: str, *, minimum: int, nullable: bool = False) -> int | None:
        raw = self.value.get(name)
        if raw is None and nullable:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or not minimum <= raw <= MAX_COUNT:
            self.fail(name, f"must be a whole number from {minimum} to {MAX_COUNT}")
            return None
        return raw

    def weight(self, name: str) -> Decimal | None:
        raw = self.value.get(name)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 < raw < 100_000:
            self.fail(name, "must be null or a weight above 0 and below 100000")
            return None
        return Decimal(str(raw)).quantize(Decimal("0.01"))

    def array(self, name: str, *, minimum: int = 0, maximum: int) -> list[Any]:
        raw = self.value.get(name)
        if not isinstance(raw, list) or not minimum <= len(raw) <= maximum:
            self.fail(name, f"must be an array of {minimum} to {maximum} entries")
            return []
        return raw

    def money(self, name: str) -> Decimal | None:
        """An amount as the contract writes money: a string such as "12.50" (at most 4 decimals)."""
        raw = self.value.get(name)
        if isinstance(raw, str) and MONEY.fullmatch(raw):
            try:
                return Decimal(raw)
            except InvalidOperation:
                pass
        self.fail(name, 'must be an amount as a string, such as "12.50" (at most 4 decimals)')
        return None


def escape_pointer(name: str) -> str:
    """A member name as a JSON Pointer token (RFC 6901)."""
    return name.replace("~", "~0").replace("/", "~1")
