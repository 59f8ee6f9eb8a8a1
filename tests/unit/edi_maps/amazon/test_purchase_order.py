"""850 -> PurchaseOrder: the Amazon samples (tests/fixtures/amazon) with exact values, then
the edge cases."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edi_maps.amazon import TranslationError, purchase_order_from_segments, purchase_order_json
from edi_maps.amazon.purchase_order import _checked_line, _line, _line_json
from edi_maps.canonical_json import to_json_dict
from edi_maps.documents import (
    IdentifierQualifier,
    OrderType,
    ProductIdentifier,
    Purpose,
    PurchaseOrder,
    PurchaseOrderLine,
    UnitOfMeasure,
)
from edi_maps.x12.segment import Segment

from .conftest import amazon_sets, one_set, own_sets

HEADER = (
    "BEG*00*NE*2XK7QP9M**20261120",
    "REF*IA*ACMEB",
    "CSH*N",
    "DTM*064*20261124",
    "DTM*063*20261201",
    "N1*ST**92*RNO1",
)
GOOD_LINE = "PO1*1*24*EA*12.50**EN*5012345678900"


def translate(*body: str) -> PurchaseOrder:
    return purchase_order_from_segments(one_set("PO", "850", *body).segments)


def translation_error(*body: str) -> TranslationError:
    with pytest.raises(TranslationError) as raised:
        translate(*body)
    return raised.value


def test_single_po_sample_translates_to_exact_values() -> None:
    (transaction_set,) = amazon_sets("850-single-po.edi")

    order = purchase_order_from_segments(transaction_set.segments)

    assert order == PurchaseOrder(
        po_number="2XK7QP9M",
        purpose=Purpose.ORIGINAL,
        order_type=OrderType.NEW,
        order_date=date(2026, 11, 20),
        vendor_code="ACMEB",
        do_not_deliver_before=date(2026, 11, 24),
        do_not_deliver_after=date(2026, 12, 1),
        ship_to="RNO1",
        backorder_allowed=False,
        lines=(
            PurchaseOrderLine(
                line_number="1",
                quantity=Decimal("24"),
                unit=UnitOfMeasure.EACH,
                unit_cost=Decimal("12.50"),
                identifier=ProductIdentifier(IdentifierQualifier.EAN, "5012345678900"),
            ),
            PurchaseOrderLine(
                line_number="2",
                quantity=Decimal("6"),
                unit=UnitOfMeasure.CASE,
                unit_cost=Decimal("40.00"),
                identifier=ProductIdentifier(IdentifierQualifier.UPC, "012345678905"),
                pack_size=12,
            ),
            PurchaseOrderLine(
                line_number="3",
                quantity=Decimal("10"),
                unit=UnitOfMeasure.EACH,
                unit_cost=Decimal("7.25"),
                identifier=ProductIdentifier(IdentifierQualifier.ASIN, "B07XJ8C8F5"),
            ),
        ),
    )


def test_three_pos_sample_gives_one_order_per_set() -> None:
    orders = [
        purchase_order_from_segments(transaction_set.segments)
        for transaction_set in amazon_sets("850-three-pos-one-line.edi")
    ]

    assert [order.po_number for order in orders] == ["3MZQ81RT", "4HB2XW0L", "5PLK33ZD"]
    assert [order.order_type for order in orders] == [
        OrderType.NEW,
        OrderType.RUSH,
        OrderType.NEW_PRODUCT_INTRODUCTION,
    ]
    assert [order.backorder_allowed for order in orders] == [False, True, False]
    assert [order.ship_to for order in orders] == ["SDF8", "RNO1", "RNO1"]
    assert [len(order.lines) for order in orders] == [1, 2, 1]


def test_rush_order_lines_keep_case_pack_and_vendor_item() -> None:
    rush = purchase_order_from_segments(amazon_sets("850-three-pos-one-line.edi")[1].segments)

    assert rush.lines == (
        PurchaseOrderLine(
            line_number="1",
            quantity=Decimal("3"),
            unit=UnitOfMeasure.CASE,
            unit_cost=Decimal("40.00"),
            identifier=ProductIdentifier(IdentifierQualifier.UPC, "012345678905"),
            pack_size=12,
        ),
        PurchaseOrderLine(
            line_number="2",
            quantity=Decimal("48"),
            unit=UnitOfMeasure.EACH,
            unit_cost=Decimal("3.10"),
            identifier=ProductIdentifier(IdentifierQualifier.VENDOR_ITEM_NUMBER, "ACME-TEE-BLK-M"),
        ),
    )


def test_new_product_order_keeps_an_ean_missing_from_the_catalogue() -> None:
    """An unknown product is a business exception for the intake service, not a
    translation failure: the map must hand it on untouched."""
    new_product = purchase_order_from_segments(amazon_sets("850-three-pos-one-line.edi")[2].segments)

    assert new_product.lines[0].identifier == ProductIdentifier(IdentifierQualifier.EAN, "9999999999994")
    assert new_product.lines[0].unit_cost == Decimal("99.99")


def test_invalid_codes_sample_fails_on_the_order_type_at_its_segment() -> None:
    (transaction_set,) = amazon_sets("850-invalid-codes.edi")

    with pytest.raises(TranslationError) as raised:
        purchase_order_from_segments(transaction_set.segments)

    assert raised.value.segment_number == 4
    assert raised.value.segment_tag == "BEG"
    assert str(raised.value) == "segment 4 (BEG): BEG02 order type 'ZZ' is not one of NE, RO, NP, CN"


def test_bad_se_count_is_the_reader_s_concern_not_the_map_s() -> None:
    (transaction_set,) = amazon_sets("850-bad-se-count.edi")

    order = purchase_order_from_segments(transaction_set.segments)

    assert order.po_number == "7SECOUNT"
    assert order.lines[0].quantity == Decimal("2")


def line(number: str, quantity: str, unit: UnitOfMeasure, cost: str, qualifier: IdentifierQualifier, value: str,
         pack_size: int | None = None) -> PurchaseOrderLine:
    return PurchaseOrderLine(number, Decimal(quantity), unit, Decimal(cost), ProductIdentifier(qualifier, value),
                             pack_size=pack_size)


EA, CA = UnitOfMeasure.EACH, UnitOfMeasure.CASE
EN, UP, BP, VN, IB, VP = (IdentifierQualifier.EAN, IdentifierQualifier.UPC, IdentifierQualifier.ASIN,
                          IdentifierQualifier.VENDOR_ITEM_NUMBER, IdentifierQualifier.ISBN,
                          IdentifierQualifier.VENDOR_PART_NUMBER)


def test_several_pos_sample_gives_three_orders_for_three_warehouses() -> None:
    first, second, rush = (purchase_order_from_segments(transaction_set.segments)
                           for transaction_set in amazon_sets("850-several-pos-many-lines.edi"))

    assert first == PurchaseOrder(
        po_number="6JQ2TW4N",
        purpose=Purpose.ORIGINAL,
        order_type=OrderType.NEW,
        order_date=date(2026, 11, 20),
        vendor_code="ACMEB",
        do_not_deliver_before=date(2026, 11, 25),
        do_not_deliver_after=date(2026, 12, 3),
        ship_to="ONT8",
        backorder_allowed=False,
        lines=(
            line("1", "48", EA, "12.50", EN, "5012345678900"),
            line("2", "24", EA, "12.50", EN, "5012345678917"),
            line("3", "5", CA, "40.00", UP, "012345678905", pack_size=12),
            line("4", "15", EA, "7.25", BP, "B07XJ8C8F5"),
            line("5", "36", EA, "3.10", VN, "ACME-TEE-BLK-M"),
            line("6", "12", EA, "4.00", UP, "036000291452"),
        ),
    )
    assert (second.po_number, second.order_type, second.ship_to) == ("7RKD5V2P", OrderType.NEW, "BFI4")
    assert (second.do_not_deliver_before, second.do_not_deliver_after) == (date(2026, 11, 26), date(2026, 12, 4))
    assert second.lines == (
        line("1", "12", EA, "12.50", EN, "5012345678900"),
        line("2", "2", CA, "40.00", UP, "012345678905", pack_size=12),
        line("3", "30", EA, "7.25", BP, "B07XJ8C8F5"),
        line("4", "6", EA, "12.50", EN, "5012345678917"),
        line("5", "60", EA, "3.10", VN, "ACME-TEE-BLK-M"),
    )
    assert (rush.po_number, rush.order_type, rush.ship_to) == ("8WNX3C7H", OrderType.RUSH, "SDF8")
    assert (rush.do_not_deliver_before, rush.do_not_deliver_after) == (date(2026, 11, 23), date(2026, 11, 27))
    assert rush.lines == (
        line("1", "8", EA, "7.25", BP, "B07XJ8C8F5"),
        line("2", "1", CA, "40.00", UP, "012345678905", pack_size=12),
        line("3", "24", EA, "12.50", EN, "5012345678900"),
        line("4", "10", EA, "4.00", UP, "036000291452"),
    )
    # CTT01 and CTT02 of each set: the number of lines and the hash total of PO102.
    assert [(len(order.lines), sum(item.quantity for item in order.lines)) for order in (first, second, rush)] == [
        (6, 140), (5, 110), (4, 43)]


def test_cases_sample_keeps_each_line_s_pack_from_its_po4() -> None:
    (transaction_set,) = amazon_sets("850-cases-pack.edi")

    order = purchase_order_from_segments(transaction_set.segments)

    assert (order.po_number, order.ship_to, order.backorder_allowed) == ("9CSE4PKQ", "RNO1", False)
    assert order.lines == (
        line("1", "10", CA, "40.00", UP, "012345678905", pack_size=12),
        line("2", "3", CA, "75.00", EN, "5012345678917", pack_size=6),
        line("3", "2", CA, "174.00", BP, "B07XJ8C8F5", pack_size=24),
        line("4", "5", CA, "37.20", VN, "ACME-TEE-BLK-M", pack_size=12),
    )


def test_backorder_sample_allows_back_orders_over_a_two_week_window() -> None:
    (transaction_set,) = amazon_sets("850-backorder-allowed.edi")

    order = purchase_order_from_segments(transaction_set.segments)

    assert (order.po_number, order.order_type, order.backorder_allowed) == ("5BKRD92X", OrderType.NEW, True)
    assert (order.do_not_deliver_before, order.do_not_deliver_after) == (date(2026, 11, 24), date(2026, 12, 8))
    assert order.lines == (
        line("1", "20", EA, "12.50", EN, "5012345678900"),
        line("2", "10", EA, "3.10", VN, "ACME-TEE-BLK-M"),
        line("3", "12", EA, "12.50", EN, "5012345678917"),
        line("4", "60", EA, "7.25", BP, "B07XJ8C8F5"),
    )


def test_unknown_identifiers_are_handed_on_as_amazon_sent_them() -> None:
    """Every qualifier Amazon uses, five of them naming nothing in the catalogue: the map
    keeps them untouched, the intake service decides what an unknown product means."""
    (transaction_set,) = amazon_sets("850-unknown-identifiers.edi")

    order = purchase_order_from_segments(transaction_set.segments)

    assert (order.po_number, order.order_type) == ("6UNK4QZT", OrderType.NEW_PRODUCT_INTRODUCTION)
    assert order.lines == (
        line("1", "6", EA, "12.50", EN, "5012345678900"),
        line("2", "12", EA, "18.00", EN, "5012345678931"),
        line("3", "4", EA, "22.00", BP, "B0CX7Q2LMN"),
        line("4", "10", EA, "9.99", UP, "036000291469"),
        line("5", "2", EA, "14.95", IB, "9780306406157"),
        line("6", "3", EA, "5.00", VP, "ACME-OLD-99"),
    )


@pytest.mark.parametrize(("name", "po_number", "lines"), [
    ("850-bad-ge-count.edi", "9GECNT4Z", (line("1", "6", EA, "7.25", BP, "B07XJ8C8F5"),)),
    ("850-iea-missing.edi", "8NOIEA2K", (line("1", "24", EA, "12.50", EN, "5012345678900"),
                                         line("2", "2", CA, "40.00", UP, "012345678905", pack_size=12))),
])
def test_a_broken_envelope_does_not_change_what_the_order_says(name: str, po_number: str, lines: tuple) -> None:
    """Whether the group or interchange around a set is sound is the reader's and the
    validator's question (a TA1, an AK9 R); the map reads the set the same either way."""
    (transaction_set,) = amazon_sets(name)

    order = purchase_order_from_segments(transaction_set.segments)

    assert (order.po_number, order.lines) == (po_number, lines)


def test_own_delimiters_optional_segments_and_several_identifiers() -> None:
    """Pipes, carets and CRLF; no REF*IA, no CSH, no FOB, no CTT; identifier pairs with
    a gap between them; a case line without PO4; a PO4 without a pack."""
    (transaction_set,) = own_sets("850-optional-segments-and-identifiers.edi")

    order = purchase_order_from_segments(transaction_set.segments)

    assert order.vendor_code is None
    assert order.backorder_allowed is False
    assert order.order_type is OrderType.RUSH
    assert (order.do_not_deliver_before, order.do_not_deliver_after) == (
        date(2026, 11, 25),
        date(2026, 11, 28),
    )
    assert order.ship_to == "TPA1"
    multi, cases, sample = order.lines
    assert multi.identifier == ProductIdentifier(IdentifierQualifier.EAN, "5012345678917")
    assert multi.other_identifiers == (
        ProductIdentifier(IdentifierQualifier.ASIN, "B0ABCDEF12"),
        ProductIdentifier(IdentifierQualifier.VENDOR_ITEM_NUMBER, "ACME-MUG-02"),
    )
    assert (cases.unit, cases.pack_size) == (UnitOfMeasure.CASE, None)
    assert sample.quantity == Decimal("1.5")
    assert sample.unit_cost == Decimal("0")
    assert sample.identifier == ProductIdentifier(IdentifierQualifier.VENDOR_PART_NUMBER, "ACME-SAMPLE")
    assert sample.other_identifiers == (ProductIdentifier(IdentifierQualifier.ISBN, "9780306406157"),)
    assert sample.pack_size is None


def test_segments_outside_the_map_are_ignored() -> None:
    order = translate(*HEADER, "FOB*CC", "PKG*F*68", GOOD_LINE, "PID*F****MUG", "DTM*002*20261130", "CTT*1*24")

    assert order.lines[0].identifier.value == "5012345678900"
    assert order.do_not_deliver_after == date(2026, 12, 1)  # the line's DTM does not move the window


def test_backorders_allowed_when_csh_says_y() -> None:
    header = [segment if segment != "CSH*N" else "CSH*Y" for segment in HEADER]

    assert translate(*header, GOOD_LINE).backorder_allowed is True


@pytest.mark.parametrize(
    ("body", "segment_number", "message"),
    [
        (
            [segment for segment in HEADER if not segment.startswith("BEG")] + [GOOD_LINE],
            3,
            "850 has no BEG segment",
        ),
        (
            [segment for segment in HEADER if not segment.startswith("N1")] + [GOOD_LINE],
            3,
            "850 has no N1*ST ship-to",
        ),
        (
            [segment for segment in HEADER if segment != "DTM*064*20261124"] + [GOOD_LINE],
            3,
            "850 has no DTM*064 do-not-deliver-before date",
        ),
        (
            [segment for segment in HEADER if segment != "DTM*063*20261201"] + [GOOD_LINE],
            3,
            "850 has no DTM*063 do-not-deliver-after date",
        ),
        (list(HEADER), 3, "850 has no PO1 line"),
        (
            ["BEG*00*NE*2XK7QP9M**20261340", *HEADER[1:], GOOD_LINE],
            4,
            "BEG05 order date '20261340' is not a valid date (CCYYMMDD)",
        ),
        (
            [*HEADER[:4], "DTM*063*2026121", HEADER[5], GOOD_LINE],
            8,
            "DTM02 do-not-deliver-after date '2026121' is not a valid date (CCYYMMDD)",
        ),
        (
            ["BEG*00*NE***20261120", *HEADER[1:], GOOD_LINE],
            4,
            "BEG03 PO number is missing",
        ),
        (
            ["BEG*99*NE*2XK7QP9M**20261120", *HEADER[1:], GOOD_LINE],
            4,
            "BEG01 purpose '99' is not one of 00, 01, 04, 05, 06, 07",
        ),
        ([*HEADER[:2], "CSH*SC", *HEADER[3:], GOOD_LINE], 6, "CSH01 back-order policy 'SC' is not Y or N"),
        ([*HEADER, GOOD_LINE, "PO1*2*1O*EA*12.50**EN*5012345678900"], 11, "PO102 quantity '1O' is not a decimal number"),
        ([*HEADER, "PO1*1*0*EA*12.50**EN*5012345678900"], 10, "PO102 quantity '0' must be greater than zero"),
        ([*HEADER, "PO1*1*-3*EA*12.50**EN*5012345678900"], 10, "PO102 quantity '-3' must be greater than zero"),
        ([*HEADER, "PO1*1*3*EA*1.2.3**EN*5012345678900"], 10, "PO104 unit cost '1.2.3' is not a decimal number"),
        ([*HEADER, "PO1*1*3*EA*-1.00**EN*5012345678900"], 10, "PO104 unit cost '-1.00' must not be negative"),
        ([*HEADER, "PO1*1*3*EA"], 10, "PO104 unit cost is missing"),
        ([*HEADER, "PO1*1*3*PL*1.00**EN*5012345678900"], 10, "PO103 unit 'PL' is not one of EA, CA"),
        ([*HEADER, "PO1*1*3*EA*1.00"], 10, "PO1 has no product identifier (PO106/PO107)"),
        ([*HEADER, "PO1*1*3*EA*1.00**SK*ABC"], 10, "PO106 product id qualifier 'SK' is not one of BP, EN, UP, IB, UK, VN, VP"),
        ([*HEADER, "PO1*1*3*EA*1.00**EN"], 10, "PO107 product id is missing"),
        ([*HEADER, "PO1**3*EA*1.00**EN*5012345678900"], 10, "PO101 line number is missing"),
        ([*HEADER, "PO1*1*3*CA*1.00**EN*5012345678900", "PO4*1X"], 11, "PO401 pack size '1X' is not a whole number"),
        ([*HEADER[:5], "PO4*12", HEADER[5], GOOD_LINE], 9, "PO4 outside a PO1 loop"),
    ],
)
def test_translation_errors_name_the_segment_and_what_is_wrong(
    body: list[str], segment_number: int, message: str
) -> None:
    error = translation_error(*body)

    assert (error.segment_number, error.reason) == (segment_number, message)


def test_a_set_that_is_not_an_850_is_refused() -> None:
    (change,) = amazon_sets("860-change.edi")

    with pytest.raises(TranslationError, match=r"segment 3 \(ST\): expected ST\*850, got ST\*860"):
        purchase_order_from_segments(change.segments)


def test_no_segments_at_all_is_refused() -> None:
    with pytest.raises(TranslationError, match="got no segments"):
        purchase_order_from_segments([])


# --- properties ------------------------------------------------------------------------

quantities = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999"), places=2)
costs = st.decimals(min_value=Decimal("0"), max_value=Decimal("999999.99"), places=2)
identifier_values = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-", min_size=1, max_size=30)
identifiers = st.builds(ProductIdentifier, st.sampled_from(IdentifierQualifier), identifier_values)
lines = st.builds(
    PurchaseOrderLine,
    line_number=st.integers(min_value=1, max_value=999999).map(str),
    quantity=quantities,
    unit=st.sampled_from(UnitOfMeasure),
    unit_cost=costs,
    identifier=identifiers,
    other_identifiers=st.lists(identifiers, max_size=3).map(tuple),
    pack_size=st.none() | st.integers(min_value=1, max_value=9999),
)


def po1_segments(line: PurchaseOrderLine, number: int) -> list[Segment]:
    pairs = [line.identifier, *line.other_identifiers]
    po1 = ["PO1", line.line_number, str(line.quantity), line.unit.value, str(line.unit_cost), ""]
    for identifier in pairs:
        po1 += [identifier.qualifier.value, identifier.value]
    segments = [Segment(tuple(po1), number)]
    if line.pack_size is not None:
        segments.append(Segment(("PO4", str(line.pack_size)), number + 1))
    return segments


@given(st.lists(lines, min_size=1, max_size=20))
def test_any_po1_lines_come_back_exactly_as_written(expected: list[PurchaseOrderLine]) -> None:
    header = one_set("PO", "850", *HEADER).segments[:-1]  # ST..N1, no SE
    segments = list(header)
    for line in expected:
        segments += po1_segments(line, len(segments) + 3)

    order = purchase_order_from_segments(segments)

    assert order.lines == tuple(expected)


@given(st.text(max_size=12))
def test_any_quantity_text_either_translates_or_raises_translation_error(quantity: str) -> None:
    """Whatever Amazon (or a broken file) puts in PO102, the caller sees a number or a
    TranslationError pointing at PO102, never another exception."""
    segments = one_set("PO", "850", *HEADER).segments[:-1]
    segments.append(Segment(("PO1", "1", quantity, "EA", "1.00", "", "EN", "5012345678900"), 10))

    try:
        order = purchase_order_from_segments(segments)
    except TranslationError as error:
        assert error.segment_number == 10
        assert error.reason.startswith("PO102 quantity")
    else:
        assert order.lines[0].quantity == Decimal(quantity) > 0


po1_elements = st.tuples(
    st.sampled_from(["1", ""]),
    st.sampled_from(["3", "0", "-3", "1O", "", "0.5", "-0"]),
    st.sampled_from(["EA", "CA", "PL", ""]),
    st.sampled_from(["12.50", "0", "-1.00", "1.2.3", ""]),
    st.sampled_from(["", "X"]),
    st.sampled_from(["EN", "SK", ""]),
    st.sampled_from(["5012345678900", ""]),
).map(lambda elements: ("PO1", *elements))


def _outcome(line: Callable[[Segment, Segment | None], object], po1: Segment,
             po4: Segment | None) -> object:
    try:
        return line(po1, po4)
    except TranslationError as error:
        return error.segment_number, error.reason


@given(po1_elements, st.sampled_from([None, "12", "1X", ""]))
def test_the_inline_po1_check_agrees_with_the_long_way(elements: tuple[str, ...], pack: str | None) -> None:
    """Amazon's usual 8-element PO1 is checked inline; any mix of faults gives the same line
    or the same first fault as the element-by-element check."""
    po1 = Segment(elements, 10)
    po4 = None if pack is None else Segment(("PO4", pack), 11)

    assert _outcome(_line, po1, po4) == _outcome(_checked_line, po1, po4)


@given(po1_elements, st.sampled_from([None, "12", "1X", ""]))
def test_a_po1_written_straight_to_json_is_the_json_of_its_line(elements: tuple[str, ...], pack: str | None) -> None:
    """``x12 to-json`` writes an 850's lines without making them: the same JSON as the
    line's, or the same first fault."""
    po1 = Segment(elements, 10)
    po4 = None if pack is None else Segment(("PO4", pack), 11)
    line = _outcome(_line, po1, po4)

    assert _outcome(_line_json, po1, po4) == (to_json_dict(line) if isinstance(line, PurchaseOrderLine) else line)


@pytest.mark.parametrize("name", ["850-single-po.edi", "850-several-pos-many-lines.edi", "850-cases-pack.edi",
                                  "850-backorder-allowed.edi", "850-unknown-identifiers.edi"])
def test_an_order_written_straight_to_json_is_the_json_of_the_order(name: str) -> None:
    for transaction_set in amazon_sets(name):
        assert purchase_order_json(transaction_set.segments) == to_json_dict(
            purchase_order_from_segments(transaction_set.segments))


def test_an_order_of_unusual_lines_written_straight_to_json_is_the_json_of_the_order() -> None:
    """Several identifiers on a line, optional segments: the lines that take the long way."""
    (transaction_set,) = own_sets("850-optional-segments-and-identifiers.edi")
    assert purchase_order_json(transaction_set.segments) == to_json_dict(
        purchase_order_from_segments(transaction_set.segments))


@pytest.mark.parametrize("body", [HEADER[1:], HEADER, HEADER + ("PO1*1*0*EA*1.00**EN*5012345678900",)])
def test_an_order_that_does_not_translate_fails_the_same_way_straight_to_json(body: tuple[str, ...]) -> None:
    """No BEG, no line, a line with nothing ordered: the same fault either way."""
    segments = one_set("PO", "850", *body).segments
    with pytest.raises(TranslationError) as as_document:
        purchase_order_from_segments(segments)
    with pytest.raises(TranslationError) as as_json:
        purchase_order_json(segments)
    assert str(as_json.value) == str(as_document.value)
