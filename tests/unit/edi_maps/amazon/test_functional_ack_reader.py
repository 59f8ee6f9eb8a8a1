"""Inbound 997 -> FunctionalAck, and the verdict in words."""
from __future__ import annotations

import pytest

from edi_maps.amazon import (
    TranslationError,
    describe_functional_ack,
    functional_ack_from_segments,
)
from edi_maps.documents import (
    AckCode,
    AckStatus,
    ElementError,
    FunctionalAck,
    SegmentError,
    SetAck,
)
from edi_maps.x12.codes import (
    ELEMENT_SYNTAX_ERRORS,
    GROUP_SYNTAX_ERRORS,
    SEGMENT_SYNTAX_ERRORS,
    SET_SYNTAX_ERRORS,
)

from .conftest import TransactionSet, amazon_sets, one_set, own_sets


def read(transaction_set: TransactionSet) -> FunctionalAck:
    return functional_ack_from_segments(transaction_set.segments, transaction_set.component_separator)


def test_accepting_997_marks_our_855_group_5001_accepted() -> None:
    ack = read(amazon_sets("997-accepts-855.edi")[0])

    assert ack == FunctionalAck(
        functional_id="PR",
        group_control_number=5001,
        status=AckStatus.ACCEPTED,
        sets_included=1,
        sets_received=1,
        sets_accepted=1,
        errors=(),
        sets=(SetAck("855", "50011", AckStatus.ACCEPTED, ()),),
    )
    assert ack.status.is_accepted and ack.sets[0].status.is_accepted
    assert describe_functional_ack(ack) == [
        "group PR (purchase order acknowledgements) 5001 accepted (1 sets included, 1 received, 1 accepted)",
        "set 855 50011 accepted",
    ]


def test_rejecting_997_marks_our_856_group_5002_rejected_with_the_bad_element() -> None:
    ack = read(amazon_sets("997-rejects-856.edi")[0])

    assert (ack.functional_id, ack.group_control_number, ack.status) == ("SH", 5002, AckStatus.REJECTED)
    assert (ack.sets_included, ack.sets_received, ack.sets_accepted) == (1, 1, 0)
    assert not ack.status.is_accepted
    assert ack.sets == (
        SetAck(
            set_id="856",
            control_number="50021",
            status=AckStatus.REJECTED,
            errors=(AckCode("5", "one or more segments in error"),),
            segment_errors=(
                SegmentError(
                    segment_id="MAN",
                    position=14,
                    loop_id="HL",
                    error=AckCode("8", "segment has data element errors"),
                    element_errors=(
                        ElementError(
                            position=2,
                            component_position=None,
                            data_element="88",
                            error=AckCode("7", "invalid code value"),
                            bad_value="XX",
                        ),
                    ),
                ),
            ),
        ),
    )


def test_rejecting_997_in_words() -> None:
    ack = read(amazon_sets("997-rejects-856.edi")[0])

    assert describe_functional_ack(ack) == [
        "group SH (ship notices) 5002 rejected (1 sets included, 1 received, 0 accepted)",
        "set 856 50021 rejected: one or more segments in error; segment MAN at position 14 "
        "in loop HL: segment has data element errors; element MAN02 (data element 88): "
        "invalid code value 'XX'",
    ]


def test_rejecting_997_marks_our_855_group_5005_rejected_with_each_bad_element() -> None:
    ack = read(amazon_sets("997-rejects-855.edi")[0])

    assert ack == FunctionalAck(
        functional_id="PR",
        group_control_number=5005,
        status=AckStatus.REJECTED,
        sets_included=1,
        sets_received=1,
        sets_accepted=0,
        errors=(),
        sets=(
            SetAck(
                set_id="855",
                control_number="50051",
                status=AckStatus.REJECTED,
                errors=(AckCode("5", "one or more segments in error"),),
                segment_errors=(
                    SegmentError(
                        segment_id="BAK",
                        position=2,
                        loop_id="",
                        error=AckCode("8", "segment has data element errors"),
                        element_errors=(ElementError(2, None, "587", AckCode("7", "invalid code value"), "AK"),),
                    ),
                    SegmentError(
                        segment_id="ACK",
                        position=9,
                        loop_id="PO1",
                        error=AckCode("8", "segment has data element errors"),
                        element_errors=(
                            ElementError(1, None, "668", AckCode("7", "invalid code value"), "XX"),
                            ElementError(5, None, "373", AckCode("8", "invalid date"), "20261131"),
                        ),
                    ),
                ),
            ),
        ),
    )
    assert describe_functional_ack(ack) == [
        "group PR (purchase order acknowledgements) 5005 rejected (1 sets included, 1 received, 0 accepted)",
        "set 855 50051 rejected: one or more segments in error; segment BAK at position 2: segment has "
        "data element errors; element BAK02 (data element 587): invalid code value 'AK'; segment ACK at "
        "position 9 in loop PO1: segment has data element errors; element ACK01 (data element 668): "
        "invalid code value 'XX'; element ACK05 (data element 373): invalid date '20261131'",
    ]


def test_partially_accepted_group_with_composite_positions_and_several_notes() -> None:
    ack = read(own_sets("997-partially-accepts-810.edi")[0])

    assert (ack.functional_id, ack.group_control_number, ack.status) == (
        "IN",
        5003,
        AckStatus.PARTIALLY_ACCEPTED,
    )
    accepted, rejected, with_errors = ack.sets
    assert accepted == SetAck("810", "50031", AckStatus.ACCEPTED, ())
    assert rejected.status is AckStatus.REJECTED
    item, totals = rejected.segment_errors
    assert item.element_errors == (
        ElementError(3, 1, "355", AckCode("7", "invalid code value"), "ZZ"),
        ElementError(1, None, "", AckCode("1", "mandatory data element missing"), ""),
    )
    assert totals == SegmentError("TDS", 9, "", AckCode("3", "mandatory segment missing"))
    assert with_errors.status is AckStatus.ACCEPTED_WITH_ERRORS
    assert with_errors.status.is_accepted
    assert describe_functional_ack(ack) == [
        "group IN (invoices) 5003 partially accepted (at least one set rejected) "
        "(3 sets included, 3 received, 2 accepted)",
        "set 810 50031 accepted",
        "set 810 50032 rejected: one or more segments in error; segment IT1 at position 6 in "
        "loop IT1: segment has data element errors; element IT103-01 (data element 355): "
        "invalid code value 'ZZ'; element IT101: mandatory data element missing; "
        "segment TDS at position 9: mandatory segment missing",
        "set 810 50033 accepted with errors: segment DTM at position 4: segment has data "
        "element errors; element DTM02 (data element 373): invalid date '20261340'",
    ]


def test_group_level_errors_and_unknown_codes_are_kept_in_words() -> None:
    ack = read(own_sets("997-rejects-846-group.edi")[0])

    assert ack.group_control_number == 5004  # AK102 0005004: numeric, zeros do not count
    assert ack.errors == (
        AckCode("5", "number of included transaction sets does not match actual count (GE01)"),
        AckCode("99", "unknown error code '99'"),
    )
    assert ack.sets[0].errors == (
        AckCode("4", "number of included segments does not match actual count (SE01)"),
        AckCode("3", "transaction set control number in header and trailer do not match (ST02, SE02)"),
    )
    assert describe_functional_ack(ack) == [
        "group IB (inventory advice) 5004 rejected (2 sets included, 1 received, 0 accepted): "
        "number of included transaction sets does not match actual count (GE01); unknown error code '99'",
        "set 846 50041 rejected: number of included segments does not match actual count (SE01); "
        "transaction set control number in header and trailer do not match (ST02, SE02)",
    ]


@pytest.mark.parametrize(
    ("table", "codes"),
    [
        (SEGMENT_SYNTAX_ERRORS, [str(code) for code in range(1, 9)]),
        (ELEMENT_SYNTAX_ERRORS, [str(code) for code in [*range(1, 11), 12, 13]]),
        (SET_SYNTAX_ERRORS, [str(code) for code in [*range(1, 14), *range(15, 18), *range(23, 28)]]),
        (GROUP_SYNTAX_ERRORS, [str(code) for code in [*range(1, 7), *range(10, 20), *range(23, 27)]]),
    ],
)
def test_code_tables_cover_the_x12_code_lists(table: dict[str, str], codes: list[str]) -> None:
    assert sorted(table, key=int) == codes
    assert all(meaning and meaning == meaning.strip() for meaning in table.values())


@pytest.mark.parametrize(
    ("ak3", "ak4", "expected"),
    [
        ("AK3*N1*7*N1*1", None, "segment N1 at position 7 in loop N1: unrecognized segment ID"),
        ("AK3*PO1*9**7", None, "segment PO1 at position 9: segment not in proper sequence"),
        ("AK3*REF*5", None, "segment REF at position 5"),
        ("AK3*BSN*4**8", "AK4*3*373*8*2026", "element BSN03 (data element 373): invalid date '2026'"),
        ("AK3*BSN*4**8", "AK4*4*337*9*2561", "element BSN04 (data element 337): invalid time '2561'"),
        ("AK3*REF*5**8", "AK4*2*127*5*" + "X" * 31, "element REF02 (data element 127): data element too long"),
        ("AK3*CUR*5**8", "AK4*3**10", "element CUR03: exclusion condition violated"),
        ("AK3*SLN*5**8", "AK4*9>3*234*13", "element SLN09-03 (data element 234): too many components"),
    ],
)
def test_each_note_is_decoded(ak3: str, ak4: str | None, expected: str) -> None:
    notes = [ak3] if ak4 is None else [ak3, ak4]
    ack = read(one_set("FA", "997", "AK1*SH*7", "AK2*856*71", *notes, "AK5*R*5", "AK9*R*1*1*0"))

    (sentence,) = describe_functional_ack(ack)[1:]
    assert expected in sentence


@pytest.mark.parametrize(
    ("body", "segment_number", "message"),
    [
        (["AK2*856*71", "AK5*A", "AK9*A*1*1*1"], 3, "997 has no AK1 segment"),
        (["AK1*SH*7", "AK2*856*71", "AK5*A"], 3, "997 has no AK9 segment"),
        (["AK1*SH*7", "AK2*856*71", "AK2*856*72", "AK5*A", "AK9*A*2*2*2"], 6, "AK2 for set 71 has no AK5"),
        (["AK1*SH*7", "AK2*856*71", "AK9*R*1*1*0"], 5, "AK2 for set 71 has no AK5"),
        (["AK1*SH*7", "AK3*MAN*14*HL*8", "AK9*R*1*1*0"], 5, "AK3 outside an AK2 loop"),
        (["AK1*SH*7", "AK2*856*71", "AK4*2*88*7*XX", "AK5*R*5", "AK9*R*1*1*0"], 6, "AK4 outside an AK3 loop"),
        (["AK1*SH*7", "AK5*R", "AK9*R*1*1*0"], 5, "AK5 without an AK2"),
        (["AK1*SH*7", "AK2*856*71", "AK5*Q", "AK9*R*1*1*0"], 6, "AK501 transaction set acknowledgment code 'Q' is not one of A, E, P, R, M, W, X"),
        (["AK1*SH*G7", "AK9*R*1*1*0"], 4, "AK102 group control number 'G7' is not a whole number"),
        (["AK1*SH*7", "AK9*R*1*one*0"], 5, "AK903 number of received transaction sets 'one' is not a whole number"),
        (["AK1*SH*7", "AK2*856*71", "AK3*MAN*x*HL*8", "AK5*R*5", "AK9*R*1*1*0"], 6, "AK302 segment position 'x' is not a whole number"),
        (["AK1*SH*7", "AK2*856*71", "AK3*MAN*14*HL*8", "AK4*B*88*7", "AK5*R*5", "AK9*R*1*1*0"], 7, "AK401 position in segment 'B' is not a number"),
        (["AK1*SH*7", "AK2*856*71", "AK3*MAN*14*HL*8", "AK4*2*88", "AK5*R*5", "AK9*R*1*1*0"], 7, "AK403 data element syntax error code is missing"),
    ],
)
def test_broken_997_raises_translation_error(body: list[str], segment_number: int, message: str) -> None:
    with pytest.raises(TranslationError) as raised:
        read(one_set("FA", "997", *body))

    assert (raised.value.segment_number, raised.value.reason) == (segment_number, message)
