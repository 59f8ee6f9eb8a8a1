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
from edi_maps.amazon.inventory_advice import inventory_advice_segments
from edi_maps.amazon.invoice import invoice_segments
from edi_maps.amazon.ship_notice import ship_notice_segments
from edi_maps.documents import Acknowledgement, InventoryAdvice, Invoice, ShipNotice
from edi_maps.x12.segment import Segment
from gateway.partners.profile import Profile

SegmentBody = Sequence[Sequence[str | Sequence[str]]]


@dataclass(frozen=True)
class OutboundMap:
    """How one kind of canonical document becomes one transaction set."""

    set_id: str  # ST01, e.g. "855"
    functional_id: str  # GS01, e.g. "PR"
    body: Callable[[Any, Profile], SegmentBody]
    # The business key kept on the tracker's row (the PO number for the 855, the shipment
    # id for the 856, the invoice number for the 810, the reference for the 846).
    reference: Callable[[Any], str | None]
    # The X12 version (GS08, "004010" or "005010") the partner gets this set in.
    version: Callable[[Profile], str] = lambda profile: "004010"
    # The PO the stored message is about (``Message.po_number``: what a delivery failure
    # names, and what a PO's page lists), None when it is about several; the reference when
    # not given, as for the 855.
    po_number: Callable[[Any], str | None] | None = None

    def message_po_number(self, document: Any) -> str | None:
        return (self.po_number or self.reference)(document)


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


def _amazon_856(notice: ShipNotice, profile: Profile) -> SegmentBody:
    return ship_notice_segments(notice, profile.ship_notice.version)


def _amazon_810(invoice: Invoice, profile: Profile) -> SegmentBody:
    return invoice_segments(invoice)


def _amazon_846(advice: InventoryAdvice, profile: Profile) -> SegmentBody:
    return inventory_advice_segments(advice, profile.inventory.report_type)


def _only_po(notice: ShipNotice) -> str | None:
    """The 856's PO when it carries one; a message about several POs names none."""
    po_numbers = {order.po_number for order in notice.orders}
    return po_numbers.pop() if len(po_numbers) == 1 else None


AMAZON = Retailer(
    name="amazon",
    translate=amazon.translate_transaction_set,
    outbound={
        # The 855 stays in 004010, the version Amazon's 850 comes in.
        Acknowledgement: OutboundMap("855", "PR", _amazon_855, lambda ack: ack.po_number),
        # One 856 may carry several POs, and the tracker's reference column holds one
        # business key (String 64): the shipment id (BSN02), which a replacement ASN keeps,
        # names the 856 and leads to its POs.
        ShipNotice: OutboundMap("856", "SH", _amazon_856, lambda notice: notice.shipment_id,
                                version=lambda profile: profile.ship_notice.version, po_number=_only_po),
        # The 810 is in 004010, the only version of Amazon's retail invoice guide. Its
        # business key is the invoice number (BIG02): unique forever, what Amazon's 997,
        # its remittance (820 RMR) and finance name the invoice by, while one PO may be
        # invoiced several times (one invoice per shipment). The message still belongs to
        # its PO (BIG04), so a PO's page lists its invoices.
        Invoice: OutboundMap("810", "IN", _amazon_810, lambda invoice: invoice.invoice_number,
                             po_number=lambda invoice: invoice.po_number),
        # The 846 is in 004010, the version of Amazon's retail inventory guide. Its business
        # key is the reference (BIA03): it names the feed and the batch, so each set of a
        # feed is told apart in Amazon's 997 and on the tracker. It is about no PO.
        InventoryAdvice: OutboundMap("846", "IB", _amazon_846, lambda advice: advice.reference,
                                     po_number=lambda advice: None),
    },
)

# Every name in ``gateway.partners.profile.RETAILERS`` has its entry (a unit test checks).
BY_NAME: dict[str, Retailer] = {"amazon": AMAZON}
