"""Helpers for the translation tests: X12 text in, one list of segments per set out.

The segments come from the real streaming reader, so the maps are tested with what they
will get in production, segment numbers included.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from edi_maps.x12.reader import X12Reader
from edi_maps.x12.segment import Segment
from tests.fixtures import AMAZON_FIXTURES, TRANSLATION_FIXTURES

ISA = (
    "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEBRANDS     "
    "*261120*0930*U*00401*000000900*0*P*>~"
)


@dataclass(frozen=True)
class TransactionSet:
    segments: list[Segment]
    component_separator: str


def read_sets(text: str) -> list[TransactionSet]:
    """Every ST..SE of ``text``, in order."""
    sets: list[TransactionSet] = []
    current: list[Segment] | None = None
    for segment, location in X12Reader(io.StringIO(text)).located():
        if segment.tag == "ST":
            current = []
            sets.append(TransactionSet(current, location.interchange.delimiters.component))
        if current is not None:
            current.append(segment)
        if segment.tag == "SE":
            current = None
    return sets


def amazon_sets(name: str) -> list[TransactionSet]:
    """The sets of one of the Amazon samples (tests/fixtures/amazon)."""
    return read_sets((AMAZON_FIXTURES / name).read_text())


def own_sets(name: str) -> list[TransactionSet]:
    """The sets of one of the translation tests' own edge cases (tests/fixtures/translation)."""
    return read_sets((TRANSLATION_FIXTURES / name).read_text())


def interchange(functional_id: str, set_id: str, *body: str) -> str:
    """A one-set interchange in Amazon's delimiters around ``body`` (segments without
    terminators), so a test shows only the segments it is about. ST is segment 3, so
    the first body segment is segment 4."""
    segments = [f"ST*{set_id}*0001", *body, f"SE*{len(body) + 2}*0001"]
    return "".join(
        [
            ISA,
            f"GS*{functional_id}*AMAZON*ACMEBRANDS*20261120*0930*900*X*004010~",
            *(f"{segment}~" for segment in segments),
            "GE*1*900~IEA*1*000000900~",
        ]
    )


def one_set(functional_id: str, set_id: str, *body: str) -> TransactionSet:
    (transaction_set,) = read_sets(interchange(functional_id, set_id, *body))
    return transaction_set
