"""The writer: exact output, computed counts, and a refusal naming the field for bad values."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
import pyx12.x12file

from edi_maps.x12.reader import X12Reader
from edi_maps.x12.writer import (
    Delimiters,
    Envelope,
    FunctionalGroup,
    TransactionSet,
    X12WriteError,
    write_interchange,
    write_ta1_interchange,
)

WHEN = datetime(2026, 11, 20, 10, 5)
US = Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON")
ACK_855 = TransactionSet(
    "855",
    "50011",
    [
        ["BAK", "00", "AC", "2XK7QP9M", "20261120"],
        ["PO1", "1", "24", "EA", "12.50", "", "EN", "5012345678900", "", ""],
        ["ACK", "IA", "24", "EA", "068", "20261124"],
        ["CTT", "1"],
    ],
)


def group(*sets: TransactionSet, control_number: int = 5001, functional_id: str = "PR") -> FunctionalGroup:
    return FunctionalGroup(functional_id, "ACMEBRANDS", "AMAZON", control_number, "004010", list(sets))


def write(*groups: FunctionalGroup, envelope: Envelope = US, control_number: int = 5001, **options) -> str:
    return write_interchange(envelope, control_number, list(groups), when=WHEN, **options)


def body(*segments: list) -> FunctionalGroup:
    return group(TransactionSet("855", "0001", list(segments)))


def test_exact_output_of_an_855():
    assert write(group(ACK_855), delimiters=Delimiters(suffix="\n")) == (
        "ISA*00*          *00*          *ZZ*ACMEBRANDS     *ZZ*AMAZON         *261120*1005*U*00401*000005001*0*P*>~\n"
        "GS*PR*ACMEBRANDS*AMAZON*20261120*1005*5001*X*004010~\n"
        "ST*855*50011~\n"
        "BAK*00*AC*2XK7QP9M*20261120~\n"
        "PO1*1*24*EA*12.50**EN*5012345678900~\n"
        "ACK*IA*24*EA*068*20261124~\n"
        "CTT*1~\n"
        "SE*6*50011~\n"
        "GE*1*5001~\n"
        "IEA*1*000005001~\n"
    )


def test_isa_is_106_characters_whatever_the_ids():
    for sender in ("A", "ACMEBRANDS", "X" * 15):
        text = write(group(ACK_855), envelope=Envelope("01", sender, "12", "AMAZON"), control_number=7)
        isa = text.split("~")[0] + "~"
        assert len(isa) == 106
        assert isa[3] == "*" and isa[104] == ">"
        assert isa.split("*")[6] == sender.ljust(15)
        assert isa.split("*")[13] == "000000007"


def test_counts_across_several_groups_and_sets():
    second = TransactionSet("855", "50012", [["BAK", "00", "AD", "3MZQ81RT", "20261120"]])
    invoice = TransactionSet("810", "60011", [["BIG", "20261201", "INV-1001"], ["TDS", "125000"]])
    text = write(group(ACK_855, second), group(invoice, control_number=6001, functional_id="IN"))
    segments = text.split("~")[:-1]

    assert [s for s in segments if s.startswith(("SE", "GE", "IEA"))] == [
        "SE*6*50011",
        "SE*3*50012",
        "GE*2*5001",
        "SE*4*60011",
        "GE*1*6001",
        "IEA*2*000005001",
    ]


def test_trailing_empty_elements_and_components_are_left_out_middle_ones_kept():
    text = write(body(["REF", "", "X", "", ""], ["TD5", ("A", "", "C", "", ""), ""], ["N1", ("", ""), "", "92", "RNO1"]))
    assert "~REF**X~TD5*A>>C~N1***92*RNO1~" in text


def test_00501_writes_its_repetition_separator_in_isa11():
    text = write(
        group(ACK_855),
        envelope=Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON", version="00501"),
        delimiters=Delimiters(element="|", component=":", segment="\n", repetition="^"),
    )
    isa = text.split("\n")[0]
    assert isa.split("|")[11:13] == ["^", "00501"]
    assert isa[104] == ":" and text[105] == "\n"


def test_letter_u_is_plain_data_in_00401():
    text = write(body(["REF", "U^U", "UNIT"]))
    assert "~REF*U^U*UNIT~" in text


def test_output_passes_pyx12s_envelope_checks():
    """An independent reader agrees on every count and control number we wrote."""
    second = TransactionSet("855", "50012", [["BAK", "00", "AD", "3MZQ81RT", "20261120"]])
    text = write(group(ACK_855, second), group(ACK_855, control_number=5002), delimiters=Delimiters(suffix="\r\n"))
    reader = pyx12.x12file.X12Reader(io.StringIO(text))
    assert sum(1 for _ in reader) == 21
    reader.cleanup()
    assert reader.pop_errors() == []


@pytest.mark.parametrize(
    ("segment", "options", "message"),
    [
        (["PO1", "1", "", "", "", "", "VN", "A*B"], {}, "PO1-07 value 'A*B' contains the element separator '*'"),
        (["PO1", "1", ("VN", "A>B")], {}, "PO1-02-2 value 'A>B' contains the component separator '>'"),
        (["MSG", "END~"], {}, "MSG-01 value 'END~' contains the segment terminator '~'"),
        (["MSG", "a|b"], {"delimiters": Delimiters(element="|")}, "MSG-01 value 'a|b' contains the element separator '|'"),
        (["MSG", "a\nb"], {}, "MSG-01 value 'a\\nb' contains the control character '\\n'"),
        (["MSG", "a\rb"], {}, "MSG-01 value 'a\\rb' contains the control character '\\r'"),
        (["MSG", "a\x00"], {}, "MSG-01 value 'a\\x00' contains the control character '\\x00'"),
        (["PO1", "1", 24], {}, "PO1-02 value 24 is not text"),
        (["PO1", "1", None], {}, "PO1-02 value None is not text"),
        (
            ["MSG", "2^3"],
            {
                "envelope": Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON", version="00501"),
                "delimiters": Delimiters(repetition="^"),
            },
            "MSG-01 value '2^3' contains the repetition separator '^'",
        ),
    ],
)
def test_values_holding_a_delimiter_are_refused_naming_the_field(segment, options, message):
    with pytest.raises(X12WriteError) as raised:
        write(body(["BAK", "00", "AC", "PO1", "20261120"], segment), **options)
    assert str(raised.value) == f"{message} (transaction set 855 0001, body segment 2)"


@pytest.mark.parametrize(
    ("envelope", "message"),
    [
        (Envelope("ZZ", "X" * 16, "ZZ", "AMAZON"), "ISA06 (Envelope.sender_id) value 'XXXXXXXXXXXXXXXX' must be 1-15 characters"),
        (Envelope("ZZ", "", "ZZ", "AMAZON"), "ISA06 (Envelope.sender_id) value '' must be 1-15 characters"),
        (Envelope("ZZ", " ACME", "ZZ", "AMAZON"), "ISA06 (Envelope.sender_id) value ' ACME' must be 1-15 characters"),
        (Envelope("ZZ", "ACME*", "ZZ", "AMAZON"), "ISA06 (Envelope.sender_id) value 'ACME*' contains the element separator '*'"),
        (Envelope("Z", "ACME", "ZZ", "AMAZON"), "ISA05 (Envelope.sender_qualifier) value 'Z' must be exactly 2 characters"),
        (Envelope("ZZ", "ACME", "ZZZ", "AMAZON"), "ISA07 (Envelope.receiver_qualifier) value 'ZZZ' must be exactly 2"),
        (Envelope("ZZ", "ACME", "ZZ", "AMAZON.COM.RETAIL"), "ISA08 (Envelope.receiver_id) value 'AMAZON.COM.RETAIL' must be"),
        (Envelope("ZZ", "ACME", "ZZ", "AMAZON~"), "ISA08 (Envelope.receiver_id) value 'AMAZON~' contains the segment terminator"),
        (Envelope("ZZ", "ACME", "ZZ", "AMAZON", ack_requested="2"), "ISA14 (Envelope.ack_requested) value '2' must be one of 0, 1"),
        (Envelope("ZZ", "ACME", "ZZ", "AMAZON", usage_indicator="X"), "ISA15 (Envelope.usage_indicator) value 'X' must be one of P, T, I"),
        (Envelope("ZZ", "ACME", "ZZ", "AMAZON", version="4010"), "ISA12 (Envelope.version) '4010' is not a 5-digit control version"),
    ],
)
def test_bad_envelope_fields_are_refused(envelope, message):
    with pytest.raises(X12WriteError) as raised:
        write(group(ACK_855), envelope=envelope)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("control_number", "message"),
    [
        (0, "ISA13 (interchange control number) 0 is outside 1-999999999"),
        (-5, "ISA13 (interchange control number) -5 is outside 1-999999999"),
        (1_000_000_000, "ISA13 (interchange control number) 1000000000 is outside 1-999999999"),
        ("17", "ISA13 (interchange control number) '17' is not an integer"),
        (True, "ISA13 (interchange control number) True is not an integer"),
    ],
)
def test_interchange_control_number_range(control_number, message):
    with pytest.raises(X12WriteError) as raised:
        write(group(ACK_855), control_number=control_number)
    assert str(raised.value) == message


def test_largest_control_numbers_fit():
    text = write(group(ACK_855, control_number=999_999_999), control_number=999_999_999)
    assert text.endswith("GE*1*999999999~IEA*1*999999999~")


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ([], "an interchange needs at least one functional group"),
        ([group()], "functional group 5001 has no transaction sets"),
        ([group(ACK_855, control_number=0)], "GS06 (FunctionalGroup.control_number) 0 is outside 1-999999999"),
        ([group(ACK_855), group(ACK_855)], "GS06 5001 is used by two groups of one interchange"),
        ([group(ACK_855, ACK_855)], "ST02 '50011' is used by two sets of functional group 5001"),
        ([group(ACK_855, functional_id="pr")], "GS01 (FunctionalGroup.functional_id) 'pr' is not a 2-letter code"),
        ([group(TransactionSet("85", "0001", [["BAK", "00"]]))], "ST01 (TransactionSet.code) '85' is not a 3-digit"),
        ([group(TransactionSet("855", "001", [["BAK", "00"]]))], "ST02 (TransactionSet.control_number) '001' is not 4-9"),
        ([group(TransactionSet("855", "1234567890", [["BAK", "00"]]))], "ST02 (TransactionSet.control_number) '1234567890'"),
        ([group(TransactionSet("855", "00 1", [["BAK", "00"]]))], "ST02 (TransactionSet.control_number) '00 1' is not"),
        ([body(["SE", "5", "0001"])], "body segment 1 of transaction set 855 0001: SE is written by the writer itself"),
        ([body(["po1", "1"])], "body segment 1 of transaction set 855 0001: 'po1' is not a segment tag"),
        ([body(["PO1X", "1"])], "body segment 1 of transaction set 855 0001: 'PO1X' is not a segment tag"),
        ([body([])], "body segment 1 of transaction set 855 0001 has no tag"),
        ([body(["PO4", "", ("", "")])], "segment PO4 has no data: every element is empty (transaction set 855 0001, body"),
    ],
)
def test_bad_groups_and_sets_are_refused(groups, message):
    with pytest.raises(X12WriteError) as raised:
        write(*groups)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("delimiters", "version", "message"),
    [
        (Delimiters(element="A"), "00401", "'A' cannot be the element separator: it would be read as data"),
        (Delimiters(component="1"), "00401", "'1' cannot be the component separator"),
        (Delimiters(segment=" "), "00401", "' ' cannot be the segment terminator"),
        (Delimiters(element="\t"), "00401", "'\\t' cannot be the element separator"),
        (Delimiters(element="**"), "00401", "the element separator must be one character, not '**'"),
        (Delimiters(component="*"), "00401", "'*' cannot be both the element separator and the component separator"),
        (Delimiters(segment=">"), "00401", "'>' cannot be both the component separator and the segment terminator"),
        (Delimiters(repetition="^"), "00401", "version 00401 has no repetition separator"),
        (Delimiters(repetition="U"), "00501", "version 00501 needs a repetition separator in ISA11"),
        (Delimiters(repetition="~"), "00501", "'~' cannot be both the segment terminator and the repetition separator"),
        (Delimiters(suffix=" "), "00401", "Delimiters.suffix ' ' may hold only CR and LF"),
        (Delimiters(segment="\n", suffix="\n"), "00401", "Delimiters.suffix '\\n' may hold only CR and LF, and not"),
    ],
)
def test_unusable_delimiters_are_refused(delimiters, version, message):
    envelope = Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON", version=version)
    with pytest.raises(X12WriteError) as raised:
        write(group(ACK_855), envelope=envelope, delimiters=delimiters)
    assert str(raised.value).startswith(message)


def test_ta1_interchange_travels_alone_and_reads_back_clean():
    text = write_ta1_interchange(US, 9, ["TA1", "000000104", "261120", "0930", "R", "001"], when=WHEN)
    assert text.endswith("~TA1*000000104*261120*0930*R*001~IEA*0*000000009~")
    reader = X12Reader(io.StringIO(text))
    located = list(reader.located())
    assert reader.errors == []
    assert [(segment.tag, location.group) for segment, location in located] == [
        ("ISA", None),
        ("TA1", None),
        ("IEA", None),
    ]


def test_ta1_interchange_takes_only_a_ta1():
    with pytest.raises(X12WriteError) as raised:
        write_ta1_interchange(US, 9, ["AK1", "PO", "1"], when=WHEN)
    assert str(raised.value) == "expected a TA1 segment, got ['AK1']"
