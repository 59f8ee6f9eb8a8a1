"""Interchange, group and set control numbers: per partner and direction, never reused;
and the sequence automatic invoice numbers are drawn from (kind ``invoice``).

Each allocation is a single ``UPDATE ... RETURNING`` on the sequence row, which the
database serialises, so two worker processes writing at once never get the same number.
The row is created on first use with ``INSERT ... ON CONFLICT DO NOTHING``.

The row stays locked until the transaction ends, so a transaction that draws several
kinds must draw them in the order of ``KINDS`` (ISA, then GS, then ST): two workers
drawing GS-then-ISA and ISA-then-GS deadlocked on PostgreSQL (found by the three-worker
burst in ``tests/integration/orders/test_acknowledge_e2e.py``).
"""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.models import ControlNumberSequence

# ISA13 is nine digits and GS06/ST02 at most nine: wrap before overflowing the field.
LIMIT = 999_999_999
KINDS = ("isa", "gs", "st", "invoice")


def next_control_number(session: Session, partner_key: str, kind: str, direction: str = "outbound") -> int:
    """Allocate the next number of ``kind`` (isa, gs, st or invoice) for ``partner_key``."""
    if kind not in KINDS:
        raise ValueError(f"unknown control number kind {kind!r}; expected one of {KINDS}")
    table = ControlNumberSequence
    draw = (update(table)
            .where(table.partner_key == partner_key, table.direction == direction, table.kind == kind)
            .values(last_value=table.last_value % LIMIT + 1)
            .returning(table.last_value))
    value = session.execute(draw).scalar_one_or_none()
    if value is not None:
        return value
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(ControlNumberSequence)
        .values(partner_key=partner_key, direction=direction, kind=kind, last_value=0)
        .on_conflict_do_nothing(index_elements=["partner_key", "direction", "kind"])
    )
    return session.execute(draw).scalar_one()
