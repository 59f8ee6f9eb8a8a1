"""Cutting a stream into transaction sets for the translators."""
import io

from edi_maps.x12.reader import X12Reader, transaction_sets
from tests.fixtures import AMAZON_FIXTURES


def test_each_set_comes_whole_with_its_group():
    reader = X12Reader(io.BytesIO((AMAZON_FIXTURES / "850-three-pos-one-line.edi").read_bytes()))
    sets = [(location.group.control_number, [s.tag for s in segments]) for segments, location in
            transaction_sets(reader)]
    assert [group for group, _ in sets] == ["102", "102", "102"]
    assert [tags[0] for _, tags in sets] == ["ST", "ST", "ST"] and [tags[-1] for _, tags in sets] == ["SE"] * 3
    assert sets[1][1] == ["ST", "BEG", "REF", "FOB", "CSH", "DTM", "DTM", "N1", "PO1", "PO4", "PO1", "CTT", "SE"]


def test_a_set_without_its_trailer_is_not_yielded():
    text = (AMAZON_FIXTURES / "850-single-po.edi").read_text().replace("SE*14*1011~\n", "")
    assert list(transaction_sets(X12Reader(io.StringIO(text)))) == []


def test_sets_of_two_groups_come_with_their_own_group():
    reader = X12Reader(io.BytesIO((AMAZON_FIXTURES / "two-groups-850-860.edi").read_bytes()))
    sets = [(location.group.functional_id, location.group.control_number, segments[0].elements, len(segments))
            for segments, location in transaction_sets(reader)]
    assert sets == [("PO", "115", ("ST", "850", "1151"), 12), ("PC", "116", ("ST", "860", "1161"), 5)]
