"""The committed map folder is what generate.py renders, and is complete for pyx12."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from edi_maps.pyx12_maps.generate import MAP_DIR, TRANSACTION_MAPS, render_all
from edi_maps.validation import _map_index


def test_committed_xml_is_what_the_generator_renders() -> None:
    """Edit the tables in generate.py and run ``python -m edi_maps.pyx12_maps.generate``."""
    rendered = render_all()
    assert sorted(p.name for p in MAP_DIR.glob("*.xml")) == sorted(rendered)
    for name, text in rendered.items():
        assert (MAP_DIR / name).read_text(encoding="utf-8") == text, f"{name} is out of date"


def _data_elements() -> set[str]:
    return {e.get("ele_num") for e in ET.parse(MAP_DIR / "dataele.xml").iter("data_ele")}


def test_dictionary_holds_every_element_the_maps_use() -> None:
    defined = _data_elements()
    for path in MAP_DIR.glob("*.xml"):
        root = ET.parse(path).getroot()
        if root.tag != "transaction":
            continue
        used = {e.findtext("data_ele") for e in root.iter("element")}
        assert used - defined == set(), path.name


def test_dictionary_has_the_amazon_elements_pyx12_lacks() -> None:
    amazon = {"92", "327", "330", "587", "668", "396", "80", "133", "91", "387", "88", "87", "382", "76",
              "336", "333", "670", "671", "146", "563"}
    assert amazon <= _data_elements()


def test_every_external_code_list_exists() -> None:
    code_sets = {c.findtext("id") for c in ET.parse(MAP_DIR / "codes.xml").iter("codeset")}
    for path in MAP_DIR.glob("*.xml"):
        for valid_codes in ET.parse(path).getroot().iter("valid_codes"):
            if valid_codes.get("external"):
                assert valid_codes.get("external") in code_sets, path.name


@pytest.mark.parametrize(
    ("icvn", "version", "functional_id", "map_file"),
    [
        ("00401", "004010", "PO", "850.4010.amazon.xml"),
        ("00401", "004010", "PC", "860.4010.amazon.xml"),
        ("00401", "004010", "PR", "855.4010.amazon.xml"),
        ("00401", "004010", "SH", "856.4010.amazon.xml"),
        ("00501", "005010", "SH", "856.5010.amazon.xml"),
        ("00401", "004010", "IN", "810.4010.amazon.xml"),
        ("00401", "004010", "IB", "846.4010.amazon.xml"),
        ("00401", "004010", "RA", "820.4010.amazon.xml"),
        ("00401", "004010", "FA", "997.4010.amazon.xml"),
        ("00501", "005010", "FA", "997.5010.amazon.xml"),
    ],
)
def test_map_choice_by_isa12_gs01_gs08(icvn: str, version: str, functional_id: str, map_file: str) -> None:
    assert _map_index().get_filename(icvn, version, functional_id) == map_file


def test_first_element_code_lists_do_not_steer_matching() -> None:
    """Inline lists on a required first element make pyx12 match segments by them; only the
    envelope and the 856 HL03 levels may have inline lists."""
    for tmap in TRANSACTION_MAPS:
        root = ET.parse(MAP_DIR / tmap.file_name).getroot()
        for segment in root.iter("segment"):
            if segment.get("xid") in ("ISA", "GS", "TA1", "HL"):
                continue
            assert segment.find("element/valid_codes/code") is None, (tmap.file_name, segment.get("xid"))
