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

from sqlalchemy import BindParameter, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.models import ControlNumberSequence

# ISA13 is nine digits and GS06/ST02 at most nine: wrap before overflowing the field.
LIMIT = 999_999_999
KINDS = ("isa", "gs", "st", "invoice")

# Core statements, built once and run on the session's connection: every outbound
# document draws three numbers, and as ORM statements each draw also searched the
# session's loaded objects for sequence rows to update (none are ever loaded) and was
# built again, which cost several times the UPDATE itself. The parameters are named
# apart from the columns: SQLAlchemy keeps the columns' names for SET and VALUES.
_KEY: dict[str, BindParameter[str]] = {
    "partner_key": bindparam("sequence_partner"),
    "direction": bindparam("sequence_direction"),
    "kind": bindparam("sequence_kind"),
}
_DRAW = (update(ControlNumberSequence)
         .where(*(getattr(ControlNumberSequence, column) == parameter for column, parameter in _KEY.items()))
         .values(last_value=ControlNumberSequence.last_value % LIMIT + 1)
         .returning(ControlNumberSequence.last_value))
_CREATE = {dialect: module.insert(ControlNumberSequence).values(**_KEY, last_value=0).on_conflict_do_nothing(
               index_elements=list(_KEY))
           for dialect, module in (("postgresql", postgresql), ("sqlite", sqlite))}


def next_control_number(session: Session, partner_key: str, kind: str, direction: str = "outbound") -> int:
    """Allocate the next number of ``kind`` (isa, gs, st or invoice) for ``partner_key``."""
    if kind not in KINDS:
        raise ValueError(f"unknown control number kind {kind!r}; expected one of {KINDS}")
    # The session's pending writes go first, as the ORM statement's autoflush sent them:
    # their row locks are taken before the sequence row's, which is then held for as short
    # a time as it can be.
    if session.autoflush:
        session.flush()
    connection = session.connection()
    key = {"sequence_partner": partner_key, "sequence_direction": direction, "sequence_kind": kind}
    value = connection.execute(_DRAW, key).scalar_one_or_none()
    if value is not None:
        return value
    connection.execute(_CREATE[connection.dialect.name], key)
    return connection.execute(_DRAW, key).scalar_one()
