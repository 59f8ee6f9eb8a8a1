"""Input that is not sound X12 gives a report with a reason, never an exception."""
from __future__ import annotations

import pytest

from edi_maps.functional_ack import build_ta1
from edi_maps.validation import validate_interchange

from tests.fixtures import AMAZON_FIXTURES

from .conftest import NOW


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "First line does not begin with 'ISA'"),
        (b"hello, this is not EDI", "First line does not begin with 'ISA'"),
        (b"\x00\xff\xfe binary", "First line does not begin with 'ISA'"),
        (b"ISA*00*   *00*", "ISA line is only"),
        # A whole, fixed-width ISA cut short before its segment terminator.
        ("ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEBRANDS     *261120*0930*U*00401*"
         "000000101*0*P*>", "ISA line is only 105 characters"),
    ],
)
def test_not_x12(payload: bytes | str, reason: str) -> None:
    report = validate_interchange(payload)
    assert not report.is_valid
    assert report.interchanges == []
    assert len(report.errors) == 1 and reason in report.errors[0]


def test_an_unsupported_version_is_refused_with_a_ta1() -> None:
    """pyx12 stops at an ISA12 it has no map for; the ISA still says whom to tell (note 017)."""
    report = validate_interchange("ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEBRANDS     *261120*"
                                  "0930*U*00300*000000101*0*P*>~GS*PO~")
    assert report.errors == ["Interchange 000000101 not validated past its ISA: ISA12 version 00300 is not supported"]
    ta1 = build_ta1(report.interchanges[0], when=NOW)
    assert ta1 is not None and ta1.elements == ["TA1", "000000101", "261120", "0930", "R", "017"]


def test_truncated_interchange_is_rejected_with_a_ta1() -> None:
    text = (AMAZON_FIXTURES / "850-single-po.edi").read_text()
    report = validate_interchange(text[: text.index("PO1*2")])
    assert not report.is_valid
    ta1 = build_ta1(report.interchanges[0], when=NOW)
    assert ta1 is not None and ta1.note_code == "023"


def test_garbled_st_that_loses_pyx12s_loop_stack_is_rejected_with_a_ta1() -> None:
    """pyx12's reader raises IndexError here; we report the interchange as invalid content."""
    text = (AMAZON_FIXTURES / "850-single-po.edi").read_text().replace("ST*850", "0ST*850")
    report = validate_interchange(text)
    assert not report.is_valid
    assert build_ta1(report.interchanges[0], when=NOW).note_code == "024"
    assert any("closes a loop that was never opened" in m for m in report.messages())


def test_bytes_that_are_not_utf8_are_an_invalid_character() -> None:
    data = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes().replace(b"N1*ST**92*RNO1", b"N1*ST*R\xe9NO*92*RNO1")
    report = validate_interchange(data)
    (error,) = report.interchanges[0].groups[0].sets[0].segment_errors
    assert (error.tag, [(e.position, e.code) for e in error.elements]) == ("N1", [(2, "6")])


def test_too_many_components_where_pyx12_would_crash() -> None:
    """pyx12 indexes past the composite's parts; we report AK4 code 3 on REF04."""
    text = (AMAZON_FIXTURES / "850-single-po.edi").read_text().replace(
        "REF*IA*ACMEB~", "REF*IA*ACMEB**ZZ>1>ZZ>2>ZZ>3>ZZ~"
    )
    report = validate_interchange(text)
    (error,) = report.interchanges[0].groups[0].sets[0].segment_errors
    assert (error.tag, error.code) == ("REF", "8")
    assert [(e.position, e.code) for e in error.elements] == [(4, "3")]
