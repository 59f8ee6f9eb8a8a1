"""Choosing the map by ST01."""
from __future__ import annotations

from decimal import Decimal

import pytest

from edi_maps.amazon import TranslationError, transaction_set_json, translate_transaction_set
from edi_maps.canonical_json import to_json_dict
from edi_maps.documents import FunctionalAck, PoChange, PurchaseOrder, Remittance

from .conftest import amazon_sets, one_set


@pytest.mark.parametrize(
    ("name", "document_type"),
    [
        ("850-single-po.edi", PurchaseOrder),
        ("860-change.edi", PoChange),
        ("820-remittance.edi", Remittance),
        ("997-rejects-856.edi", FunctionalAck),
    ],
)
def test_each_inbound_set_goes_to_its_map(name: str, document_type: type) -> None:
    (transaction_set,) = amazon_sets(name)

    document = translate_transaction_set(iter(transaction_set.segments), transaction_set.component_separator)

    assert type(document) is document_type


def test_each_set_of_a_two_group_interchange_goes_to_its_own_map() -> None:
    documents = [translate_transaction_set(transaction_set.segments, transaction_set.component_separator)
                 for transaction_set in amazon_sets("two-groups-850-860.edi")]

    assert [(type(document), document.po_number) for document in documents] == [
        (PurchaseOrder, "4TWG8MRS"), (PoChange, "2XK7QP9M")]
    order = documents[0]
    assert isinstance(order, PurchaseOrder)
    assert [(line.line_number, line.quantity, line.identifier.value) for line in order.lines] == [
        ("1", Decimal("30"), "5012345678900"), ("2", Decimal("10"), "B07XJ8C8F5")]


def test_a_set_without_inbound_map_is_refused_with_the_known_ones() -> None:
    acknowledgement = one_set("PR", "855", "BAK*00*AC*2XK7QP9M*20261120")

    with pytest.raises(TranslationError) as raised:
        translate_transaction_set(acknowledgement.segments, ">")

    assert str(raised.value) == "segment 3 (ST): no inbound map for ST*855; maps exist for 850, 860, 820, 997"


def test_no_segments_is_refused() -> None:
    with pytest.raises(TranslationError, match="got no segments"):
        translate_transaction_set([], ">")


@pytest.mark.parametrize("name", ["850-single-po.edi", "860-change.edi", "820-remittance.edi", "997-rejects-856.edi"])
def test_each_inbound_set_has_the_json_of_its_document(name: str) -> None:
    """What ``x12 to-json`` writes: an 850 as its JSON already, any other set as its document."""
    (transaction_set,) = amazon_sets(name)
    segments, separator = transaction_set.segments, transaction_set.component_separator

    written = transaction_set_json(iter(segments), separator)

    document = translate_transaction_set(segments, separator)
    assert (written if isinstance(written, dict) else to_json_dict(written)) == to_json_dict(document)
    assert isinstance(written, dict) == isinstance(document, PurchaseOrder)


def test_a_set_without_inbound_map_has_no_json_either() -> None:
    acknowledgement = one_set("PR", "855", "BAK*00*AC*2XK7QP9M*20261120")

    with pytest.raises(TranslationError, match="no inbound map for ST[*]855"):
        transaction_set_json(acknowledgement.segments, ">")
