"""The Amazon samples (tests/fixtures/amazon) validate, or fail, exactly as their README
says, and the 997 we would send names the right AK3/AK4/AK5/AK9 codes."""
from __future__ import annotations

import pytest

from tests.fixtures import AMAZON_FIXTURES

from .conftest import acknowledgments, validate_file

EXPECTED = {
    "850-single-po.edi": (True, [["AK1*PO*101", "AK2*850*1011", "AK5*A", "AK9*A*1*1*1"]]),
    "850-three-pos-one-line.edi": (
        True,
        [["AK1*PO*102", "AK2*850*1021", "AK5*A", "AK2*850*1022", "AK5*A", "AK2*850*1023", "AK5*A", "AK9*A*3*3*3"]],
    ),
    "850-invalid-codes.edi": (
        False,
        [["AK1*PO*103", "AK2*850*1031", "AK3*BEG*2**8", "AK4*2*92*7*ZZ", "AK4*5*373*8*20261340", "AK5*R*5",
          "AK9*R*1*1*0"]],
    ),
    "850-bad-se-count.edi": (False, [["AK1*PO*104", "AK2*850*1041", "AK5*R*4", "AK9*R*1*1*0"]]),
    "860-change.edi": (True, [["AK1*PC*105", "AK2*860*1051", "AK5*A", "AK9*A*1*1*1"]]),
    "997-accepts-855.edi": (True, []),  # valid; a 997 is never acknowledged
    "997-rejects-856.edi": (True, []),  # valid; a 997 is never acknowledged
    "820-remittance.edi": (True, [["AK1*RA*108", "AK2*820*1081", "AK5*A", "AK9*A*1*1*1"]]),
    "850-several-pos-many-lines.edi": (
        True,
        [["AK1*PO*109", "AK2*850*1091", "AK5*A", "AK2*850*1092", "AK5*A", "AK2*850*1093", "AK5*A", "AK9*A*3*3*3"]],
    ),
    "850-cases-pack.edi": (True, [["AK1*PO*110", "AK2*850*1101", "AK5*A", "AK9*A*1*1*1"]]),
    "850-backorder-allowed.edi": (True, [["AK1*PO*111", "AK2*850*1111", "AK5*A", "AK9*A*1*1*1"]]),
    # Identifiers missing from the catalogue are the business's question, not X12's.
    "850-unknown-identifiers.edi": (True, [["AK1*PO*112", "AK2*850*1121", "AK5*A", "AK9*A*1*1*1"]]),
    "860-cancel-line.edi": (True, [["AK1*PC*113", "AK2*860*1131", "AK5*A", "AK9*A*1*1*1"]]),
    "997-rejects-855.edi": (True, []),  # valid; a 997 is never acknowledged
    "two-groups-850-860.edi": (
        True,
        [["AK1*PO*115", "AK2*850*1151", "AK5*A", "AK9*A*1*1*1"], ["AK1*PC*116", "AK2*860*1161", "AK5*A", "AK9*A*1*1*1"]],
    ),
    # Envelope faults: the set is sound, the group or interchange around it is not.
    "850-bad-ge-count.edi": (False, [["AK1*PO*119", "AK2*850*1191", "AK5*A", "AK9*R*2*1*1*5"]]),
    "850-iea-missing.edi": (False, [["TA1*000000118*261120*0930*R*023"]]),
    # ISA06 and ISA08 unpadded: pyx12 cannot read it, but split at its separators the ISA
    # still names the sender and ISA13, so it is refused with a TA1 naming the first fault.
    "850-bad-isa-width.edi": (False, [["TA1*000000117*261120*0930*R*006"]]),
}


def test_every_amazon_sample_has_an_expectation() -> None:
    assert sorted(p.name for p in AMAZON_FIXTURES.glob("*.edi")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_amazon_sample(name: str) -> None:
    valid, acks = EXPECTED[name]
    report = validate_file(AMAZON_FIXTURES / name)
    assert report.is_valid is valid, report.messages()
    assert bool(report.messages()) is not valid
    assert acknowledgments(report) == acks


def test_invalid_codes_messages_name_segment_element_and_code() -> None:
    messages = validate_file(AMAZON_FIXTURES / "850-invalid-codes.edi").messages()
    assert any("BEG02" in m and "ZZ" in m and "AK4 code 7" in m for m in messages), messages
    assert any("BEG05" in m and "20261340" in m and "AK4 code 8" in m for m in messages), messages
    assert any("BEG at position 2" in m and "AK3 code 8" in m for m in messages), messages


def test_bad_se_count_message() -> None:
    messages = validate_file(AMAZON_FIXTURES / "850-bad-se-count.edi").messages()
    assert messages == [
        "Group PO 104, set 850 1041: SE count of 12 for SE02=1041 is wrong. I count 11 "
        "[AK5 code 4: number of included segments does not match actual count (SE01)]"
    ]


def test_bad_ge_count_message() -> None:
    messages = validate_file(AMAZON_FIXTURES / "850-bad-ge-count.edi").messages()
    assert messages == [
        "Group PO 119: GE count of 2 for GE02=119 is wrong. I count 1 "
        "[AK9 code 5: number of included transaction sets does not match actual count (GE01)]"
    ]


def test_missing_iea_message() -> None:
    messages = validate_file(AMAZON_FIXTURES / "850-iea-missing.edi").messages()
    assert messages == [
        'Interchange 000000118: Mandatory segment "Interchange Control Trailer" (IEA=000000118) missing '
        "[TA1 note 023: interchange ends early: IEA missing]"
    ]


def test_an_unpadded_isa_is_refused_at_each_field_that_is_wrong() -> None:
    (interchange,) = validate_file(AMAZON_FIXTURES / "850-bad-isa-width.edi").interchanges
    assert (interchange.control_number, interchange.sender_id, interchange.receiver_id) == (
        "000000117", "AMAZON", "ACMEBRANDS")
    assert [issue.code for issue in interchange.issues] == ["006", "008"]
    assert interchange.issues[0].message == (
        "ISA06 'AMAZON' has 6 characters, the standard fixes 15 [TA1 note 006: invalid sender ID (ISA06)]")
    assert interchange.groups == [], "nothing after a broken ISA is read"


def test_an_unpadded_isa_is_reported_at_the_field_that_is_wrong() -> None:
    (error,) = validate_file(AMAZON_FIXTURES / "850-bad-isa-width.edi").errors
    assert "ISA06" in error and "Version Number" not in error, error
