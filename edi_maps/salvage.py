"""What a refused interchange still says: which sets and which purchase orders it carries.

An interchange refused at envelope level is neither validated nor translated (its ISA may
not even be fixed-width), yet ops must know which POs the partner believes it sent: each
is an order no one will acknowledge unless a person acts. This reads the raw text
tolerantly instead: split at the delimiters its ISA declares (found by the element
separator, character 4, so an unpadded ISA will do), it keeps every ST01 and every PO
number, element 324 (BEG03 of an 850, BCH03 of an 860), whatever the envelope around them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from edi_maps.x12.errors import X12SyntaxError
from edi_maps.x12.reader import WHITESPACE, split_isa

# The segments whose third element is the purchase order number (data element 324, AN 1/22).
_PO_NUMBER_SEGMENTS = ("BEG", "BCH")
PO_NUMBER_MAX_LENGTH = 22


@dataclass
class Carried:
    """What one interchange (by its ISA13 as sent, padding removed) carries."""

    control_number: str
    set_ids: list[str] = field(default_factory=list)  # ST01s, each once, in order
    po_numbers: list[str] = field(default_factory=list)  # each once, in order


def carried(data: bytes | str) -> list[Carried]:
    """Every interchange in ``data`` with its set ids and PO numbers, as far as they can be
    read; an empty list when the data does not start with an ISA that can be split.

    A value is kept only if it can be what it claims: a PO number of 1-22 printable
    characters, a set id of three digits.
    """
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    text = text.lstrip(WHITESPACE + "\ufeff")
    try:
        _, terminator = split_isa(text)
    except X12SyntaxError:
        return []
    if not terminator:
        return []
    separator = text[3]
    found: list[Carried] = []
    for raw in text.split(terminator):
        values = [value.strip() for value in raw.lstrip(WHITESPACE).split(separator)]
        tag = values[0]
        if tag == "ISA" and len(values) > 13:
            found.append(Carried(values[13]))
        elif not found or len(values) < 2:
            continue
        elif tag == "ST" and len(values[1]) == 3 and values[1].isdigit():
            _add(found[-1].set_ids, values[1])
        elif tag in _PO_NUMBER_SEGMENTS and len(values) > 3 and _is_po_number(values[3]):
            _add(found[-1].po_numbers, values[3])
    return found


def _is_po_number(value: str) -> bool:
    return 1 <= len(value) <= PO_NUMBER_MAX_LENGTH and value.isprintable()


def _add(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)
