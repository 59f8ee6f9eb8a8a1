"""A TA1 is valid X12 whatever the ISA it refuses held: no invalid ISA09/ISA10 copied, every
element of its type and length, its envelope addressable, and our own validator (pyx12 with
our maps) and reader accept the interchange it travels in."""
from __future__ import annotations

import io

import pytest

from edi_maps.functional_ack import build_ta1, reply_envelope
from edi_maps.validation import InterchangeResult, validate_interchange
from edi_maps.x12.delimiters import Delimiters
from edi_maps.x12.errors import X12WriteError
from edi_maps.x12.reader import X12Reader
from edi_maps.x12.writer import Envelope, write_ta1_interchange

from tests.fixtures import AMAZON_FIXTURES, VALIDATION_FIXTURES

from .conftest import NOW

SAMPLE = (AMAZON_FIXTURES / "850-single-po.edi").read_text()
ISA = SAMPLE[: SAMPLE.index("~") + 1]
# ISA06 and ISA08 padded as sent; what each case below changes of them.
SENDER, RECEIVER = "*ZZ*AMAZON         *", "*ZZ*ACMEBRANDS     *"


def refused(old: str, new: str) -> InterchangeResult:
    """The only interchange of the single-PO sample with ``old`` in its ISA replaced by ``new``."""
    assert old in ISA
    (interchange,) = validate_interchange(SAMPLE.replace(ISA, ISA.replace(old, new))).interchanges
    assert interchange.ta1_note_code is not None, "the variant must be refused"
    return interchange


def ta1_text(interchange: InterchangeResult, fallback: Envelope | None = None,
             delimiters: Delimiters = Delimiters()) -> str:
    ta1 = build_ta1(interchange, when=NOW)
    assert ta1 is not None
    return write_ta1_interchange(reply_envelope(interchange, fallback), 7, ta1.elements, delimiters=delimiters,
                                 when=NOW)


def assert_valid_x12(text: str) -> list[str]:
    """Our validator and our reader accept ``text``; returns the TA1's elements."""
    report = validate_interchange(text)
    assert report.is_valid, report.messages()
    reader = X12Reader(io.StringIO(text))
    segments = list(reader)
    assert reader.errors == []
    assert [segment.tag for segment in segments] == ["ISA", "TA1", "IEA"]
    return list(segments[1].elements)


@pytest.mark.parametrize(("old", "new", "date", "time", "note"), [
    ("*261120*0930*", "*261340*0930*", "261130", "0930", "014"),  # no 40th of the 13th month: today's date
    ("*261120*0930*", "*261120*2561*", "261120", "1200", "015"),  # no 25:61: the time now
    ("*261120*0930*", "*261340*2561*", "261130", "1200", "014"),
    ("*261120*0930*", "*26-120*0930*", "261130", "0930", "014"),
])
def test_an_invalid_isa09_or_isa10_is_never_copied(old, new, date, time, note):
    elements = assert_valid_x12(ta1_text(refused(old, new)))
    assert elements == ["TA1", "000000101", date, time, "R", note]


def test_an_unpadded_isa_gets_a_valid_ta1_naming_the_sender_id():
    interchange = validate_interchange((AMAZON_FIXTURES / "850-bad-isa-width.edi").read_bytes()).interchanges[0]
    text = ta1_text(interchange, delimiters=Delimiters(element="|", segment="\n"))
    assert text.split("\n")[0].startswith("ISA|00|          |00|          |ZZ|ACMEBRANDS     |ZZ|AMAZON         |")
    assert assert_valid_x12(text) == ["TA1", "000000117", "261120", "0930", "R", "006"]


def test_a_short_control_number_is_the_same_number_in_nine_digits():
    """ISA13 '117' (unpadded) is interchange 000000117: TA101 is N0 9/9."""
    unpadded = (AMAZON_FIXTURES / "850-bad-isa-width.edi").read_text().replace("*000000117*", "*117*")
    interchange = validate_interchange(unpadded).interchanges[0]
    assert [issue.code for issue in interchange.issues] == ["006", "008", "018"]
    assert assert_valid_x12(ta1_text(interchange))[1] == "000000117"


def test_an_unreadable_control_number_gets_no_ta1():
    interchange = refused("*000000101*", "*00000A101*")
    with pytest.raises(X12WriteError, match="TA101: ISA13 '00000A101' is not a 1-9 digit interchange control number"):
        build_ta1(interchange, when=NOW)


def test_a_blank_sender_id_cannot_be_answered_without_knowing_the_partner():
    interchange = refused(SENDER, "*ZZ*               *")
    with pytest.raises(X12WriteError, match=r"ISA08 \(Envelope.receiver_id\) value ''"):
        ta1_text(interchange)
    partner = Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON")
    text = ta1_text(interchange, fallback=partner)
    assert "*ZZ*AMAZON         *" in text.split("~")[0]
    assert assert_valid_x12(text)[5] == "006"


@pytest.mark.parametrize(("old", "new", "isa_field", "expected"), [
    (SENDER, "*Z1*AMAZON         *", 7, "ZZ"),  # ISA05 Z1 is not a qualifier (note 005)
    (RECEIVER, "*ZZ*               *", 6, "ACMEBRANDS     "),  # a blank ISA08: our id from the fallback
    ("*0*P*>~", "*0*X*>~", 15, "T"),  # ISA15 X is no usage indicator (note 020)
])
def test_a_field_an_isa_cannot_carry_is_taken_from_the_fallback(old, new, isa_field, expected):
    interchange = refused(old, new)
    fallback = Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON", usage_indicator="T")
    text = ta1_text(interchange, fallback=fallback)
    assert text.split("~")[0].split("*")[isa_field] == expected
    assert_valid_x12(text)


@pytest.mark.parametrize("path", sorted(
    [*VALIDATION_FIXTURES.glob("ta1-*.edi"), AMAZON_FIXTURES / "850-iea-missing.edi",
     AMAZON_FIXTURES / "850-bad-isa-width.edi"]), ids=lambda path: path.name)
def test_every_refused_sample_gets_a_ta1_that_is_valid_x12(path):
    (interchange,) = validate_interchange(path.read_bytes()).interchanges
    elements = assert_valid_x12(ta1_text(interchange))
    assert elements[1] == interchange.control_number and elements[4:] == ["R", interchange.ta1_note_code]
