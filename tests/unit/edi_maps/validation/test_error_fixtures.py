"""Our own fixtures: one per AK3/AK4/AK5/AK9/TA1 code pyx12 can be made to report, and a
valid sample of every set we send. Each gives exactly the acknowledgment listed.

Codes pyx12 4.0.0 cannot produce against our maps, so no fixture: AK3 2 (pyx12 reports it
only for segments a map marks "not used"; ours mark none), AK3 6 and 7 (a segment out of
order or foreign to the set is reported as 1, see ak3-1-segment-out-of-order), AK4 12 and 13.
"""
from __future__ import annotations

import pytest

from tests.fixtures import VALIDATION_FIXTURES

from .conftest import acknowledgments, validate_file

ACCEPTED = {
    "valid-855-accept-backorder-reject.edi": [["AK1*PR*301", "AK2*855*3011", "AK5*A", "AK9*A*1*1*1"]],
    "valid-856-4010-pallet-cartons.edi": [["AK1*SH*302", "AK2*856*3021", "AK5*A", "AK9*A*1*1*1"]],
    "valid-856-5010-cartons.edi": [["AK1*SH*303", "AK2*856*3031", "AK5*A", "AK9*A*1*1*1"]],
    "valid-810-invoice.edi": [["AK1*IN*304", "AK2*810*3041", "AK5*A", "AK9*A*1*1*1"]],
    "valid-846-inventory.edi": [["AK1*IB*305", "AK2*846*3051", "AK5*A", "AK9*A*1*1*1"]],
}


def _rejected(group: str, set_id: str, *notes: str, ak5: str = "AK5*R*5") -> list[list[str]]:
    functional_id, number = group.split("*")
    return [[f"AK1*{group}", f"AK2*{set_id}*{number}001", *notes, ak5, "AK9*R*1*1*0"]]


REJECTED = {
    # AK3 segment codes
    "ak3-1-unrecognized-segment.edi": _rejected("PO*201", "850", "AK3*ZZZ*4**1"),
    "ak3-1-segment-out-of-order.edi": _rejected("PO*206", "850", "AK3*BEG*10*PO1*1"),
    "ak3-3-mandatory-segment-missing.edi": _rejected("PO*202", "850", "AK3*BEG*2**3"),
    "ak3-3-mandatory-loop-missing.edi": _rejected("PO*203", "850", "AK3*PO1*9*PO1*3"),
    "ak3-4-loop-over-max.edi": _rejected("PO*204", "850", "AK3*CTT*11*CTT*4"),
    "ak3-5-segment-over-max-use.edi": _rejected("PO*205", "850", "AK3*CUR*4**5"),
    # AK4 element codes
    "ak4-1-mandatory-element-missing.edi": _rejected("PO*211", "850", "AK3*BEG*2**8", "AK4*3*324*1"),
    "ak4-2-conditional-required-missing.edi": _rejected("PO*212", "850", "AK3*N1*8*N1*8", "AK4*3*66*2"),
    "ak4-3-too-many-elements.edi": _rejected("PO*213", "850", "AK3*BEG*2**8", "AK4*13**3*X"),
    "ak4-4-too-short.edi": _rejected("PO*214", "850", "AK3*N4*9*N1*8", "AK4*2*156*4*N"),
    "ak4-5-too-long.edi": _rejected(
        "PO*215", "850", "AK3*BEG*2**8", "AK4*3*324*5*2XK7QP9M2XK7QP9M2XK7QP9M"
    ),
    "ak4-6-invalid-character.edi": _rejected("PO*216", "850", "AK3*PO1*9*PO1*8", "AK4*2*330*6*2X"),
    "ak4-7-invalid-code.edi": _rejected("PO*217", "850", "AK3*CSH*5**8", "AK4*1*563*7*Q"),
    # The library note's trap: a bad qualifier on a segment's first element stays an
    # invalid code (AK4 7) and does not turn into "segment not found" (AK3 1).
    "ak4-7-invalid-qualifier-first-element.edi": _rejected("PO*218", "850", "AK3*DTM*6**8", "AK4*1*374*7*999"),
    "ak4-7-invalid-product-qualifier.edi": _rejected("PO*219", "850", "AK3*PO1*9*PO1*8", "AK4*6*235*7*ZZ"),
    "ak4-8-invalid-date.edi": _rejected("PO*220", "850", "AK3*DTM*6**8", "AK4*2*373*8*20260230"),
    "ak4-9-invalid-time.edi": _rejected("SH*221", "856", "AK3*BSN*2**8", "AK4*4*337*9*2561"),
    "ak4-10-exclusion-violated.edi": _rejected("IB*222", "846", "AK3*QTY*4*QTY*8", "AK4*2*380*10"),
    "ak4-composite-sub-element.edi": _rejected("PO*223", "850", "AK3*REF*10*PO1*8", "AK4*4>2*127*1"),
    "hl-out-of-sequence.edi": _rejected(
        "SH*224", "856",
        "AK3*HL*4*HL*8", "AK4*1*628*7*3",
        "AK3*HL*6*HL*8", "AK4*1*628*7*4",
        "AK3*HL*6*HL*8", "AK4*2*734*7*3",
    ),
    # AK5 set codes
    "ak5-2-se-missing.edi": [["AK1*PO*405", "AK2*850*4051", "AK5*R*2", "AK9*R*1*1*0"]],
    "ak5-3-st-se-control-mismatch.edi": _rejected("PO*231", "850", ak5="AK5*R*3"),
    "ak5-6-wrong-set-in-group.edi": _rejected("PO*232", "855", ak5="AK5*R*6"),
    "ak5-23-duplicate-set-number.edi": [
        ["AK1*PO*404", "AK2*850*4011", "AK5*A", "AK2*850*4011", "AK5*R*23", "AK9*P*2*2*1"]
    ],
    "ak5-1-unsupported-group.edi": [["AK1*AG*233", "AK2*824*233001", "AK5*R*1", "AK9*R*1*1*0*1"]],
    # AK9 group codes
    "ak9-2-unsupported-version.edi": [["AK1*PO*234", "AK2*850*234001", "AK5*R*1", "AK9*R*1*1*0*2"]],
    "ak9-4-ge-control-mismatch.edi": [["AK1*PO*402", "AK2*850*4011", "AK5*A", "AK9*R*1*1*1*4"]],
    "ak9-5-ge-count-wrong.edi": [["AK1*PO*401", "AK2*850*4011", "AK5*A", "AK9*R*2*1*1*5"]],
    "ak9-6-duplicate-group-number.edi": [
        ["AK1*PO*403", "AK2*850*4011", "AK5*A", "AK9*A*1*1*1"],
        ["AK1*PO*403", "AK2*850*4012", "AK5*A", "AK9*R*1*1*1*6"],
    ],
    # Envelope failures: a TA1 instead of 997s
    "ta1-001-iea-control-mismatch.edi": [["TA1*000000406*261120*0930*R*001"]],
    # ISA09 261340 is no date, so TA102 is today's (conftest.NOW), never a copy of it.
    "ta1-014-bad-interchange-date.edi": [["TA1*000000410*261130*0930*R*014"]],
    "ta1-020-bad-usage-indicator.edi": [["TA1*000000408*261120*0930*R*020"]],
    "ta1-021-iea-count-wrong.edi": [["TA1*000000407*261120*0930*R*021"]],
    "ta1-023-iea-missing.edi": [["TA1*000000409*261120*0930*R*023"]],
}


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in VALIDATION_FIXTURES.glob("*.edi")) == sorted({**ACCEPTED, **REJECTED})


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_valid_sample_validates_against_its_map(name: str) -> None:
    report = validate_file(VALIDATION_FIXTURES / name)
    assert report.is_valid, report.messages()
    assert acknowledgments(report) == ACCEPTED[name]


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_fixture_gives_its_acknowledgment(name: str) -> None:
    report = validate_file(VALIDATION_FIXTURES / name)
    assert not report.is_valid
    assert acknowledgments(report) == REJECTED[name]


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_every_finding_comes_with_a_message_naming_its_code(name: str) -> None:
    messages = validate_file(VALIDATION_FIXTURES / name).messages()
    assert messages
    assert all("code" in m or "note" in m for m in messages), messages


def test_segment_positions_count_from_st() -> None:
    """AK302 counts ST as 1; ``line`` is the segment's place in the whole payload."""
    report = validate_file(VALIDATION_FIXTURES / "ak4-4-too-short.edi")
    (error,) = report.interchanges[0].groups[0].sets[0].segment_errors
    assert (error.tag, error.position, error.line) == ("N4", 9, 11)
    (element,) = error.elements
    assert (element.position, element.data_element, element.code, element.bad_value) == (2, "156", "4", "N")
