"""Amazon Vendor Central maps: X12 transaction sets <-> canonical documents.

Each map takes the segments of ONE transaction set (ST..SE inclusive), never the
envelope, so it works with whatever reader produced the segments and is tested with a
string in and a dataclass out.
"""
from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from edi_maps.amazon.elements import TranslationError
from edi_maps.amazon.functional_ack_reader import (
    describe_functional_ack,
    functional_ack_from_segments,
)
from edi_maps.amazon.po_change import po_change_from_segments
from edi_maps.amazon.purchase_order import purchase_order_from_segments
from edi_maps.amazon.remittance import remittance_from_segments
from edi_maps.documents import FunctionalAck, PoChange, PurchaseOrder, Remittance
from edi_maps.x12.segment import Segment

__all__ = [
    "TranslationError",
    "describe_functional_ack",
    "functional_ack_from_segments",
    "po_change_from_segments",
    "purchase_order_from_segments",
    "remittance_from_segments",
    "translate_transaction_set",
]

INBOUND_SET_IDS = ("850", "860", "820", "997")


def translate_transaction_set(
    segments: Iterable[Segment], component_separator: str
) -> PurchaseOrder | PoChange | Remittance | FunctionalAck:
    """Translate one inbound transaction set, choosing the map by ST01.

    For callers that handle whole files (``edi-gateway x12 to-json``) and should not
    repeat the set-id-to-map table. Raises ``TranslationError`` for a set we have no
    inbound map for.
    """
    iterator = iter(segments)
    header = next(iterator, None)
    if header is None:
        raise TranslationError("expected a transaction set, got no segments")
    whole_set = chain((header,), iterator)
    set_id = header[1] if header.tag == "ST" else ""
    if set_id == "850":
        return purchase_order_from_segments(whole_set)
    if set_id == "860":
        return po_change_from_segments(whole_set, component_separator)
    if set_id == "820":
        return remittance_from_segments(whole_set)
    if set_id == "997":
        return functional_ack_from_segments(whole_set, component_separator)
    known = ", ".join(INBOUND_SET_IDS)
    raise TranslationError(
        f"no inbound map for {header.tag}*{set_id}; maps exist for {known}", header
    )
