"""860 -> PoChange."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from edi_maps.amazon import TranslationError, po_change_from_segments
from edi_maps.documents import (
    ChangeType,
    IdentifierQualifier,
    OrderType,
    PoChange,
    PoChangeLine,
    ProductIdentifier,
    Purpose,
    QualifiedDate,
    UnitOfMeasure,
)

from .conftest import amazon_sets, one_set, own_sets


def test_change_sample_lowers_line_2_to_4_cases_and_deletes_line_3() -> None:
    (transaction_set,) = amazon_sets("860-change.edi")

    change = po_change_from_segments(transaction_set.segments, transaction_set.component_separator)

    assert change == PoChange(
        po_number="2XK7QP9M",
        purpose=Purpose.CHANGE,
        order_type=OrderType.NEW,
        order_date=date(2026, 11, 20),
        change_date=None,  # the sample's 20261121 sits in BCH07, the request reference number
        dates=(),
        lines=(
            PoChangeLine(
                line_number="2",
                change_type=ChangeType.QUANTITY_DECREASE,
                quantity=Decimal("4"),
                quantity_left_to_receive=Decimal("2"),
                unit=UnitOfMeasure.CASE,
                unit_price=Decimal("40.00"),
                identifier=ProductIdentifier(IdentifierQualifier.UPC, "012345678905"),
            ),
            PoChangeLine(
                line_number="3",
                change_type=ChangeType.DELETE_ITEMS,
                quantity=Decimal("0"),
                quantity_left_to_receive=Decimal("10"),
                unit=UnitOfMeasure.EACH,
                unit_price=Decimal("7.25"),
                identifier=ProductIdentifier(IdentifierQualifier.ASIN, "B07XJ8C8F5"),
            ),
        ),
    )


def test_cancel_sample_deletes_line_6_of_po_6jq2tw4n() -> None:
    (transaction_set,) = amazon_sets("860-cancel-line.edi")

    change = po_change_from_segments(transaction_set.segments, transaction_set.component_separator)

    assert change == PoChange(
        po_number="6JQ2TW4N",
        purpose=Purpose.CHANGE,
        order_type=OrderType.NEW,
        order_date=date(2026, 11, 20),
        change_date=date(2026, 11, 21),  # BCH11
        dates=(),
        lines=(
            PoChangeLine(
                line_number="6",
                change_type=ChangeType.DELETE_ITEMS,
                quantity=Decimal("0"),
                quantity_left_to_receive=Decimal("12"),
                unit=UnitOfMeasure.EACH,
                unit_price=Decimal("4.00"),
                identifier=ProductIdentifier(IdentifierQualifier.UPC, "036000291452"),
            ),
        ),
    )


def test_the_860_beside_an_850_in_one_interchange_raises_line_1() -> None:
    """The second group of two-groups-850-860.edi: PO 2XK7QP9M's line 1 up to 36 eaches."""
    _, change_set = amazon_sets("two-groups-850-860.edi")

    change = po_change_from_segments(change_set.segments, change_set.component_separator)

    assert (change.po_number, change.purpose, change.change_date) == ("2XK7QP9M", Purpose.CHANGE, None)
    assert change.lines == (
        PoChangeLine(
            line_number="1",
            change_type=ChangeType.QUANTITY_INCREASE,
            quantity=Decimal("36"),
            quantity_left_to_receive=Decimal("12"),
            unit=UnitOfMeasure.EACH,
            unit_price=Decimal("12.50"),
            identifier=ProductIdentifier(IdentifierQualifier.EAN, "5012345678900"),
        ),
    )


def test_header_dates_line_dates_composite_unit_and_sparse_lines() -> None:
    (transaction_set,) = own_sets("860-header-dates-and-line-changes.edi")

    change = po_change_from_segments(transaction_set.segments, transaction_set.component_separator)

    assert change.order_type is OrderType.RUSH
    assert change.change_date == date(2026, 11, 22)
    assert change.dates == (
        QualifiedDate("064", date(2026, 11, 26)),
        QualifiedDate("063", date(2026, 12, 3)),
    )
    increase, price, added, moved = change.lines
    assert (increase.change_type, increase.quantity, increase.unit, increase.pack_size) == (
        ChangeType.QUANTITY_INCREASE,
        Decimal("5"),
        UnitOfMeasure.CASE,  # from the composite CA>1
        12,
    )
    assert (price.change_type, price.quantity, price.quantity_left_to_receive, price.unit_price) == (
        ChangeType.PRICE_CHANGE,
        None,
        Decimal("48"),
        Decimal("2.95"),
    )
    assert added.other_identifiers == (ProductIdentifier(IdentifierQualifier.ASIN, "B0ABCDEF12"),)
    assert added.dates == (QualifiedDate("064", date(2026, 11, 27)),)
    assert moved == PoChangeLine(
        line_number="4",
        change_type=ChangeType.CHANGE_OF_DATES,
        quantity=None,
        quantity_left_to_receive=None,
        unit=None,
        unit_price=None,
        identifier=None,
        dates=(QualifiedDate("063", date(2026, 12, 5)),),
    )


BCH = "BCH*04*NE*2XK7QP9M***20261120"


@pytest.mark.parametrize(
    ("body", "segment_number", "message"),
    [
        (["POC*1*QD*4*2*CA*40.00**UP*012345678905"], 3, "860 has no BCH segment"),
        (["BCH*04*NE*2XK7QP9M***2026112"], 4, "BCH06 purchase order date '2026112' is not a valid date (CCYYMMDD)"),
        (["BCH*04*NE*2XK7QP9M***20261120*****20260230"], 4, "BCH11 change request date '20260230' is not a valid date (CCYYMMDD)"),
        ([BCH, "POC*1*XX*4"], 5, "POC02 change type 'XX' is not one of AI, CA, CT, DI, NC, PC, PQ, PR, QD, QI, RQ, RS, RZ"),
        ([BCH, "POC*1*QD*four*2*CA"], 5, "POC03 quantity ordered 'four' is not a decimal number"),
        ([BCH, "POC*1*QD*4*2*BX>1"], 5, "POC05-01 unit 'BX' is not one of EA, CA"),
        ([BCH, "POC*1*QD*4*2*CA*40.00**UP*012345678905", "DTM*064*20261331"], 6, "DTM02 date '20261331' is not a valid date (CCYYMMDD)"),
        ([BCH, "DTM**20261201"], 5, "DTM01 date qualifier is missing"),
    ],
)
def test_translation_errors_name_the_segment(body: list[str], segment_number: int, message: str) -> None:
    transaction_set = one_set("PC", "860", *body)

    with pytest.raises(TranslationError) as raised:
        po_change_from_segments(transaction_set.segments, transaction_set.component_separator)

    assert (raised.value.segment_number, raised.value.reason) == (segment_number, message)
