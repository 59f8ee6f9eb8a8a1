"""The retailers whose maps a partner may speak (profile ``retailer``): Amazon today.

A retailer's maps turn its inbound transaction sets into canonical documents, and
canonical outbound documents into the bodies (ST..SE contents) of its sets. Business code
never imports a retailer's maps: it hands a canonical document to
``gateway.exchange.outbound.send_document``, which looks the partner's retailer up here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from edi_maps import amazon
from edi_maps.amazon.acknowledgement import acknowledgement_segments
from edi_maps.documents import Acknowledgement
from edi_maps.x12.segment import Segment
from gateway.partners.profile import Profile

SegmentBody = Sequence[Sequence[str | Sequence[str]]]


@dataclass(frozen=True)
class OutboundMap:
    """How one kind of canonical document becomes one transaction set."""

    set_id: str  # ST01, e.g. "855"
    functional_id: str  # GS01, e.g. "PR"
    body: Callable[[Any, Profile], SegmentBody]
    # The business key kept on the tracker's row (the PO number for 855/856/810).
    reference: Callable[[Any], str | None]


@dataclass(frozen=True)
class Retailer:
    name: str
    # One inbound set (ST..SE) and the interchange's component separator -> a canonical document.
    translate: Callable[[Iterable[Segment], str], object]
    outbound: Mapping[type, OutboundMap]

    def outbound_map(self, document: object) -> OutboundMap:
        kind = type(document)
        if kind not in self.outbound:
            raise LookupError(f"{self.name} has no outbound map for {kind.__name__}")
        return self.outbound[kind]


def _amazon_855(ack: Acknowledgement, profile: Profile) -> SegmentBody:
    return acknowledgement_segments(ack, profile.acknowledgement.ack_codes)


AMAZON = Retailer(
    name="amazon",
    translate=amazon.translate_transaction_set,
    outbound={Acknowledgement: OutboundMap("855", "PR", _amazon_855, lambda ack: ack.po_number)},
)

# Every name in ``gateway.partners.profile.RETAILERS`` has its entry (a unit test checks).
BY_NAME: dict[str, Retailer] = {"amazon": AMAZON}
