"""The document type an inbound message is listed and counted under (/messages, /metrics)."""
import pytest

from edi_maps.salvage import carried
from edi_maps.validation import validate_interchange
from gateway.exchange.inbound import document_type
from tests.fixtures import AMAZON_FIXTURES


@pytest.mark.parametrize(("sample", "expected"), [
    ("850-single-po.edi", "850"),
    ("850-three-pos-one-line.edi", "850"),
    ("860-change.edi", "860"),
    ("820-remittance.edi", "820"),
    ("997-accepts-855.edi", "997"),
    ("two-groups-850-860.edi", "850+860"),
])
def test_a_message_is_typed_by_the_sets_it_carries(sample, expected):
    assert document_type(validate_interchange((AMAZON_FIXTURES / sample).read_bytes())) == expected


def test_three_kinds_are_mixed_and_nothing_readable_is_untyped():
    three = b"".join((AMAZON_FIXTURES / name).read_bytes()
                     for name in ("850-single-po.edi", "860-change.edi", "820-remittance.edi"))
    assert document_type(validate_interchange(three)) == "mixed"
    assert document_type(validate_interchange(b"hello world")) is None


def test_a_refused_interchange_pyx12_could_not_read_is_typed_by_its_raw_text():
    """An unpadded ISA stops pyx12 before any set; the ST01s read from the raw text type it."""
    payload = (AMAZON_FIXTURES / "850-bad-isa-width.edi").read_bytes()
    report = validate_interchange(payload)
    assert document_type(report) is None
    assert document_type(report, carried(payload)) == "850"
