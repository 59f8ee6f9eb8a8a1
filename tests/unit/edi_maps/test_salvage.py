"""The POs and sets a refused interchange carries are read from its raw text, whatever its envelope."""
from __future__ import annotations

from edi_maps.salvage import Carried, carried

from tests.fixtures import AMAZON_FIXTURES


def sample(name: str) -> str:
    return (AMAZON_FIXTURES / name).read_text()


def test_an_unpadded_isa_still_gives_its_po():
    assert carried(sample("850-bad-isa-width.edi")) == [Carried("000000117", ["850"], ["3ISAWD7T"])]


def test_every_po_of_every_set_once_and_the_860s_too():
    assert carried(sample("850-three-pos-one-line.edi")) == [
        Carried("000000102", ["850"], ["3MZQ81RT", "4HB2XW0L", "5PLK33ZD"])]
    assert carried(sample("two-groups-850-860.edi")) == [Carried("000000115", ["850", "860"], ["4TWG8MRS", "2XK7QP9M"])]


def test_each_interchange_keeps_its_own_and_a_broken_trailer_does_not_matter():
    text = sample("850-iea-missing.edi") + sample("850-single-po.edi").replace("IEA*1*000000101", "IEA*1*9")
    assert [(c.control_number, c.po_numbers) for c in carried(text)] == [
        ("000000118", ["8NOIEA2K"]), ("000000101", ["2XK7QP9M"])]


def test_other_delimiters_bytes_and_values_that_cannot_be_a_po_number():
    text = sample("850-single-po.edi").replace("*", "|").replace("~\n", "'\r\n").replace("~", "'")
    text = text.replace("BEG|00|NE|2XK7QP9M|", "BEG|00|NE|" + "X" * 23 + "|")
    assert carried(text.encode("latin-1")) == [Carried("000000101", ["850"], [])]


def test_what_does_not_start_with_a_splittable_isa_carries_nothing():
    assert carried(b"") == carried("hello world") == carried("ISA*00*short~BEG*00*SA*PO1~") == []
