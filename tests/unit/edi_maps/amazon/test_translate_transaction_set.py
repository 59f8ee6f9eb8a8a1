"""Choosing the map by ST01."""
from __future__ import annotations

import pytest

from edi_maps.amazon import TranslationError, translate_transaction_set
from edi_maps.documents import FunctionalAck, PoChange, PurchaseOrder, Remittance

from .conftest import one_set, amazon_sets


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


def test_a_set_without_inbound_map_is_refused_with_the_known_ones() -> None:
    acknowledgement = one_set("PR", "855", "BAK*00*AC*2XK7QP9M*20261120")

    with pytest.raises(TranslationError) as raised:
        translate_transaction_set(acknowledgement.segments, ">")

    assert str(raised.value) == "segment 3 (ST): no inbound map for ST*855; maps exist for 850, 860, 820, 997"


def test_no_segments_is_refused() -> None:
    with pytest.raises(TranslationError, match="got no segments"):
        translate_transaction_set([], ">")
