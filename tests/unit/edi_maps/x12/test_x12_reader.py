"""The reader on real-looking samples: segments, locations and envelope faults."""
from __future__ import annotations

import io

import pytest

from edi_maps.x12.delimiters import Delimiters
from edi_maps.x12.errors import EnvelopeError, ErrorCode, X12SyntaxError
from edi_maps.x12.reader import X12Reader
from tests.fixtures import AMAZON_FIXTURES, X12_FIXTURES

AMAZON_EXPECTED = {
    # file: (segments, [(set control number, AK5 code)])
    "820-remittance.edi": (18, []),
    "850-bad-se-count.edi": (15, [("1041", "4")]),
    "850-invalid-codes.edi": (15, []),  # bad codes are validation's business, not the envelope's
    "850-single-po.edi": (18, []),
    "850-three-pos-one-line.edi": (39, []),
    "860-change.edi": (10, []),
    "997-accepts-855.edi": (10, []),
    "997-rejects-856.edi": (12, []),
    "850-several-pos-many-lines.edi": (52, []),
    "850-cases-pack.edi": (22, []),
    "850-backorder-allowed.edi": (18, []),
    "850-unknown-identifiers.edi": (20, []),
    "860-cancel-line.edi": (9, []),
    "997-rejects-855.edi": (15, []),
    "two-groups-850-860.edi": (23, []),
}
# Samples whose envelope is broken above the set: every error, exactly.
AMAZON_ENVELOPE_FAULTS = {
    "850-bad-ge-count.edi": (15, [
        EnvelopeError(
            code=ErrorCode.GE_SET_COUNT,
            message="GE01 is '2' but functional group 119 has 1 transaction sets",
            interchange_control_number="000000119",
            group_control_number="119",
            set_control_number=None,
            segment_number=14,
            segment_tag="GE",
            ak9_code="5",
        )
    ]),
    "850-iea-missing.edi": (16, [
        EnvelopeError(
            code=ErrorCode.IEA_MISSING,
            message="the data ends before the IEA of interchange 000000118",
            interchange_control_number="000000118",
            group_control_number=None,
            set_control_number=None,
            segment_number=17,
            segment_tag=None,
            ta1_code="023",
        )
    ]),
}
# Samples that are not X12 the reader can read: the one clean error it raises.
AMAZON_NOT_READABLE = {
    "850-bad-isa-width.edi": "the ISA segment must be exactly 106 characters with fixed-width fields: "
                             "ISA06 'AMAZON' has 6 characters, the standard fixes 15",
}


@pytest.mark.parametrize("name", sorted(AMAZON_EXPECTED))
def test_amazon_sample_envelope(read, name):
    segment_count, set_errors = AMAZON_EXPECTED[name]
    located, errors = read((AMAZON_FIXTURES / name).read_bytes())

    assert len(located) == segment_count
    assert [segment.number for segment, _ in located] == list(range(1, segment_count + 1))
    assert located[0][0].tag == "ISA" and located[-1][0].tag == "IEA"
    assert [(error.set_control_number, error.ak5_code) for error in errors] == set_errors


def test_amazon_samples_cover_every_file():
    assert {path.name for path in AMAZON_FIXTURES.glob("*.edi")} == {
        *AMAZON_EXPECTED, *AMAZON_ENVELOPE_FAULTS, *AMAZON_NOT_READABLE}


@pytest.mark.parametrize("name", sorted(AMAZON_ENVELOPE_FAULTS))
def test_amazon_sample_envelope_fault(read, name):
    segment_count, expected = AMAZON_ENVELOPE_FAULTS[name]
    located, errors = read((AMAZON_FIXTURES / name).read_bytes())

    assert [segment.number for segment, _ in located] == list(range(1, segment_count + 1))
    assert errors == expected


def test_an_isa_without_its_padding_is_one_clean_error(read):
    """A sender that trims ISA06 to 'AMAZON' shifts every later field of the fixed-width ISA."""
    name = "850-bad-isa-width.edi"
    with pytest.raises(X12SyntaxError) as raised:
        read((AMAZON_FIXTURES / name).read_bytes())

    assert str(raised.value) == AMAZON_NOT_READABLE[name]


def test_two_groups_in_one_interchange_keep_their_own_envelopes(read):
    located, errors = read((AMAZON_FIXTURES / "two-groups-850-860.edi").read_bytes())
    groups = {}
    for segment, location in located:
        if location.transaction_set is not None:
            group = (location.group.functional_id, location.group.control_number, location.group.version)
            groups.setdefault(group, []).append((location.transaction_set.code, location.transaction_set.control_number))

    assert errors == []
    assert {group: sorted(set(sets)) for group, sets in groups.items()} == {
        ("PO", "115", "004010"): [("850", "1151")],
        ("PC", "116", "004010"): [("860", "1161")],
    }
    assert {location.interchange.control_number for _, location in located} == {"000000115"}
    assert [segment.elements for segment, _ in located if segment.tag in ("GE", "IEA")] == [
        ("GE", "1", "115"), ("GE", "1", "116"), ("IEA", "2", "000000115")]


def test_several_pos_sample_cuts_into_three_sets_of_their_own_lengths(read):
    located, _ = read((AMAZON_FIXTURES / "850-several-pos-many-lines.edi").read_bytes())
    lengths = {}
    for segment, location in located:
        if location.transaction_set is not None:
            key = location.transaction_set.control_number
            lengths[key] = lengths.get(key, 0) + 1

    assert lengths == {"1091": 17, "1092": 16, "1093": 15}  # what each SE01 says


def test_bad_se_count_error_is_fully_located(read):
    _, errors = read((AMAZON_FIXTURES / "850-bad-se-count.edi").read_text())

    assert errors == [
        EnvelopeError(
            code=ErrorCode.SE_SEGMENT_COUNT,
            message="SE01 is '12' but transaction set 1041 has 11 segments (ST to SE)",
            interchange_control_number="000000104",
            group_control_number="104",
            set_control_number="1041",
            segment_number=13,
            segment_tag="SE",
            ak5_code="4",
        )
    ]
    assert errors[0].level == "set"
    assert str(errors[0]) == "segment 13 (SE): SE01 is '12' but transaction set 1041 has 11 segments (ST to SE)"


def test_segments_carry_the_envelope_a_997_needs(read):
    located, _ = read((AMAZON_FIXTURES / "850-three-pos-one-line.edi").read_text())
    sets = {}
    for segment, location in located:
        if location.transaction_set is not None:
            sets.setdefault(location.transaction_set.control_number, []).append(segment.tag)

    assert list(sets) == ["1021", "1022", "1023"]
    assert sets["1022"][0] == "ST" and sets["1022"][-1] == "SE"
    assert len(sets["1022"]) == 13
    segment, location = located[3]  # BEG of the first PO
    assert segment.elements == ("BEG", "00", "NE", "3MZQ81RT", "", "20261120")
    assert (location.group.functional_id, location.group.control_number, location.group.version) == (
        "PO",
        "102",
        "004010",
    )
    assert (location.transaction_set.code, location.transaction_set.control_number) == ("850", "1021")
    header = location.interchange
    assert (header.control_number, header.sender_id, header.receiver_id, header.version) == (
        "000000102",
        "AMAZON",
        "ACMEBRANDS",
        "00401",
    )
    assert header.delimiters == Delimiters("*", ">", "~", "U", "")


def test_envelope_segments_belong_to_the_envelope_they_open_or_close(read):
    located, _ = read((X12_FIXTURES / "clean.edi").read_text())
    where = {
        segment.tag: (
            location.group and location.group.control_number,
            location.transaction_set and location.transaction_set.control_number,
        )
        for segment, location in located
    }
    assert where == {
        "ISA": (None, None),
        "GS": ("201", None),
        "ST": ("201", "2011"),
        "BEG": ("201", "2011"),
        "PO1": ("201", "2011"),
        "CTT": ("201", "2011"),
        "SE": ("201", "2011"),
        "GE": ("201", None),
        "IEA": (None, None),
    }


def test_line_per_segment_suffix_is_read_as_the_partners_choice(read):
    located, _ = read((AMAZON_FIXTURES / "850-single-po.edi").read_text())
    assert located[0][1].interchange.delimiters.suffix == "\n"
    assert located[1][0].elements[0] == "GS"


# fixture: [(code, TA1, AK9, AK5, interchange, group, set, segment number, segment tag)]
OWN_EXPECTED = {
    "clean.edi": [],
    "iea-control-mismatch.edi": [
        (ErrorCode.IEA_CONTROL_MISMATCH, "001", None, None, "000000201", None, None, 9, "IEA")
    ],
    "iea-group-count.edi": [(ErrorCode.IEA_GROUP_COUNT, "021", None, None, "000000201", None, None, 9, "IEA")],
    "ge-control-mismatch.edi": [
        (ErrorCode.GE_CONTROL_MISMATCH, None, "4", None, "000000201", "201", None, 8, "GE")
    ],
    "ge-set-count.edi": [(ErrorCode.GE_SET_COUNT, None, "5", None, "000000201", "201", None, 8, "GE")],
    "se-control-mismatch.edi": [
        (ErrorCode.SE_CONTROL_MISMATCH, None, None, "3", "000000201", "201", "2011", 7, "SE")
    ],
    "se-segment-count.edi": [(ErrorCode.SE_SEGMENT_COUNT, None, None, "4", "000000201", "201", "2011", 7, "SE")],
    "se-missing.edi": [(ErrorCode.SE_MISSING, None, None, "2", "000000201", "201", "2011", 7, "GE")],
    "ge-missing.edi": [(ErrorCode.GE_MISSING, None, "3", None, "000000201", "201", None, 8, "IEA")],
    "iea-missing.edi": [(ErrorCode.IEA_MISSING, "023", None, None, "000000201", None, None, 9, None)],
    "trailers-missing.edi": [
        (ErrorCode.SE_MISSING, None, None, "2", "000000201", "201", "2011", 6, None),
        (ErrorCode.GE_MISSING, None, "3", None, "000000201", "201", None, 6, None),
        (ErrorCode.IEA_MISSING, "023", None, None, "000000201", None, None, 6, None),
    ],
    "truncated-segment.edi": [
        (ErrorCode.TRUNCATED, "023", None, None, "000000201", "201", "2011", 6, "CTT"),
        (ErrorCode.SE_MISSING, None, None, "2", "000000201", "201", "2011", 6, None),
        (ErrorCode.GE_MISSING, None, "3", None, "000000201", "201", None, 6, None),
        (ErrorCode.IEA_MISSING, "023", None, None, "000000201", None, None, 6, None),
    ],
    "st-outside-group.edi": [(ErrorCode.OUTSIDE_GROUP, "024", None, None, "000000201", None, None, 2, "ST")],
    "segments-outside-set.edi": [  # reported once for the run of two REF segments
        (ErrorCode.OUTSIDE_SET, "024", None, None, "000000201", "201", None, 3, "REF")
    ],
    "isa13-invalid.edi": [(ErrorCode.ISA13_INVALID, "018", None, None, "00000020A", None, None, 1, "ISA")],
    "gs06-invalid.edi": [(ErrorCode.GS06_INVALID, None, "6", None, "000000201", "2X1", None, 2, "GS")],
    "st01-invalid.edi": [(ErrorCode.ST01_INVALID, None, None, "6", "000000201", "201", "2011", 3, "ST")],
    "st02-invalid.edi": [(ErrorCode.ST02_INVALID, None, None, "7", "000000201", "201", "201", 3, "ST")],
    "second-group-bad-count.edi": [
        (ErrorCode.GE_SET_COUNT, None, "5", None, "000000201", "202", None, 13, "GE")
    ],
    "two-interchanges.edi": [],
    "iea-missing-before-next-isa.edi": [
        (ErrorCode.IEA_MISSING, "023", None, None, "000000201", None, None, 9, "ISA")
    ],
    "data-between-interchanges.edi": [
        (ErrorCode.OUTSIDE_INTERCHANGE, "024", None, None, None, None, None, None, "GS")
    ],
}


@pytest.mark.parametrize("name", sorted(OWN_EXPECTED))
def test_own_fixture_envelope_errors(read, name):
    _, errors = read((X12_FIXTURES / name).read_bytes())

    assert [
        (
            error.code,
            error.ta1_code,
            error.ak9_code,
            error.ak5_code,
            error.interchange_control_number,
            error.group_control_number,
            error.set_control_number,
            error.segment_number,
            error.segment_tag,
        )
        for error in errors
    ] == OWN_EXPECTED[name]
    assert all(error.message and "\n" not in error.message for error in errors)


def test_envelope_fixtures_cover_every_file():
    assert {path.name for path in X12_FIXTURES.glob("*.edi")} == set(OWN_EXPECTED)


def test_messages_say_what_is_wrong_in_words(read):
    messages = {
        name: [error.message for error in read((X12_FIXTURES / name).read_text())[1]]
        for name in ("ge-set-count.edi", "se-missing.edi", "iea-control-mismatch.edi", "truncated-segment.edi")
    }
    assert messages["ge-set-count.edi"] == ["GE01 is '2' but functional group 201 has 1 transaction sets"]
    assert messages["se-missing.edi"] == ["transaction set 2011 (850) has no SE trailer (GE found at segment 7)"]
    assert messages["iea-control-mismatch.edi"] == ["IEA02 '000000299' does not match ISA13 '000000201'"]
    assert messages["truncated-segment.edi"][0] == "the data ends inside a segment: 'CTT*1*2' has no segment terminator '~'"


def test_two_interchanges_with_different_delimiters(read):
    located, errors = read((X12_FIXTURES / "two-interchanges.edi").read_bytes())

    assert errors == []
    first = [segment for segment, location in located if location.interchange.control_number == "000000201"]
    second = [segment for segment, location in located if location.interchange.control_number == "000000202"]
    assert len(first) == 9 and len(second) == 10
    assert [segment.number for segment in second] == list(range(1, 11))  # numbering restarts per interchange
    assert second[4].elements == ("PO1", "1", "3", "CA", "40.00", "", "UP", "012345678905")
    assert located[0][1].interchange.delimiters == Delimiters("*", ">", "~", "U", "")
    assert located[-1][1].interchange.delimiters == Delimiters("|", "^", "\n", "U", "")


def test_missing_iea_does_not_swallow_the_next_interchange(read):
    located, _ = read((X12_FIXTURES / "iea-missing-before-next-isa.edi").read_text())
    tags = [(location.interchange.control_number, segment.tag) for segment, location in located]
    assert tags[7:10] == [("000000201", "GE"), ("000000202", "ISA"), ("000000202", "GS")]
    assert tags[-1] == ("000000202", "IEA")


def test_data_between_interchanges_is_skipped_not_yielded(read):
    located, errors = read((X12_FIXTURES / "data-between-interchanges.edi").read_text())
    assert [segment.tag for segment, _ in located].count("ISA") == 2
    assert len(located) == 18
    assert "interchange 000000201" in errors[0].message


def test_segments_outside_a_set_are_still_yielded(read):
    located, _ = read((X12_FIXTURES / "segments-outside-set.edi").read_text())
    refs = [(segment.number, location.transaction_set) for segment, location in located if segment.tag == "REF"]
    assert refs == [(3, None), (4, None)]


ISA_401 = "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEBRANDS     *261120*0930*U*00401*000000301*0*P*>~"
BODY = [
    "GS*PO*AMAZON*ACMEBRANDS*20261120*0930*301*X*004010",
    "ST*850*3011",
    "PO1*1*2*EA*1.00**EN*5012345678900",
    "SE*3*3011",
    "GE*1*301",
    "IEA*1*000000301",
]


def _variant(element: str, component: str, terminator: str, suffix: str, repetition: str = "U") -> str:
    """The same small interchange written with other delimiters (its values hold none of them)."""
    version = "00501" if repetition != "U" else "00401"
    isa = ISA_401.replace("*U*00401*", f"*{repetition}*{version}*").replace(">~", component + terminator)
    lines = [isa.replace("*", element)] + [line.replace("*", element) + terminator for line in BODY]
    return suffix.join(lines) + suffix


@pytest.mark.parametrize(
    ("element", "component", "terminator", "suffix", "repetition"),
    [
        ("*", ">", "~", "", "U"),
        ("*", ">", "~", "\n", "U"),
        ("*", ">", "~", "\r\n", "U"),
        ("|", "^", "~", "", "U"),
        ("|", "^", "\n", "", "U"),
        ("*", ":", "\n", "", "U"),
        ("^", "\\", "'", "\r\n", "U"),
        ("*", ":", "~", "\n", "^"),  # 00501 with a repetition separator
        ("\x1d", "\x1f", "\x1c", "", "U"),  # non-printable separators some translators use
    ],
)
def test_delimiter_variants(read, element, component, terminator, suffix, repetition):
    text = _variant(element, component, terminator, suffix, repetition)
    for data in (text, text.encode("latin-1")):
        located, errors = read(data)

        assert errors == []
        assert [segment.tag for segment, _ in located] == ["ISA", "GS", "ST", "PO1", "SE", "GE", "IEA"]
        assert located[3][0].elements == ("PO1", "1", "2", "EA", "1.00", "", "EN", "5012345678900")
        assert located[0][1].interchange.delimiters == Delimiters(element, component, terminator, repetition, suffix)


def test_whitespace_after_terminators_is_tolerated_anywhere(read):
    text = _variant("*", ">", "~", "")
    text = text.replace("~GS", "~ \r\n\tGS").replace("~PO1", "~\n\nPO1")
    located, errors = read(text)
    assert errors == []
    assert [segment.tag for segment, _ in located] == ["ISA", "GS", "ST", "PO1", "SE", "GE", "IEA"]


def test_byte_order_mark_and_leading_blank_lines_are_skipped(read):
    located, errors = read(b"\xef\xbb\xbf\r\n" + _variant("*", ">", "~", "\n").encode())
    assert errors == [] and len(located) == 7


def test_ta1_belongs_in_the_interchange_not_in_a_group(read):
    ta1 = "TA1*000000104*261120*0930*R*001~"
    alone, alone_errors = read(ISA_401 + ta1 + "IEA*0*000000301~")
    in_group, group_errors = read(_variant("*", ">", "~", "").replace("ST*850", ta1 + "ST*850"))

    assert alone_errors == [] and [segment.tag for segment, _ in alone] == ["ISA", "TA1", "IEA"]
    assert [(error.code, error.segment_number, error.segment_tag) for error in group_errors] == [
        (ErrorCode.OUTSIDE_SET, 3, "TA1")
    ]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 105, 106, 107, 4096])
def test_chunk_boundaries_anywhere_give_the_same_segments(chunk_size):
    data = (X12_FIXTURES / "two-interchanges.edi").read_bytes() + (X12_FIXTURES / "se-missing.edi").read_bytes()
    whole = X12Reader(io.BytesIO(data))
    expected = list(whole)
    chunked = X12Reader(io.BytesIO(data), chunk_size=chunk_size)

    assert list(chunked) == expected
    assert chunked.errors == whole.errors
    assert len(expected) == 27
