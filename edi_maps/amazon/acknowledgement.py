"""Acknowledgement (canonical) -> the body of an Amazon 855.

BAK (AC when any line is not accepted as ordered, AD otherwise), then each PO1 echoed
with the identifier Amazon sent, one ACK per outcome (ACK04 068 = scheduled ship date,
DTM*067 = scheduled delivery), and CTT with the line count and quantity hash. Which ACK01
code an outcome gets comes from the partner profile (``ack_codes``): Amazon's exact
subset is in the guide each vendor receives, not in public.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from edi_maps.amazon.elements import number_text
from edi_maps.documents import (
    AcknowledgedQuantity,
    Acknowledgement,
)

DEFAULT_ACK_CODES: dict[str, str] = {
    "accepted": "IA",
    "backordered": "IB",
    "rejected": "IR",
    "rejected:InvalidProductIdentifier": "R2",
}


def ack_code(outcome: AcknowledgedQuantity, codes: Mapping[str, str]) -> str:
    """ACK01 for an outcome: the outcome+reason entry when the profile has one, else the outcome's."""
    if outcome.rejection_reason is not None:
        specific = codes.get(f"{outcome.outcome.value}:{outcome.rejection_reason.value}")
        if specific:
            return specific
    return codes[outcome.outcome.value]


def acknowledgement_segments(
    ack: Acknowledgement, codes: Mapping[str, str] = DEFAULT_ACK_CODES,
) -> list[Sequence[str]]:
    """The 855 body between ST and SE; a line with a pack size gets its PO4."""
    segments: list[Sequence[str]] = [
        ["BAK", "00", ack.acknowledgement_type.value, ack.po_number, ack.po_date.strftime("%Y%m%d")],
    ]
    for line in ack.lines:
        segments.append(["PO1", line.line_number, number_text(line.ordered_quantity), line.unit.value,
                         number_text(line.unit_cost), "", line.identifier.qualifier.value, line.identifier.value])
        if line.pack_size:
            segments.append(["PO4", str(line.pack_size)])
        for outcome in line.outcomes:
            ack_segment = ["ACK", ack_code(outcome, codes), number_text(outcome.quantity), outcome.unit.value]
            if outcome.scheduled_ship_date:
                ack_segment += ["068", outcome.scheduled_ship_date.strftime("%Y%m%d")]
            segments.append(ack_segment)
            if outcome.scheduled_delivery_date:
                segments.append(["DTM", "067", outcome.scheduled_delivery_date.strftime("%Y%m%d")])
    total = sum((line.ordered_quantity for line in ack.lines), Decimal(0))
    segments.append(["CTT", str(len(ack.lines)), number_text(total)])
    return segments
