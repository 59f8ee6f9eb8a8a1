"""Reading X12 element values into Python types, with errors that point at the segment.

Every translator goes through these helpers so that a bad date or quantity always ends
as a ``TranslationError`` naming the element (e.g. ``BEG05``) and the segment's position
in the interchange, never as a bare ``ValueError`` from deep inside ``datetime``.
They are written for speed (no regexes): an 850 with 10,000 lines passes every PO1
through them. :func:`number_text` goes the other way, for the outbound maps.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import NoReturn, TypeVar

from edi_maps.documents import IdentifierQualifier, ProductIdentifier
from edi_maps.x12.segment import Segment

CodeT = TypeVar("CodeT", bound=Enum)

_DECIMAL_CHARACTERS = frozenset("0123456789.-")

_QUALIFIERS = {qualifier.value: qualifier for qualifier in IdentifierQualifier}

# Texts already read as decimals: an order's quantities and costs repeat from line to line,
# and a Decimal is immutable, so one can stand for every line that has its text. Bounded,
# so a file of unique values cannot grow it.
_DECIMALS: dict[str, Decimal] = {}
_DECIMALS_KEPT = 4096


class TranslationError(ValueError):
    """A transaction set cannot be turned into a canonical document.

    ``segment_number`` is the segment's position in the interchange (ISA = 1), the
    number a person searches for in the file; it is 0 when unknown.
    """

    def __init__(self, message: str, segment: Segment | None = None) -> None:
        self.segment_number = segment.number if segment is not None else 0
        self.segment_tag = segment.tag if segment is not None else ""
        self.reason = message
        if segment is None:
            super().__init__(message)
        else:
            super().__init__(f"segment {segment.number} ({segment.tag}): {message}")


def transaction_set_header(segments: Iterator[Segment], set_id: str) -> Segment:
    """Take the ST that must open the set. Checked so that a caller handing a map the
    wrong set learns it at once instead of getting an empty document."""
    header = next(segments, None)
    if header is None:
        raise TranslationError(f"expected a {set_id} transaction set, got no segments")
    if header.tag != "ST" or header[1] != set_id:
        raise TranslationError(f"expected ST*{set_id}, got {header.tag}*{header[1]}", header)
    return header


def element_name(segment: Segment, index: int) -> str:
    """The element's name as the guides write it, e.g. ``PO102``."""
    return f"{segment.tag}{index:02d}"


def required_text(segment: Segment, index: int, what: str) -> str:
    elements = segment.elements
    value = elements[index] if index < len(elements) else ""
    if not value:
        raise TranslationError(f"{element_name(segment, index)} {what} is missing", segment)
    return value


def optional_text(segment: Segment, index: int) -> str | None:
    return segment[index] or None


def decimal_value(segment: Segment, index: int, what: str) -> Decimal:
    """An X12 ``R`` (decimal) element: digits, an optional point and leading minus."""
    elements = segment.elements
    value = elements[index] if index < len(elements) else ""
    number = _DECIMALS.get(value)
    if number is not None:
        return number
    if not value:
        raise TranslationError(f"{element_name(segment, index)} {what} is missing", segment)
    if _DECIMAL_CHARACTERS.issuperset(value):
        try:
            number = Decimal(value)
        except InvalidOperation:
            pass
        else:
            if len(_DECIMALS) < _DECIMALS_KEPT:
                _DECIMALS[value] = number
            return number
    raise TranslationError(
        f"{element_name(segment, index)} {what} {value!r} is not a decimal number", segment
    )


def optional_decimal(segment: Segment, index: int, what: str) -> Decimal | None:
    if not segment[index]:
        return None
    return decimal_value(segment, index, what)


def whole_number(segment: Segment, index: int, what: str) -> int:
    """An X12 ``N0`` element: digits only."""
    elements = segment.elements
    value = elements[index] if index < len(elements) else ""
    if not value:
        raise TranslationError(f"{element_name(segment, index)} {what} is missing", segment)
    if not (value.isascii() and value.isdigit()):
        raise TranslationError(
            f"{element_name(segment, index)} {what} {value!r} is not a whole number", segment
        )
    return int(value)


def optional_whole_number(segment: Segment, index: int, what: str) -> int | None:
    if not segment[index]:
        return None
    return whole_number(segment, index, what)


def x12_date(segment: Segment, index: int, what: str) -> date:
    """An X12 ``DT`` element in CCYYMMDD form (all Amazon 4010 sets use 8 digits)."""
    value = segment[index]
    if not value:
        raise TranslationError(f"{element_name(segment, index)} {what} is missing", segment)
    if len(value) == 8 and value.isascii() and value.isdigit():
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            pass
    raise TranslationError(
        f"{element_name(segment, index)} {what} {value!r} is not a valid date (CCYYMMDD)",
        segment,
    )


def optional_date(segment: Segment, index: int, what: str) -> date | None:
    if not segment[index]:
        return None
    return x12_date(segment, index, what)


def code(segment: Segment, index: int, code_set: type[CodeT], what: str) -> CodeT:
    """An X12 ``ID`` element whose code must belong to ``code_set``."""
    elements = segment.elements
    value = elements[index] if index < len(elements) else ""
    member: CodeT | None = _members(code_set).get(value)  # @cache erases CodeT to Any
    if member is None:
        _reject_code(value, code_set, element_name(segment, index), what, segment)
    return member


def first_component_code(
    segment: Segment, index: int, separator: str, code_set: type[CodeT], what: str
) -> CodeT | None:
    """The first component of a composite element (e.g. POC05-01), as a code, or
    ``None`` when the element is empty."""
    value = segment[index].split(separator, 1)[0]
    if not value:
        return None
    member: CodeT | None = _members(code_set).get(value)  # @cache erases CodeT to Any
    if member is None:
        _reject_code(value, code_set, f"{element_name(segment, index)}-01", what, segment)
    return member


@cache
def _members(code_set: type[CodeT]) -> dict[str, CodeT]:
    """Code -> member; a dict lookup is several times cheaper than ``code_set(value)``,
    which counts on 10,000-line orders."""
    return {member.value: member for member in code_set}


def _reject_code(value: str, code_set: type[Enum], name: str, what: str, segment: Segment) -> NoReturn:
    if not value:
        raise TranslationError(f"{name} {what} is missing", segment)
    allowed = ", ".join(member.value for member in code_set)
    raise TranslationError(f"{name} {what} {value!r} is not one of {allowed}", segment)


def product_identifiers(segment: Segment, first: int) -> tuple[ProductIdentifier, ...]:
    """The qualifier/value pairs from element ``first`` on (PO106/PO107, PO108/PO109...,
    or POC08/POC09...), skipping empty pairs, in the order sent."""
    elements = segment.elements
    if len(elements) == first + 2:  # a single pair, Amazon's usual line: skip the loop
        qualifier = _QUALIFIERS.get(elements[first])
        if qualifier is not None and elements[first + 1]:
            return (ProductIdentifier(qualifier, elements[first + 1]),)
    identifiers = []
    for index in range(first, len(elements), 2):
        if not elements[index] and not segment[index + 1]:
            continue
        qualifier = code(segment, index, IdentifierQualifier, "product id qualifier")
        value = required_text(segment, index + 1, "product id")
        identifiers.append(ProductIdentifier(qualifier, value))
    return tuple(identifiers)


def number_text(value: Decimal) -> str:
    """A decimal as an outbound X12 R/N0 value: no exponent, no trailing zeros after the
    point, no bare point (855 quantities and costs, 856 quantities and weights)."""
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
