"""The database tables, as SQLAlchemy 2.0 declarative models.

The schema itself is made by the Alembic migrations in ``gateway/migrations``; these classes
must stay in step with them (a test compares the two).
"""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
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


class UtcDateTime(TypeDecorator):
    """A timestamp that always reads back timezone-aware, in UTC.

    PostgreSQL keeps the zone; SQLite has none and hands back naive values. Normalising
    here means no caller ever compares a naive time with an aware one.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        return _utc(value)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return _utc(value)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UtcDateTime}


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
    named by ``body_sha256`` (see ``gateway.platform.storage``).
    """

    __tablename__ = "message"
    # The duplicate check of every inbound message looks up (Message-ID, partner): with
    # an index on partner_id alone, SQLite walked all of the partner's messages.
    __table_args__ = (Index("ix_message_transport_id_partner_id", "transport_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    transport: Mapped[str] = mapped_column(String(16), default="as2")
    # The AS2 Message-ID. Not unique: a re-sent duplicate is stored too, then marked so.
    transport_id: Mapped[str | None] = mapped_column(String(255))
    document_type: Mapped[str | None] = mapped_column(String(8))
    # Outbound: the PO the document is about (855, 856 and 810 each carry one), so what
    # the transport tells ops about its delivery names the PO.
    po_number: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    # None for an outbound message not built yet (it is signed and encrypted when first sent).
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    body_size: Mapped[int | None] = mapped_column(BigInteger)
    # The document inside: decrypted and verified for inbound, what we signed for outbound.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    # The payload's file name in the AS2 message: as the partner named it (inbound), as we
    # name it (outbound).
    filename: Mapped[str | None] = mapped_column(String(255))
    mic: Mapped[str | None] = mapped_column(String(255))
    # The MDN: the one we answered (inbound) or the one the partner returned (outbound).
    mdn_mode: Mapped[str | None] = mapped_column(String(8))
    mdn_status: Mapped[str | None] = mapped_column(String(32))
    mdn_disposition: Mapped[str | None] = mapped_column(Text)
    mdn_headers: Mapped[dict[str, Any] | None]
    mdn_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    mdn_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    processed_at: Mapped[datetime | None]

    partner: Mapped[TradingPartner | None] = relationship()


class Certificate(Base):
    """An AS2 certificate: ours (with the file of its encrypted private key) or a partner's.

    Several may be active for one owner at once: that is how a rollover works.
    """

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("organisation_id", "partner_id", "fingerprint_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    certificate_pem: Mapped[str] = mapped_column(Text)
    private_key_file: Mapped[str | None] = mapped_column(String(512))
    fingerprint_sha256: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(512))
    serial_number: Mapped[str] = mapped_column(String(64))
    not_before: Mapped[datetime]
    not_after: Mapped[datetime] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class X12Group(Base):
    """A functional group (GS..GE) we received or sent, and its 997.

    Inbound: ``ack_message_id`` is the 997 we returned. Outbound: ``ack_due_at`` is when
    the partner's 997 is due and ``ack_message_id`` the message that carried it. This is
    what the functional-ack tracker reads.
    """

    __tablename__ = "x12_group"
    # The replay check of every inbound interchange (gateway.exchange.inbound) asks for a
    # partner's interchange control number.
    __table_args__ = (Index("ix_x12_group_partner_interchange", "partner_id", "interchange_control_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    interchange_control_number: Mapped[str] = mapped_column(String(9))
    # ISA06 of the interchange (inbound, from revision 0012): control numbers are counted per sender.
    interchange_sender_id: Mapped[str | None] = mapped_column(String(15))
    functional_id: Mapped[str] = mapped_column(String(2))
    control_number: Mapped[str] = mapped_column(String(9), index=True)
    version: Mapped[str] = mapped_column(String(12))
    ack_status: Mapped[str | None] = mapped_column(String(1))
    ack_codes: Mapped[list[str] | None] = mapped_column(JSON)
    ack_message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    ack_due_at: Mapped[datetime | None] = mapped_column(index=True)
    acked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sets: Mapped[list[X12Set]] = relationship(back_populates="group", order_by="X12Set.id")
    # The message that carried the group, and the one that carried its 997 (ours or the partner's).
    message: Mapped[Message] = relationship(foreign_keys=[message_id])
    ack_message: Mapped[Message | None] = relationship(foreign_keys=[ack_message_id])


class X12Set(Base):
    """A transaction set (ST..SE) in a group: its 997 status, errors in words, and key."""

    __tablename__ = "x12_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("x12_group.id"), index=True)
    set_id: Mapped[str] = mapped_column(String(3))
    control_number: Mapped[str] = mapped_column(String(9))
    # The business key of the document: the PO number for 850/855/856/810.
    reference: Mapped[str | None] = mapped_column(String(64), index=True)
    ack_status: Mapped[str | None] = mapped_column(String(1))
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    document: Mapped[dict[str, Any] | None]

    group: Mapped[X12Group] = relationship(back_populates="sets")


class CatalogueItem(Base):
    """An Amazon identifier (ASIN, EAN, UPC, ISBN, vendor SKU) mapped to an IMS SKU."""

    __tablename__ = "catalogue_item"
    __table_args__ = (UniqueConstraint("qualifier", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    qualifier: Mapped[str] = mapped_column(String(2))  # as in PO1: BP, EN, UP, IB, VN, VP
    identifier: Mapped[str] = mapped_column(String(48))
    sku: Mapped[str] = mapped_column(String(64), index=True)
    # Per each, whatever unit Amazon orders in: a case is expected to cost unit_cost x its
    # pack (gateway.orders.line_costs). None: no expected cost, so no cost check.
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    case_pack: Mapped[int | None]  # eaches per case; None: not sold in cases
    critical: Mapped[bool] = mapped_column(default=False)
    discontinued: Mapped[bool] = mapped_column(default=False)
    # Amazon wants the lot and expiry of every carton of a perishable SKU in the 856.
    perishable: Mapped[bool] = mapped_column(default=False)
    # Eaches kept back from what Amazon is offered (the 846); None: the partner's default.
    safety_stock: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Set when a replacing import (or drop-demo) left the entry out. Kept rather than
    # deleted: no new PO line maps to it, but POs that already name its SKU still find
    # their case pack and flags. ``gateway.catalogue.items`` reads only the others.
    removed_at: Mapped[datetime | None]


class Warehouse(Base):
    """A place shipments leave from, named by its code; the 856's ship-from (N1*SF, N3, N4)
    needs its name and address, so they are kept here rather than typed per shipment."""

    __tablename__ = "warehouse"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # Lengths are the X12 maxima of the segments they fill (gateway.shipping.warehouses).
    name: Mapped[str] = mapped_column(String(60))
    street: Mapped[str] = mapped_column(String(55))
    city: Mapped[str] = mapped_column(String(30))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str] = mapped_column(String(15))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PurchaseOrder(Base):
    """An Amazon purchase order as received (850) and as it stands after changes (860).

    Unique on vendor code + PO number: a PO number is Amazon's key for the order across
    855, 856, 810 and 820, so it is kept on every record that follows.
    """

    __tablename__ = "purchase_order"
    __table_args__ = (UniqueConstraint("vendor_code", "po_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    vendor_code: Mapped[str] = mapped_column(String(32), default="")
    po_number: Mapped[str] = mapped_column(String(22), index=True)
    order_type: Mapped[str] = mapped_column(String(2))
    order_date: Mapped[date | None]
    ship_not_before: Mapped[date | None]
    ship_not_after: Mapped[date | None]
    ship_to: Mapped[str | None] = mapped_column(String(32))
    backorder_allowed: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(24), index=True)
    # Hash of the translated 850: an identical re-send is a duplicate, a different one is not.
    content_sha256: Mapped[str] = mapped_column(String(64))
    ims_order_id: Mapped[str | None] = mapped_column(String(64))
    # The IMS numbers each change of an order; callbacks may arrive late or twice.
    ims_revision: Mapped[int | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ack_due_at: Mapped[datetime | None] = mapped_column(index=True)
    ack_sent_at: Mapped[datetime | None]
    # The latest 855 sent for the PO: its delivery is the PO's (``exchange.outbound.delivery_of``).
    ack_message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))

    # When the IMS reported the order shipped (a sales order with status ``shipped``): the
    # 856 must follow within 30 minutes (``gateway.shipping.watch``).
    ims_shipped_at: Mapped[datetime | None]

    ack_message: Mapped[Message | None] = relationship(foreign_keys=[ack_message_id])
    lines: Mapped[list[PurchaseOrderLine]] = relationship(back_populates="purchase_order",
                                                          order_by="PurchaseOrderLine.id",
                                                          cascade="all, delete-orphan")


class PurchaseOrderLine(Base):
    """One PO1 line: what Amazon ordered, which SKU it maps to, what the IMS allocated."""

    __tablename__ = "purchase_order_line"
    __table_args__ = (UniqueConstraint("purchase_order_id", "line_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    line_number: Mapped[str] = mapped_column(String(20))
    qualifier: Mapped[str] = mapped_column(String(2))
    identifier: Mapped[str] = mapped_column(String(48))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(2))
    pack_size: Mapped[int | None]
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 4))  # Amazon's, per ``unit`` (a case for CA)
    # The cost the last 855 stated, per ``unit`` too: a price change (860) makes the 855 due
    # again, and the invoice must bill what was acknowledged.
    acknowledged_unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    sku: Mapped[str | None] = mapped_column(String(64))
    # Ordered, allocated and backordered in eaches, as the IMS counts them.
    eaches: Mapped[int | None]
    allocated: Mapped[int | None]
    backordered: Mapped[int | None]
    backorder_ship_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(24), default="open")
    outcomes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Shipped so far, in ``unit`` (cases for a CA line), over the shipments as they now
    # stand (a replacement replaces its shipment's quantities): ``gateway.shipping``.
    shipped: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    # Invoiced so far, in ``unit``, over every invoice of the PO: ``gateway.invoicing``.
    invoiced: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")


class Shipment(Base):
    """One delivery the IMS confirmed packed and gone (the source of one 856).

    ``body`` is the IMS's JSON as received (``body_sha256`` of its canonical form): the same
    body again is the same shipment, a different one with the same ``shipment_id`` a
    replacement, which bumps ``revision`` and replaces the pallets and cartons.
    """

    __tablename__ = "shipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(30), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    ship_date: Mapped[date]
    shipped_at: Mapped[datetime] = mapped_column(index=True)
    estimated_delivery_date: Mapped[date | None]
    ship_from: Mapped[str] = mapped_column(String(20))
    ship_to: Mapped[str] = mapped_column(String(32))
    carrier_scac: Mapped[str] = mapped_column(String(4))
    bill_of_lading: Mapped[str] = mapped_column(String(30), index=True)
    pro_number: Mapped[str | None] = mapped_column(String(30))
    weight_unit: Mapped[str] = mapped_column(String(2), default="LB")
    gross_weight: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    po_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    body: Mapped[dict[str, Any]]
    body_sha256: Mapped[str] = mapped_column(String(64))
    # The latest 856 sent for it: its delivery is the shipment's (``exchange.outbound.delivery_of``).
    asn_message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    asn_message: Mapped[Message | None] = relationship(foreign_keys=[asn_message_id])
    pallets: Mapped[list[ShipmentPallet]] = relationship(back_populates="shipment", order_by="ShipmentPallet.id",
                                                         cascade="all, delete-orphan")
    cartons: Mapped[list[ShipmentCarton]] = relationship(back_populates="shipment", order_by="ShipmentCarton.id",
                                                         cascade="all, delete-orphan")


class ShipmentPallet(Base):
    """A pallet of a shipment, with its SSCC-18 when it is labelled with one."""

    __tablename__ = "shipment_pallet"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_ref: Mapped[int] = mapped_column(ForeignKey("shipment.id"), index=True)
    pallet_id: Mapped[str] = mapped_column(String(64))
    sscc: Mapped[str | None] = mapped_column(String(18), index=True)

    shipment: Mapped[Shipment] = relationship(back_populates="pallets")


class ShipmentCarton(Base):
    """A carton of a shipment: its SSCC-18 (as on its label and in MAN*GM), its PO and pallet."""

    __tablename__ = "shipment_carton"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_ref: Mapped[int] = mapped_column(ForeignKey("shipment.id"), index=True)
    sscc: Mapped[str] = mapped_column(String(18), index=True)
    pallet_id: Mapped[str | None] = mapped_column(String(64))
    po_number: Mapped[str] = mapped_column(String(22), index=True)
    weight: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    shipment: Mapped[Shipment] = relationship(back_populates="cartons")
    items: Mapped[list[ShipmentItem]] = relationship(back_populates="carton", order_by="ShipmentItem.id",
                                                     cascade="all, delete-orphan")


class ShipmentItem(Base):
    """What one carton holds of one PO line: eaches as the IMS counts, and in the PO line's unit."""

    __tablename__ = "shipment_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    carton_id: Mapped[int] = mapped_column(ForeignKey("shipment_carton.id"), index=True)
    purchase_order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id"), index=True)
    line_number: Mapped[str] = mapped_column(String(20))
    sku: Mapped[str] = mapped_column(String(64))
    eaches: Mapped[int] = mapped_column(Integer)
    lot_number: Mapped[str | None] = mapped_column(String(30))
    expiry_date: Mapped[date | None]

    carton: Mapped[ShipmentCarton] = relationship(back_populates="items")


class Invoice(Base):
    """One invoice for one PO (the source of one 810): posted by the IMS, or made by the
    gateway from a delivered ASN when the partner's profile says so.

    ``invoice_number`` is unique forever (Amazon rejects a number used before). ``body`` is
    the IMS's JSON as received (None for an automatic one): the same body again changes
    nothing, a different one under a known number is refused.
    """

    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_number: Mapped[str] = mapped_column(String(22), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    po_number: Mapped[str] = mapped_column(String(22), index=True)
    shipment_ref: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"), index=True)
    invoice_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    total_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # [{"kind": "allowance"|"charge", "code": "C310", "amount": "10.00"}]
    allowances_and_charges: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16))  # ims or automatic
    body: Mapped[dict[str, Any] | None]
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    # The 810 sent for it: its delivery is the invoice's (``exchange.outbound.delivery_of``).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    message: Mapped[Message | None] = relationship(foreign_keys=[message_id])
    shipment: Mapped[Shipment | None] = relationship(foreign_keys=[shipment_ref])
    lines: Mapped[list[InvoiceLine]] = relationship(back_populates="invoice", order_by="InvoiceLine.id",
                                                    cascade="all, delete-orphan")


class InvoiceLine(Base):
    """What an invoice bills of one PO line, in the line's unit at the acknowledged cost (IT1)."""

    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    purchase_order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id"), index=True)
    line_number: Mapped[str] = mapped_column(String(20))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # in the PO line's unit
    unit: Mapped[str] = mapped_column(String(2))
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 4))  # per ``unit``

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class Remittance(Base):
    """One 820 from a partner: one payment (BPR) with its trace number (TRN02), which ties it
    to the bank deposit; its lines are what it paid or took back per invoice."""

    __tablename__ = "remittance"
    __table_args__ = (UniqueConstraint("partner_id", "trace_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    trace_number: Mapped[str] = mapped_column(String(50), index=True)
    payment_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    payment_method: Mapped[str] = mapped_column(String(8))
    payment_date: Mapped[date | None] = mapped_column(index=True)
    payer_name: Mapped[str | None] = mapped_column(String(60))
    payee_name: Mapped[str | None] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    lines: Mapped[list[RemittanceLine]] = relationship(back_populates="remittance", order_by="RemittanceLine.id",
                                                       cascade="all, delete-orphan")


class RemittanceLine(Base):
    """One RMR loop: an amount paid (or taken back) against a reference, what kind of line
    its reference makes it (``gateway.finance.references.LineKind``) and the invoice it
    was matched to, if any (``matched_by``: invoice_number, po_number or None)."""

    __tablename__ = "remittance_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittance.id"), index=True)
    reference: Mapped[str] = mapped_column(String(80))  # RMR02 as sent
    kind: Mapped[str] = mapped_column(String(24), index=True)
    po_number: Mapped[str | None] = mapped_column(String(22), index=True)
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    amount_invoiced: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    discount_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    invoice_date: Mapped[date | None]
    # [{"amount": "-50.00", "code": "CS"}]: ADX adjustments, as sent.
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    matched_by: Mapped[str | None] = mapped_column(String(16))

    remittance: Mapped[Remittance] = relationship(back_populates="lines")


class StockReport(Base):
    """One stock report from the IMS (pushed, or pulled by the gateway), kept as received
    with what became of it (``gateway.inventory.stock.ReportOutcome``)."""

    __tablename__ = "stock_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(8))  # push (POST /api/v1/ims/stock) or pull (GET /api/v1/stock)
    as_of: Mapped[datetime] = mapped_column(index=True)
    complete: Mapped[bool]
    ship_from: Mapped[str] = mapped_column(String(20), default="")
    item_count: Mapped[int]
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    body_sha256: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    # The truncated-snapshot guard's figures, and who released or discarded a held report.
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(128))


class StockLevel(Base):
    """What the IMS last reported of one SKU at one ship-from ("" when it reports one total)."""

    __tablename__ = "stock_level"
    __table_args__ = (UniqueConstraint("sku", "ship_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    ship_from: Mapped[str] = mapped_column(String(20), default="")
    on_hand: Mapped[int]
    reserved: Mapped[int]
    allocated: Mapped[int]
    discontinued: Mapped[bool] = mapped_column(default=False)
    restock_date: Mapped[date | None]
    as_of: Mapped[datetime]
    report_id: Mapped[int] = mapped_column(ForeignKey("stock_report.id"))
    # Set when a complete snapshot left the SKU out: unknown to the IMS, never sent as zero.
    missing_since: Mapped[datetime | None]


class InventoryFeed(Base):
    """One 846 run for one partner: a full feed or the changes since the last one, planned
    whole as batches (one transaction set each) before the first is sent."""

    __tablename__ = "inventory_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # full, changes
    status: Mapped[str] = mapped_column(String(8), index=True)  # sending, sent, empty
    requested_by: Mapped[str] = mapped_column(String(128))
    item_count: Mapped[int] = mapped_column(default=0)
    held_count: Mapped[int] = mapped_column(default=0)
    batch_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]


class InventoryBatch(Base):
    """One transaction set of a feed. ``queued`` and its message are written in the same
    transaction, so a batch is either still owed or sent once, whatever crashes."""

    __tablename__ = "inventory_batch"
    __table_args__ = (UniqueConstraint("feed_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("inventory_feed.id"), index=True)
    sequence: Mapped[int]
    ship_from: Mapped[str] = mapped_column(String(20), default="")
    items: Mapped[list[Any]] = mapped_column(JSON)  # [[sku, quantity], ...]
    status: Mapped[str] = mapped_column(String(8), index=True)  # planned, queued
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    queued_at: Mapped[datetime | None]


class InventorySent(Base):
    """The quantity the last 846 told a partner for one SKU and ship-from."""

    __tablename__ = "inventory_sent"
    __table_args__ = (UniqueConstraint("partner_id", "sku", "ship_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"))
    sku: Mapped[str] = mapped_column(String(64))
    ship_from: Mapped[str] = mapped_column(String(20), default="")
    quantity: Mapped[int]
    # A zero a person (or the hold policy) let through: not held again while it stays zero.
    zero_released: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))


class InventoryHold(Base):
    """A zero held out of the 846 for merchandising (``gateway.inventory.holds``)."""

    __tablename__ = "inventory_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64), index=True)
    ship_from: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(String(16))  # gateway.inventory.guard.HoldReason
    last_sent_quantity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), index=True)  # gateway.inventory.holds.HoldStatus
    held_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(128))
    release_note: Mapped[str | None] = mapped_column(Text)
    # When the released zero went out in an 846 (None: still owed to the next feed).
    sent_at: Mapped[datetime | None]


class RateBucket(Base):
    """A token bucket per partner and purpose, shared by every worker through the database."""

    __tablename__ = "rate_bucket"
    __table_args__ = (UniqueConstraint("partner_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime]


class OperationalException(Base):
    """A problem someone must see and act on before it turns into a chargeback.

    One row per distinct problem (``fingerprint``): seeing it again bumps ``count`` and
    ``last_seen`` instead of adding a row, so a storm is one line in the queue.
    """

    __tablename__ = "operational_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    po_number: Mapped[str | None] = mapped_column(String(22), index=True)
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    resolved_at: Mapped[datetime | None]
    # When each alert channel last told people about it: de-duplication and rate limit,
    # per channel, so one channel being down never repeats what the other delivered.
    emailed_at: Mapped[datetime | None]
    webhook_posted_at: Mapped[datetime | None]


class User(Base):
    """A person who signs in to the operations pages, with one role: ops, finance or admin."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A bearer token for the REST API, stored as its SHA-256 only, with one role."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # Unset: the token never expires. Refused from this moment on, like a revoked one.
    expires_at: Mapped[datetime | None]
    # When the token last authorised a request (kept to the minute), for `tokens list`.
    last_used_at: Mapped[datetime | None]


class LoginSession(Base):
    """One sign-in to the operations pages; the cookie carries only its random token.

    The token is stored as its SHA-256 (like API tokens), so a copy of the table cannot be
    replayed as cookies. A session ends once (``ended_at`` with its reason): signed out,
    idle or past its absolute lifetime, or its user disabled or changed.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(16))


class LoginFailure(Base):
    """A refused sign-in, counted per username, per client address and across the site.

    Kept in the database so every web process counts the same failures; rows older than
    the lockout window are deleted as new ones arrive.
    """

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))


class AuditEvent(Base):
    """Who did what to which record, and when; written for every state change."""

    __tablename__ = "audit_event"
    # A PO's timeline and a message's history are its events by subject.
    __table_args__ = (Index("ix_audit_event_subject", "subject_type", "subject_id"),)

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
