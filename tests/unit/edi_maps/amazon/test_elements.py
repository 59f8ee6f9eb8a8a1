"""Element readers: every value either converts exactly or raises TranslationError."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from edi_maps.amazon.elements import TranslationError, decimal_value, whole_number, x12_date
from edi_maps.x12.segment import Segment


def dtm(value: str) -> Segment:
    return Segment(("DTM", "064", value), 7)


@given(st.dates(min_value=date(1000, 1, 1)))
def test_any_ccyymmdd_date_reads_back(expected: date) -> None:
    assert x12_date(dtm(expected.strftime("%Y%m%d")), 2, "date") == expected


@given(st.text(max_size=10))
def test_any_other_text_is_a_date_or_a_translation_error(value: str) -> None:
    try:
        parsed = x12_date(dtm(value), 2, "date")
    except TranslationError as error:
        assert (error.segment_number, error.segment_tag) == (7, "DTM")
        assert error.reason.startswith("DTM02 date")
    else:
        assert parsed.strftime("%Y%m%d") == value


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_decimals_in_x12_form_read_back(expected: Decimal) -> None:
    text = format(expected, "f")

    assert decimal_value(Segment(("PO1", "1", text)), 2, "quantity") == expected


@given(st.text(max_size=8))
@example("1e3")
@example("1_000")
@example(" 1")
@example("NaN")
@example("--1")
def test_any_text_is_a_decimal_or_a_translation_error(value: str) -> None:
    """Python's Decimal accepts more than X12 does ('1e3', '1_000', ' 1', 'NaN');
    the reader must not."""
    try:
        parsed = decimal_value(Segment(("PO1", "1", value)), 2, "quantity")
    except TranslationError as error:
        assert error.reason.startswith("PO102 quantity")
    else:
        assert set(value) <= set("0123456789.-")
        assert parsed.is_finite()


@given(st.text(max_size=6))
@example("١٢")  # Arabic-Indic digits: str.isdigit says yes, X12 says no
def test_any_text_is_a_whole_number_or_a_translation_error(value: str) -> None:
    try:
        parsed = whole_number(Segment(("PO4", value)), 1, "pack size")
    except TranslationError as error:
        assert error.reason.startswith("PO401 pack size")
    else:
        assert str(parsed) == value.lstrip("0") or (parsed == 0 and set(value) == {"0"})
