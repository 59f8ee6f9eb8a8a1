"""ShipNotice (canonical) -> the body of an Amazon 856, in X12 004010 or 005010.

Amazon receives against the ASN: the dock scans each carton's SSCC-18 label and looks it
up in the 856, so every carton must be there, under the PO it belongs to, with what it
holds. The body is one hierarchy (BSN05 0001):

- shipment (HL S): TD1 carton count (and gross weight), TD1 pallet count when palletised,
  TD5 carrier SCAC, REF bill of lading and PRO, DTM shipped (011) and estimated delivery
  (017), N1 ship-from with its address and N1 ship-to (the fulfilment centre code);
- per PO an order (HL O, PRF with the PO date), then its pallets (HL T, MAN*GM with the
  pallet's SSCC when it has one) each with its cartons of that PO, then its loose cartons;
- per carton a pack (HL P, MAN*GM with the carton's SSCC), per item in it an item (HL I):
  LIN with the identifier Amazon ordered (and the lot), SN1 quantity in the PO line's unit,
  DTM*036 expiry for perishables.

A pallet carrying cartons of several POs is written under each of those orders with that
order's cartons (the canonical ``ShipNotice`` already holds it so). HL01 counts from 1 in
the order written and HL02 names the parent's HL01. CTT01 is the number of HL segments:
the X12 856 standard's note on CTT ("Number of line items (CTT01) is the accumulation of
the number of HL segments"), which the Amazon 856 guides keep; Amazon's own guide text
for CTT01 was not reachable when this was written, so the standard is what is followed.

004010 and 005010 differ in what this writes in two places: the N4 state and the length
of a REF value (see :func:`_n4` and :func:`_ref`). The pure function takes no clock:
BSN03/BSN04 are the shipment's shipped_at, so the same shipment always gives the same body.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from edi_maps.amazon.elements import number_text
from edi_maps.documents import Address, Carton, ShipNotice

VERSIONS = ("004010", "005010")
STRUCTURE_CODE = "0001"  # BSN05: Shipment, Order, Packaging, Item (also S/O/T/P/I)

# N402 (element 156) takes the state and province codes of the US and Canada; 005010 adds
# N407 (element 1715, ISO 3166-2 subdivision) for other countries' states, 004010 has no
# element for them, so there the state is left out and city, postal code and country say where.
N402_COUNTRIES = frozenset({"US", "CA"})
# REF02 (element 127) is 1-30 characters in 004010 and 1-50 in 005010.
REF02_MAX_LENGTH = {"004010": 30, "005010": 50}


def ship_notice_segments(notice: ShipNotice, version: str) -> list[Sequence[str]]:
    """The 856 body between ST and SE, written in ``version`` ("005010" or "004010").

    Raises ``ValueError`` for a version it does not write, or a value the version cannot
    carry (a bill of lading or PRO longer than 30 characters in 004010).
    """
    if version not in VERSIONS:
        raise ValueError(f"an 856 is written in X12 {' or '.join(VERSIONS)}, not {version!r}")
    shipped_at = _utc(notice.shipped_at)
    segments: list[Sequence[str]] = [
        ["BSN", notice.purpose.value, notice.shipment_id, shipped_at.strftime("%Y%m%d"),
         shipped_at.strftime("%H%M"), STRUCTURE_CODE],
    ]
    levels = _Levels(segments)
    shipment = levels.open("S", None)
    cartons = ["TD1", "CTN25", str(notice.carton_count)]
    if notice.gross_weight is not None:
        cartons += ["", "", "", "G", number_text(notice.gross_weight), notice.weight_unit]
    segments.append(cartons)
    if notice.pallet_count > 0:
        segments.append(["TD1", "PLT94", str(notice.pallet_count)])
    segments.append(["TD5", "", "2", notice.carrier_scac])
    segments.append(_ref("BM", notice.bill_of_lading, version))
    if notice.pro_number:
        segments.append(_ref("CN", notice.pro_number, version))
    segments.append(["DTM", "011", shipped_at.strftime("%Y%m%d"), shipped_at.strftime("%H%M")])
    if notice.estimated_delivery_date is not None:
        segments.append(["DTM", "017", notice.estimated_delivery_date.strftime("%Y%m%d")])
    segments += [["N1", "SF", notice.ship_from.name], ["N3", notice.ship_from.street],
                 _n4(notice.ship_from, version), ["N1", "ST", "", "92", notice.ship_to]]
    for order in notice.orders:
        order_level = levels.open("O", shipment)
        segments.append(["PRF", order.po_number, "", "", order.po_date.strftime("%Y%m%d")])
        for pallet in order.pallets:
            tare = levels.open("T", order_level)
            if pallet.sscc is not None:
                segments.append(["MAN", "GM", pallet.sscc])
            _cartons(levels, pallet.cartons, tare)
        _cartons(levels, order.cartons, order_level)
    segments.append(["CTT", str(levels.count)])
    return segments


class _Levels:
    """Numbers the HL segments as they are written: HL01 from 1, HL02 the parent's HL01."""

    def __init__(self, segments: list[Sequence[str]]) -> None:
        self.segments = segments
        self.count = 0

    def open(self, level: str, parent: int | None) -> int:
        self.count += 1
        self.segments.append(["HL", str(self.count), "" if parent is None else str(parent), level])
        return self.count


def _cartons(levels: _Levels, cartons: Sequence[Carton], parent: int) -> None:
    """Each carton (HL P, its SSCC) and the items it holds (HL I) under ``parent``."""
    segments = levels.segments
    for carton in cartons:
        pack = levels.open("P", parent)
        segments.append(["MAN", "GM", carton.sscc])
        for item in carton.items:
            levels.open("I", pack)
            lin = ["LIN", item.line_number, item.identifier.qualifier.value, item.identifier.value]
            if item.lot_number:
                lin += ["LT", item.lot_number]
            segments += [lin, ["SN1", "", number_text(item.quantity), item.unit.value]]
            if item.expiry_date is not None:
                segments.append(["DTM", "036", item.expiry_date.strftime("%Y%m%d")])


def _ref(qualifier: str, value: str, version: str) -> list[str]:
    """REF*BM / REF*CN, refused when the value is longer than the version's REF02 allows."""
    limit = REF02_MAX_LENGTH[version]
    if len(value) > limit:
        raise ValueError(f"REF*{qualifier} value {value!r} is longer than the {limit} characters "
                         f"REF02 allows in X12 {version}")
    return ["REF", qualifier, value]


def _n4(address: Address, version: str) -> list[str]:
    """N4 city, state, postal code, country: the state in N402 for the US and Canada; for
    other countries in N407 in 005010, and not at all in 004010 (see ``N402_COUNTRIES``)."""
    n4 = ["N4", address.city, "", address.postal_code, address.country]
    if address.state:
        if address.country in N402_COUNTRIES:
            n4[2] = address.state
        elif version == "005010":
            n4 += ["", "", address.state]
    return n4


def _utc(moment: datetime) -> datetime:
    """``shipped_at`` in UTC; a naive datetime is taken to be UTC already."""
    return moment if moment.tzinfo is None else moment.astimezone(timezone.utc)
