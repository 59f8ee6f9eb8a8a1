"""Amazon Vendor Central maps: X12 transaction sets <-> canonical documents.

Each map takes the segments of ONE transaction set (ST..SE inclusive), never the
envelope, so it works with whatever reader produced the segments and is tested with a
string in and a dataclass out.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from edi_maps.amazon.elements import TranslationError
from edi_maps.amazon.functional_ack_reader import (
    describe_functional_ack,
    functional_ack_from_segments,
)
from edi_maps.amazon.po_change import po_change_from_segments
from edi_maps.amazon.purchase_order import purchase_order_from_segments, purchase_order_json
from edi_maps.amazon.remittance import remittance_from_segments
from edi_maps.canonical_json import JsonValue
from edi_maps.documents import FunctionalAck, PoChange, PurchaseOrder, Remittance
from edi_maps.x12.segment import Segment

__all__ = [
    "TranslationError",
    "describe_functional_ack",
    "functional_ack_from_segments",
    "po_change_from_segments",
    "purchase_order_from_segments",
    "purchase_order_json",
    "remittance_from_segments",
    "translate_transaction_set",
    "transaction_set_json",
]

INBOUND_SET_IDS = ("850", "860", "820", "997")


def translate_transaction_set(
    segments: Iterable[Segment], component_separator: str
) -> PurchaseOrder | PoChange | Remittance | FunctionalAck:
    """Translate one inbound transaction set, choosing the map by ST01.

    For callers that take any inbound set (the retailer table of ``gateway.exchange``)
    and should not repeat the set-id-to-map table. Raises ``TranslationError`` for a set
    we have no inbound map for.
    """
    set_id, whole_set = _set_id(segments)
    if set_id == "850":
        return purchase_order_from_segments(whole_set)
    if set_id == "860":
        return po_change_from_segments(whole_set, component_separator)
    if set_id == "820":
        return remittance_from_segments(whole_set)
    if set_id == "997":
        return functional_ack_from_segments(whole_set, component_separator)
    known = ", ".join(INBOUND_SET_IDS)
    header = next(whole_set)
    raise TranslationError(
        f"no inbound map for {header.tag}*{set_id}; maps exist for {known}", header
    )


def transaction_set_json(
    segments: Iterable[Segment], component_separator: str
) -> dict[str, JsonValue] | PoChange | Remittance | FunctionalAck:
    """What ``translate_transaction_set`` gives, for writing as canonical JSON: an 850 as
    its JSON already (``purchase_order_json``: an order can have 200,000 lines), any
    other set as its document, for ``canonical_json.to_json_bytes``."""
    set_id, whole_set = _set_id(segments)
    if set_id == "850":
        return purchase_order_json(whole_set)
    document = translate_transaction_set(whole_set, component_separator)
    assert not isinstance(document, PurchaseOrder), "the 850 was taken above"
    return document


def _set_id(segments: Iterable[Segment]) -> tuple[str, Iterator[Segment]]:
    """ST01 of the set (``""`` when it does not start with ST), and all its segments."""
    iterator = iter(segments)
    header = next(iterator, None)
    if header is None:
        raise TranslationError("expected a transaction set, got no segments")
    return (header[1] if header.tag == "ST" else ""), chain((header,), iterator)
