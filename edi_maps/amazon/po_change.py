"""Amazon 860 (X12 4010) -> ``PoChange``.

Element positions follow the X12 4010 standard, which Amazon's guide keeps: BCH06 is
the date of the PO being changed, BCH11 the change request date; POC03 the quantity
ordered after the change, POC04 the quantity left to receive, POC05 the composite unit
of measure (so the component separator is needed), POC08 on the product identifiers.
"""
from __future__ import annotations

from collections.abc import Iterable

from edi_maps.amazon.elements import (
    TranslationError,
    code,
    first_component_code,
    optional_date,
    optional_decimal,
    optional_whole_number,
    product_identifiers,
    required_text,
    transaction_set_header,
    x12_date,
)
from edi_maps.documents import (
    ChangeType,
    OrderType,
    PoChange,
    PoChangeLine,
    Purpose,
    QualifiedDate,
    UnitOfMeasure,
)
from edi_maps.x12.segment import Segment


def po_change_from_segments(segments: Iterable[Segment], component_separator: str) -> PoChange:
    """Translate one 860 transaction set (ST..SE inclusive) into a ``PoChange``.

    DTMs before the first POC change the whole order (e.g. its delivery window); DTMs
    inside a POC loop belong to that line. Raises ``TranslationError`` when BCH is
    missing or a value cannot be read.
    """
    iterator = iter(segments)
    header = transaction_set_header(iterator, "860")
    bch = None
    header_dates: list[QualifiedDate] = []
    loops: list[tuple[Segment, list[Segment]]] = []  # POC with the PO4/DTM of its loop
    for segment in iterator:
        tag = segment.tag
        if tag == "POC":
            loops.append((segment, []))
        elif tag == "BCH":
            bch = segment
        elif tag in ("DTM", "PO4"):
            if loops:
                loops[-1][1].append(segment)
            elif tag == "DTM":
                header_dates.append(_qualified_date(segment))
    if bch is None:
        raise TranslationError("860 has no BCH segment", header)
    return PoChange(
        po_number=required_text(bch, 3, "PO number"),
        purpose=code(bch, 1, Purpose, "purpose"),
        order_type=code(bch, 2, OrderType, "order type"),
        order_date=x12_date(bch, 6, "purchase order date"),
        change_date=optional_date(bch, 11, "change request date"),
        dates=tuple(header_dates),
        lines=tuple(_line(poc, loop, component_separator) for poc, loop in loops),
    )


def _line(poc: Segment, loop: list[Segment], component_separator: str) -> PoChangeLine:
    identifiers = product_identifiers(poc, 8)
    pack_size = None
    dates = []
    for segment in loop:
        if segment.tag == "PO4":
            pack_size = optional_whole_number(segment, 1, "pack size")
        else:
            dates.append(_qualified_date(segment))
    return PoChangeLine(
        line_number=required_text(poc, 1, "line number"),
        change_type=code(poc, 2, ChangeType, "change type"),
        quantity=optional_decimal(poc, 3, "quantity ordered"),
        quantity_left_to_receive=optional_decimal(poc, 4, "quantity left to receive"),
        unit=first_component_code(poc, 5, component_separator, UnitOfMeasure, "unit"),
        unit_price=optional_decimal(poc, 6, "unit price"),
        identifier=identifiers[0] if identifiers else None,
        other_identifiers=identifiers[1:],
        pack_size=pack_size,
        dates=tuple(dates),
    )


def _qualified_date(dtm: Segment) -> QualifiedDate:
    return QualifiedDate(
        qualifier=required_text(dtm, 1, "date qualifier"),
        date=x12_date(dtm, 2, "date"),
    )
