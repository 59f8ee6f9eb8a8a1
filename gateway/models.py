"""The database tables, as SQLAlchemy 2.0 declarative models.

The schema itself is made by the Alembic migrations in ``gateway/migrations``; these classes
must stay in step with them (a test compares the two).
"""
from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class Direction(str, enum.Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Organisation(Base):
    """Us: the vendor whose gateway this is, with its AS2 and X12 identities."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    as2_id: Mapped[str] = mapped_column(String(128), unique=True)
    x12_qualifier: Mapped[str] = mapped_column(String(2), default="ZZ")
    x12_id: Mapped[str] = mapped_column(String(15))
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TradingPartner(Base):
    """A partner (Amazon, a sandbox) with its AS2 and X12 identities and its rules.

    ``profile`` holds what differs between partners and is configuration, not code:
    algorithms, MDN mode and URL, ACK01 code mapping, deadlines.
    """

    __tablename__ = "trading_partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(String(200))
    as2_id: Mapped[str] = mapped_column(String(128), unique=True)
    x12_qualifier: Mapped[str] = mapped_column(String(2), default="ZZ")
    x12_id: Mapped[str] = mapped_column(String(15))
    active: Mapped[bool] = mapped_column(default=True)
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()


class Message(Base):
    """One message in or out, as it crossed the wire, kept before anything acts on it.

    Small bodies are kept in ``body``; larger ones in the content-addressed blob store,
    named by ``body_sha256`` (see ``gateway.storage``).
    """

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    transport: Mapped[str] = mapped_column(String(16), default="as2")
    # The AS2 Message-ID. Not unique: a re-sent duplicate is stored too, then marked so.
    transport_id: Mapped[str | None] = mapped_column(String(255), index=True)
    document_type: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(32), index=True)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_sha256: Mapped[str] = mapped_column(String(64))
    body_size: Mapped[int] = mapped_column(BigInteger)
    mic: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    processed_at: Mapped[datetime | None]

    partner: Mapped[TradingPartner | None] = relationship()


class AuditEvent(Base):
    """Who did what to which record, and when; written for every state change."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ControlNumberSequence(Base):
    """The last control number issued per partner, direction and kind (ISA, GS, ST).

    Allocation is one ``UPDATE ... RETURNING`` so two workers never get the same number.
    """

    __tablename__ = "control_number_sequence"
    __table_args__ = (UniqueConstraint("partner_key", "direction", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_key: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(8))
    last_value: Mapped[int] = mapped_column(BigInteger, default=0)
