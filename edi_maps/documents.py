"""Canonical documents: what the gateway means by a purchase order, a ship notice, a 997...

The X12 maps translate between these and Amazon's segments; everything past the maps
(services, IMS connector, timeline, JSON) speaks only these types, so a change in
Amazon's guide touches one map, not the whole gateway.

Conventions: money and quantities are ``Decimal`` (X12 ``R`` values, never floats),
dates are ``datetime.date``, closed X12 code sets are ``Enum``s whose value is the X12
code, and every document that concerns an order carries the PO number (BEG03), the key
Amazon uses across 850, 855, 856, 810 and 820.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum


# --- code sets shared by several documents -------------------------------------------


class OrderType(Enum):
    """BEG02 / BCH02 purchase order type code (X12 element 92), Amazon's subset."""

    NEW = "NE"
    RUSH = "RO"
    NEW_PRODUCT_INTRODUCTION = "NP"
    CONSIGNED = "CN"


class Purpose(Enum):
    """BEG01 / BCH01 transaction set purpose code (X12 element 353)."""

    ORIGINAL = "00"
    CANCELLATION = "01"
    CHANGE = "04"
    REPLACE = "05"
    CONFIRMATION = "06"
    DUPLICATE = "07"


class UnitOfMeasure(Enum):
    """Unit of the quantities Amazon orders in (X12 element 355, Amazon's subset)."""

    EACH = "EA"
    CASE = "CA"


class IdentifierQualifier(Enum):
    """Product/service id qualifier (X12 element 235) as Amazon's retail guides use it."""

    ASIN = "BP"  # buyer's part number
    EAN = "EN"
    UPC = "UP"
    ISBN = "IB"
    GTIN_14 = "UK"  # U.P.C./EAN shipping container code
    VENDOR_ITEM_NUMBER = "VN"
    VENDOR_PART_NUMBER = "VP"


@dataclass(frozen=True, slots=True)
class ProductIdentifier:
    """One qualifier/value pair naming a product, e.g. EN 5012345678900."""

    qualifier: IdentifierQualifier
    value: str


@dataclass(frozen=True, slots=True)
class QualifiedDate:
    """A DTM date kept with its qualifier (X12 element 374), e.g. 064 + 2026-11-24.

    Used where the set of qualifiers is open (860 changes); the 850 maps the two dates
    Amazon sends to named fields instead.
    """

    qualifier: str
    date: date


# --- 850 purchase order ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PurchaseOrderLine:
    """One PO1 loop: what Amazon orders, in which unit, at what cost."""

    line_number: str  # PO101, echoed unchanged in the 855, 856 and 810
    quantity: Decimal
    unit: UnitOfMeasure
    unit_cost: Decimal  # PO104, per ``unit``: per case for a CA line
    identifier: ProductIdentifier  # the first qualifier/value pair of the PO1
    other_identifiers: tuple[ProductIdentifier, ...] = ()
    pack_size: int | None = None  # PO401: eaches per case, when the line is in cases


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    """One 850 transaction set."""

    po_number: str
    purpose: Purpose
    order_type: OrderType
    order_date: date
    vendor_code: str | None  # REF*IA: which of the vendor's Amazon accounts ordered
    do_not_deliver_before: date  # DTM*064
    do_not_deliver_after: date  # DTM*063
    ship_to: str  # N1*ST**92: the Amazon fulfilment centre code, e.g. RNO1
    backorder_allowed: bool  # CSH01 Y
    lines: tuple[PurchaseOrderLine, ...]


# --- 860 purchase order change ---------------------------------------------------------


class ChangeType(Enum):
    """POC02 change or response type code (X12 element 670)."""

    ADD_ITEMS = "AI"
    CHANGES_TO_LINE_ITEMS = "CA"
    CHANGE_OF_DATES = "CT"
    DELETE_ITEMS = "DI"
    NO_CHANGE = "NC"
    PRICE_CHANGE = "PC"
    PRICE_AND_QUANTITY_CHANGE = "PQ"
    PRICE_AND_RESCHEDULE_CHANGE = "PR"
    QUANTITY_DECREASE = "QD"
    QUANTITY_INCREASE = "QI"
    RESCHEDULE_AND_QUANTITY_CHANGE = "RQ"
    RESCHEDULE = "RS"
    REPLACE_ALL_VALUES = "RZ"


@dataclass(frozen=True, slots=True)
class PoChangeLine:
    """One POC loop: the new state of a line; fields Amazon leaves out are ``None``."""

    line_number: str  # POC01 = the PO101 of the line being changed
    change_type: ChangeType
    quantity: Decimal | None  # POC03 quantity ordered after the change
    quantity_left_to_receive: Decimal | None  # POC04
    unit: UnitOfMeasure | None
    unit_price: Decimal | None
    identifier: ProductIdentifier | None
    other_identifiers: tuple[ProductIdentifier, ...] = ()
    pack_size: int | None = None
    dates: tuple[QualifiedDate, ...] = ()


@dataclass(frozen=True, slots=True)
class PoChange:
    """One 860 transaction set: changes Amazon asks for on an existing PO."""

    po_number: str
    purpose: Purpose
    order_type: OrderType
    order_date: date  # BCH06, the date of the PO being changed
    change_date: date | None  # BCH11 change request date
    dates: tuple[QualifiedDate, ...]  # header DTMs, e.g. a moved delivery window
    lines: tuple[PoChangeLine, ...]


# --- 855 acknowledgement (outbound) ----------------------------------------------------


class AcknowledgementType(Enum):
    """BAK02 (X12 element 587)."""

    WITH_DETAIL_AND_CHANGE = "AC"
    WITH_DETAIL_NO_CHANGE = "AD"


class LineOutcome(Enum):
    """What the vendor does with (part of) a line. The ACK01 code for each outcome and
    reason is a partner-profile setting, because Amazon's exact subset is not public."""

    ACCEPTED = "accepted"
    BACKORDERED = "backordered"
    REJECTED = "rejected"


class RejectionReason(Enum):
    """Why a line is rejected, in Amazon's SP-API vocabulary."""

    TEMPORARILY_UNAVAILABLE = "TemporarilyUnavailable"
    INVALID_PRODUCT_IDENTIFIER = "InvalidProductIdentifier"
    OBSOLETE_PRODUCT = "ObsoleteProduct"


@dataclass(frozen=True, slots=True)
class AcknowledgedQuantity:
    """One outcome for part of a line; a partial line has two of these."""

    outcome: LineOutcome
    quantity: Decimal
    unit: UnitOfMeasure
    scheduled_ship_date: date | None = None
    scheduled_delivery_date: date | None = None
    rejection_reason: RejectionReason | None = None


@dataclass(frozen=True, slots=True)
class AcknowledgementLine:
    line_number: str
    identifier: ProductIdentifier
    ordered_quantity: Decimal
    unit: UnitOfMeasure
    unit_cost: Decimal  # PO104, per ``unit`` (a case for CA); must equal what will be invoiced, or payment is held
    outcomes: tuple[AcknowledgedQuantity, ...]
    # Eaches per case, stated (PO4) on a line ordered in cases.
    pack_size: int | None = None


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """One 855: every line of the PO, each with its outcomes."""

    po_number: str
    acknowledgement_type: AcknowledgementType
    po_date: date  # BAK04: the date of the PO acknowledged (its BEG05), not the day the 855 is sent
    lines: tuple[AcknowledgementLine, ...]


def acknowledgement_type(lines: tuple[AcknowledgementLine, ...]) -> AcknowledgementType:
    """AD when every line is accepted exactly as ordered, AC otherwise."""
    unchanged = all(
        len(line.outcomes) == 1 and line.outcomes[0].outcome is LineOutcome.ACCEPTED
        and line.outcomes[0].quantity == line.ordered_quantity
        for line in lines
    )
    return AcknowledgementType.WITH_DETAIL_NO_CHANGE if unchanged else AcknowledgementType.WITH_DETAIL_AND_CHANGE


# --- 856 ship notice (outbound) --------------------------------------------------------


class ShipNoticePurpose(Enum):
    """BSN01 (X12 element 353): the first 856 of a shipment, or one replacing it."""

    ORIGINAL = "00"
    REPLACEMENT = "05"


@dataclass(frozen=True, slots=True)
class Address:
    """A party's name and address as N1 (name), N3 (street) and N4 (city, state, postal code, country) carry it."""

    name: str
    street: str
    city: str
    state: str | None
    postal_code: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class ShippedItem:
    """An item (HL I): what one carton holds of one PO line, in the PO line's unit."""

    line_number: str  # PO101 of the ordered line
    identifier: ProductIdentifier  # the qualifier and value Amazon used on that PO line (LIN)
    quantity: Decimal  # SN102, in ``unit``: whole cases for a line ordered in CA
    unit: UnitOfMeasure  # the PO line's unit (SN103)
    lot_number: str | None = None  # perishables
    expiry_date: date | None = None  # perishables


@dataclass(frozen=True, slots=True)
class Carton:
    """A pack (HL P) with its SSCC-18 (MAN*GM), exactly as printed on its label."""

    sscc: str
    items: tuple[ShippedItem, ...]


@dataclass(frozen=True, slots=True)
class Pallet:
    """A tare (HL T) carrying cartons; ``sscc`` None when the pallet has no SSCC label."""

    sscc: str | None
    cartons: tuple[Carton, ...]


@dataclass(frozen=True, slots=True)
class ShippedOrder:
    """An order (HL O, PRF) within the shipment: its cartons on pallets, and its loose cartons."""

    po_number: str
    po_date: date  # PRF04: the PO's date (BEG05)
    pallets: tuple[Pallet, ...]
    cartons: tuple[Carton, ...]  # loose, not on a pallet


@dataclass(frozen=True, slots=True)
class ShipNotice:
    """One 856 = one delivery: one truck, one warehouse, one arrival day, one or more POs.

    A pallet that carries cartons of several POs is written under each of its orders with
    those orders' cartons (S/O/T/P/I); ``pallet_count`` counts it once.
    """

    shipment_id: str  # BSN02, kept by a replacement ASN
    purpose: ShipNoticePurpose  # BSN01
    shipped_at: datetime  # DTM*011 date and time, UTC
    estimated_delivery_date: date | None  # DTM*017
    carrier_scac: str  # TD5 02 = 2 (SCAC), 03
    bill_of_lading: str  # REF*BM
    pro_number: str | None  # REF*CN
    ship_from_code: str
    ship_from: Address  # N1*SF, N3, N4
    ship_to: str  # N1*ST**92: the Amazon fulfilment centre code, as on the POs
    carton_count: int  # TD1 lading quantity
    pallet_count: int
    gross_weight: Decimal | None  # TD1 weight, in ``weight_unit``
    weight_unit: str  # LB or KG (X12 element 355)
    orders: tuple[ShippedOrder, ...]


# --- 810 invoice (outbound) ------------------------------------------------------------


class AllowanceOrChargeKind(Enum):
    """SAC01 (X12 element 248)."""

    ALLOWANCE = "A"
    CHARGE = "C"


@dataclass(frozen=True, slots=True)
class AllowanceOrCharge:
    kind: AllowanceOrChargeKind
    code: str  # SAC02 (X12 element 1300), open set
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """An IT1: what is billed of one PO line, in the PO line's unit at the acknowledged cost."""

    line_number: str  # PO101 of the ordered line
    identifier: ProductIdentifier  # the qualifier and value Amazon used on that PO line
    quantity: Decimal  # in ``unit``; never more than shipped minus already invoiced
    unit: UnitOfMeasure  # the PO line's unit
    unit_cost: Decimal  # per ``unit``: the cost the 855 acknowledged (per case for a CA line)


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """ITD: the vendor's payment terms with Amazon (from the partner profile)."""

    net_days: int
    discount_percent: Decimal | None = None
    discount_days: int | None = None


@dataclass(frozen=True, slots=True)
class Invoice:
    """One 810 for one PO; total = lines + charges - allowances, above zero."""

    invoice_number: str  # BIG02, unique forever
    invoice_date: date  # BIG01
    po_number: str  # BIG04
    po_date: date  # BIG03: the PO's date (BEG05)
    vendor_code: str | None  # REF*IA: the vendor code Amazon ordered under
    currency: str  # CUR*SE, ISO 4217
    remit_to: Address  # N1*RI: where Amazon pays (our organisation)
    ship_from: Address | None  # N1*SF: the warehouse the goods left, when known
    ship_to: str | None  # N1*ST**92: the Amazon fulfilment centre
    terms: PaymentTerms  # ITD
    shipment_id: str | None  # the shipment billed, when one (REF*BM carries its bill of lading)
    bill_of_lading: str | None
    lines: tuple[InvoiceLine, ...]
    allowances_and_charges: tuple[AllowanceOrCharge, ...]
    total_amount: Decimal  # TDS01, written in cents


# --- 846 inventory advice (outbound) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class InventoryItem:
    """One product's availability: the identifiers Amazon knows it by and the eaches it may order."""

    identifiers: tuple[ProductIdentifier, ...]  # LIN pairs, at least one
    quantity: int  # available to promise, in eaches (QTY*33)
    restock_date: date | None = None  # when more is expected, when the IMS knows


@dataclass(frozen=True, slots=True)
class InventoryAdvice:
    """One 846 transaction set: what one ship-from can ship, per product, as of an instant.

    A feed of many SKUs is several of these (batches); ``reference`` (BIA03) names the feed
    and the batch, so each set is told apart in the partner's 997 and in our tracker.
    """

    reference: str  # BIA03, 1-30 characters
    as_of: datetime  # BIA04/BIA05: when the quantities were computed
    ship_from_code: str | None  # the warehouse code (N1*SF ... 92), None when the IMS reports one total
    ship_from: Address | None  # its name and address when the gateway knows the warehouse
    items: tuple[InventoryItem, ...]


# --- 820 remittance (inbound) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An ADX deduction or addition; the reason code (X12 element 426) is what finance
    disputes, so it is kept as sent."""

    amount: Decimal  # negative for a deduction
    reason_code: str


@dataclass(frozen=True, slots=True)
class RemittanceLine:
    """One RMR loop: what Amazon paid against one invoice of one PO."""

    invoice_number: str
    po_number: str | None  # REF*PO in the RMR loop
    amount_paid: Decimal
    amount_invoiced: Decimal | None
    discount_amount: Decimal | None
    invoice_date: date | None  # DTM*003
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 820 transaction set."""

    payment_amount: Decimal  # BPR02
    payment_method: str  # BPR04, e.g. ACH
    payment_date: date | None  # BPR16
    trace_number: str  # TRN02, ties the remittance to the bank deposit
    payer_name: str | None
    payee_name: str | None
    payee_id: str | None
    lines: tuple[RemittanceLine, ...]


# --- 997 functional acknowledgement (inbound) ------------------------------------------


class AckStatus(Enum):
    """AK501 (X12 element 717) and AK901 (element 715); P exists for groups only."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    PARTIALLY_ACCEPTED = "P"
    REJECTED = "R"
    REJECTED_MAC_FAILED = "M"
    REJECTED_ASSURANCE_FAILED = "W"
    REJECTED_CONTENT_UNREADABLE = "X"

    @property
    def is_accepted(self) -> bool:
        """True when the partner took the document in, possibly noting errors."""
        return self in (AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_ERRORS)


@dataclass(frozen=True, slots=True)
class AckCode:
    """An X12 error code together with what it means in words."""

    code: str
    meaning: str


@dataclass(frozen=True, slots=True)
class ElementError:
    """One AK4: which element of the segment was wrong and how."""

    position: int  # AK401-1, 1-based position of the element in the segment
    component_position: int | None  # AK401-2, within a composite
    data_element: str  # AK402, X12 data element reference number
    error: AckCode  # AK403
    bad_value: str  # AK404, copy of the bad data


@dataclass(frozen=True, slots=True)
class SegmentError:
    """One AK3 with its AK4s."""

    segment_id: str  # AK301
    position: int  # AK302, counted from ST = 1
    loop_id: str  # AK303, "" when not given
    error: AckCode | None  # AK304
    element_errors: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class SetAck:
    """AK2..AK5: the verdict on one of our transaction sets."""

    set_id: str  # AK201, e.g. 856
    control_number: str  # AK202 = the ST02 we sent
    status: AckStatus
    errors: tuple[AckCode, ...]  # AK502..AK506
    segment_errors: tuple[SegmentError, ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionalAck:
    """One inbound 997: the verdict on one of our functional groups."""

    functional_id: str  # AK101 = the GS01 we sent, e.g. SH
    group_control_number: int  # AK102 = the GS06 we sent (numeric, so leading zeros do not matter)
    status: AckStatus  # AK901
    sets_included: int  # AK902
    sets_received: int  # AK903
    sets_accepted: int  # AK904
    errors: tuple[AckCode, ...]  # AK905..AK909
    sets: tuple[SetAck, ...]


CanonicalDocument = (
    PurchaseOrder
    | PoChange
    | Acknowledgement
    | ShipNotice
    | Invoice
    | InventoryAdvice
    | Remittance
    | FunctionalAck
)
