"""Property: whatever a validation finds, the 997 we build from it, written with our
writer in any sensible delimiters, validates against our own 997 map."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi_maps.functional_ack import build_ack_groups, reply_envelope
from edi_maps.validation import (
    ElementFinding,
    GroupResult,
    InterchangeResult,
    Issue,
    SegmentFinding,
    SetResult,
    validate_interchange,
)
from edi_maps.x12.delimiters import Delimiters
from edi_maps.x12.writer import write_interchange

from tests.fixtures import AMAZON_FIXTURES

AK304 = ["1", "2", "3", "4", "5", "6", "7", "8"]
AK403 = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
AK502 = ["1", "2", "3", "4", "6", "7", "23"]
AK905 = ["1", "2", "3", "4", "5", "6"]

# Echoed control values are as the inbound segments had them; free text (the bad value
# copy) can be anything.
tags = st.from_regex(r"[A-Z][A-Z0-9]{1,2}", fullmatch=True)
digits = st.integers(min_value=1, max_value=999_999_999).map(str)

element_errors = st.builds(
    ElementFinding,
    position=st.integers(1, 99),
    component=st.none() | st.integers(1, 99),
    data_element=st.sampled_from(["", "92", "373", "C001", "I12", "12345"]),
    code=st.sampled_from(AK403),
    bad_value=st.text(max_size=150),
    message=st.just(""),
)
segment_errors = st.builds(
    SegmentFinding,
    tag=tags | st.text(max_size=5),
    position=st.integers(1, 999_999),
    loop_id=st.sampled_from(["", "PO1", "N1", "HL", "CTT"]),
    code=st.sampled_from(AK304),
    message=st.just(""),
    line=st.integers(1, 10**6),
    elements=st.lists(element_errors, max_size=4).map(tuple),
)
sets = st.builds(
    SetResult,
    set_id=st.sampled_from(["850", "860", "820", "855", "856"]),
    control_number=st.from_regex(r"[0-9A-Z]{4,9}", fullmatch=True),
    issues=st.lists(st.builds(Issue, code=st.sampled_from(AK502), message=st.just("")), max_size=7),
    segment_errors=st.lists(segment_errors, max_size=4),
)
groups = st.builds(
    GroupResult,
    functional_id=st.sampled_from(["PO", "PC", "RA", "PR", "SH", "IN", "IB", "AG"]),
    control_number=digits,
    version=st.just("004010"),
    application_sender=st.just("AMAZON"),
    application_receiver=st.just("ACMEBRANDS"),
    sets=st.lists(sets, max_size=4).map(lambda ss: list({s.control_number: s for s in ss}.values())),
    issues=st.lists(st.builds(Issue, code=st.sampled_from(AK905), message=st.just("")), max_size=7),
    sets_included=st.integers(0, 999_999),
)
DELIMITERS = {  # X12 version -> delimiter choices seen with partners
    "004010": [Delimiters(), Delimiters(element="|", component="^", segment="\n"), Delimiters(component=":")],
    "005010": [Delimiters(repetition="^"), Delimiters(element="|", component=":", segment="\n", repetition="^")],
}


def _interchange(group_list: list[GroupResult]) -> InterchangeResult:
    return InterchangeResult("000000001", "ZZ", "AMAZON", "ZZ", "ACMEBRANDS", "261120", "0930", "00401", "P", group_list)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), version=st.sampled_from(sorted(DELIMITERS)))
def test_any_997_we_build_validates_against_our_997_map(data, version: str) -> None:
    group_list = data.draw(st.lists(groups.map(lambda g: replace(g, version=version)), min_size=1, max_size=3))
    delimiters = data.draw(st.sampled_from(DELIMITERS[version]))
    interchange = replace(_interchange(group_list), version="00401" if version == "004010" else "00501")
    text = write_interchange(
        reply_envelope(interchange), 1, build_ack_groups(interchange, range(1, 10), delimiters=delimiters),
        delimiters=delimiters, when=datetime(2026, 11, 21, 10, 0),
    )
    report = validate_interchange(text)
    assert report.is_valid, (text, report.messages())


@settings(max_examples=60, deadline=None)
@given(position=st.integers(0, 400), junk=st.text(alphabet="ABZ019*>~ .-", min_size=1, max_size=6))
def test_the_997_for_any_damaged_po_validates(position: int, junk: str) -> None:
    """Real findings: damage a valid PO anywhere in its set, validate it, answer it.
    (Damage to GS08 would make the answer a 997 of a version we have no map for.)"""
    text = (AMAZON_FIXTURES / "850-single-po.edi").read_text()
    start, end = text.index("ST*850"), text.index("SE*")
    cut = start + position % (end - start)
    damaged = text[:cut] + junk + text[cut:]
    report = validate_interchange(damaged)
    for interchange in report.interchanges:
        if interchange.ta1_note_code is not None:
            continue
        groups = build_ack_groups(interchange, range(1, 10))
        answer = write_interchange(reply_envelope(interchange), 2, groups, when=datetime(2026, 11, 21, 10, 0))
        answer_report = validate_interchange(answer)
        assert answer_report.is_valid, (damaged, answer, answer_report.messages())
