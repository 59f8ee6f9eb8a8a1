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
    "997-accepts-855.edi": (True, [["AK1*FA*106", "AK2*997*1061", "AK5*A", "AK9*A*1*1*1"]]),
    "997-rejects-856.edi": (True, [["AK1*FA*107", "AK2*997*1071", "AK5*A", "AK9*A*1*1*1"]]),
    "820-remittance.edi": (True, [["AK1*RA*108", "AK2*820*1081", "AK5*A", "AK9*A*1*1*1"]]),
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
