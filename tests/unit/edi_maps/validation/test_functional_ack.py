"""997 and TA1 bodies: our control numbers, the inbound group's version, correct counts,
and nothing the partner's delimiters cannot carry."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from edi_maps.functional_ack import build_997, build_ack_groups, build_ta1, reply_envelope
from edi_maps.validation import ElementFinding, GroupResult, SegmentFinding, SetResult, validate_interchange
from edi_maps.x12.delimiters import Delimiters
from edi_maps.x12.writer import write_interchange

from tests.fixtures import AMAZON_FIXTURES, VALIDATION_FIXTURES

from .conftest import NOW, segment_text, validate_file

WHEN = datetime(2026, 11, 21, 10, 0)


def test_ack_groups_use_our_control_numbers_and_the_inbound_version() -> None:
    interchange = validate_file(AMAZON_FIXTURES / "850-three-pos-one-line.edi").interchanges[0]
    (group,) = build_ack_groups(interchange, iter([7001]))
    assert group.functional_id == "FA"
    assert group.control_number == 7001  # never the inbound 102
    assert group.version == "004010"  # the inbound GS08, not pyx12's "00401"
    assert (group.application_sender, group.application_receiver) == ("ACMEBRANDS", "AMAZON")
    assert [t.control_number for t in group.transaction_sets] == ["0001"]


def test_one_997_per_inbound_group_and_one_fa_group_per_version() -> None:
    text = (VALIDATION_FIXTURES / "ak9-6-duplicate-group-number.edi").read_text()
    interchange = validate_interchange(text).interchanges[0]
    (group,) = build_ack_groups(interchange, [11, 12])
    assert [t.control_number for t in group.transaction_sets] == ["0001", "0002"]


def test_not_enough_control_numbers_is_refused() -> None:
    interchange = validate_file(AMAZON_FIXTURES / "850-single-po.edi").interchanges[0]
    with pytest.raises(ValueError, match="not enough group control numbers"):
        build_ack_groups(interchange, [])


def test_reply_envelope_swaps_sender_and_receiver() -> None:
    interchange = validate_file(AMAZON_FIXTURES / "850-single-po.edi").interchanges[0]
    envelope = reply_envelope(interchange)
    assert (envelope.sender_id, envelope.receiver_id, envelope.version) == ("ACMEBRANDS", "AMAZON", "00401")


def test_written_997_for_a_rejected_po_in_partner_delimiters() -> None:
    interchange = validate_file(AMAZON_FIXTURES / "850-invalid-codes.edi").interchanges[0]
    delimiters = Delimiters(element="|", component="^", segment="\n")
    text = write_interchange(
        reply_envelope(interchange), 42, build_ack_groups(interchange, [9], delimiters=delimiters),
        delimiters=delimiters, when=WHEN,
    )
    assert "AK3|BEG|2||8\nAK4|2|92|7|ZZ\nAK4|5|373|8|20261340\nAK5|R|5\nAK9|R|1|1|0\n" in text
    assert "GS|FA|ACMEBRANDS|AMAZON|20261121|1000|9|X|004010\n" in text
    report = validate_interchange(text)
    assert report.is_valid, report.messages()


def _group_with_bad_value(bad_value: str) -> GroupResult:
    element = ElementFinding(2, None, "92", "7", bad_value, "")
    segment = SegmentFinding("BEG", 2, "", "8", "", 4, (element,))
    return GroupResult("PO", "1", "004010", "AMAZON", "ACMEBRANDS", [SetResult("850", "0001", [], [segment])], [], 1)


@pytest.mark.parametrize(
    ("bad_value", "ak4"),
    [
        ("ZZ", "AK4*2*92*7*ZZ"),
        ("A*B", "AK4*2*92*7"),  # holds the element separator: left out, not unwritable
        ("<LF>", "AK4*2*92*7"),  # holds the component separator ">"
        ("x" * 120, "AK4*2*92*7*" + "x" * 99),  # AK404 is at most 99 characters
        ("caf\u00e9", "AK4*2*92*7"),  # not in the X12 character set
    ],
)
def test_bad_value_copy_is_only_kept_when_writable(bad_value: str, ak4: str) -> None:
    body = [segment_text(s) for s in build_997(_group_with_bad_value(bad_value), "0001").segments]
    assert body[3] == ak4


def test_composite_position_is_written_as_a_composite() -> None:
    interchange = validate_file(VALIDATION_FIXTURES / "ak4-composite-sub-element.edi").interchanges[0]
    (group,) = build_ack_groups(interchange, [1])
    ak4 = [s for s in group.transaction_sets[0].segments if s[0] == "AK4"]
    assert ak4 == [["AK4", ["4", "2"], "127", "1", ""]]


def test_envelope_failure_gets_a_ta1_and_no_997() -> None:
    interchange = validate_file(VALIDATION_FIXTURES / "ta1-001-iea-control-mismatch.edi").interchanges[0]
    ta1 = build_ta1(interchange, when=NOW)
    assert ta1 is not None
    assert ta1.render() == "TA1*000000406*261120*0930*R*001~"
    assert ta1.render(Delimiters(element="|", segment="\n")) == "TA1|000000406|261120|0930|R|001\n"


def test_sound_envelope_gets_no_ta1() -> None:
    interchange = validate_file(AMAZON_FIXTURES / "850-bad-se-count.edi").interchanges[0]
    assert build_ta1(interchange, when=NOW) is None


def test_partial_acceptance_counts() -> None:
    """Three sets, one rejected: AK9 P with 3 included, 3 received, 2 accepted."""
    text = (AMAZON_FIXTURES / "850-three-pos-one-line.edi").read_text().replace("CSH*Y~", "CSH*Q~")
    interchange = validate_interchange(text).interchanges[0]
    (group,) = build_ack_groups(interchange, [1])
    body = [segment_text(s) for s in group.transaction_sets[0].segments]
    assert body[-1] == "AK9*P*3*3*2"
    assert "AK4*1*563*7*Q" in body


@pytest.mark.parametrize("st01", ["0850", ">850", "85"])
def test_set_whose_st01_cannot_be_echoed_gets_no_ak2_but_is_counted(st01: str) -> None:
    text = (AMAZON_FIXTURES / "850-single-po.edi").read_text().replace("ST*850*", f"ST*{st01}*")
    interchange = validate_interchange(text).interchanges[0]
    (group,) = build_ack_groups(interchange, [1])
    body = [segment_text(s) for s in group.transaction_sets[0].segments]
    assert body == ["AK1*PO*101", "AK9*R*1*1*0"]


def test_group_that_cannot_be_named_in_an_ak1_gets_the_interchange_rejected() -> None:
    text = (AMAZON_FIXTURES / "850-single-po.edi").read_text().replace("GS*PO*", "GS*P>O*")
    interchange = validate_interchange(text).interchanges[0]
    ta1 = build_ta1(interchange, when=NOW)
    assert ta1 is not None and ta1.note_code == "024"
    assert "cannot be acknowledged" in interchange.issues[0].message


def test_group_without_gs08_is_answered_in_the_interchange_version() -> None:
    text = (AMAZON_FIXTURES / "850-single-po.edi").read_text().replace("*X*004010~", "*X~")
    interchange = validate_interchange(text).interchanges[0]
    (group,) = build_ack_groups(interchange, [1])
    assert group.version == "004010"
    assert [segment_text(s) for s in group.transaction_sets[0].segments][-1] == "AK9*R*1*1*0*2"


def test_a_group_of_997s_gets_no_997_and_the_other_groups_still_do():
    amazon_997 = (AMAZON_FIXTURES / "997-accepts-855.edi").read_text()
    [interchange] = validate_interchange(amazon_997.encode()).interchanges
    assert [group.functional_id for group in interchange.groups] == ["FA"]
    assert build_ack_groups(interchange, [1]) == []

    po_group = (AMAZON_FIXTURES / "850-single-po.edi").read_text()
    [purchase_orders] = validate_interchange(po_group.encode()).interchanges
    mixed = replace(purchase_orders, groups=[*interchange.groups, *purchase_orders.groups])
    [answer] = build_ack_groups(mixed, [1, 2])
    assert [tset.segments[0][1] for tset in answer.transaction_sets] == ["PO"], "AK1 names the PO group only"
