"""Amazon 820 (X12 4010) -> ``Remittance``.

Finance reconciles each payment by invoice and PO number and disputes deductions, so
every RMR loop becomes one line carrying its REF*PO, its invoice date and its ADX
adjustments with their reason codes.
"""
from __future__ import annotations

from collections.abc import Iterable

from edi_maps.amazon.elements import (
    TranslationError,
    decimal_value,
    optional_date,
    optional_decimal,
    optional_text,
    required_text,
    transaction_set_header,
    x12_date,
)
from edi_maps.documents import Adjustment, Remittance, RemittanceLine
from edi_maps.x12.segment import Segment

INVOICE_DATE = "003"


def remittance_from_segments(segments: Iterable[Segment]) -> Remittance:
    """Translate one 820 transaction set (ST..SE inclusive) into a ``Remittance``.

    Raises ``TranslationError`` when BPR or TRN is missing, an RMR is not an invoice
    (RMR01 IV) or an amount or date cannot be read. ADX segments before any RMR are
    not tied to an invoice and are refused rather than silently dropped.
    """
    iterator = iter(segments)
    header = transaction_set_header(iterator, "820")
    bpr = trn = payer = payee = None
    loops: list[tuple[Segment, list[Segment]]] = []  # RMR with the REF/DTM/ADX of its loop
    for segment in iterator:
        tag = segment.tag
        if tag == "RMR":
            loops.append((segment, []))
        elif tag in ("REF", "DTM", "ADX") and loops:
            loops[-1][1].append(segment)
        elif tag == "ADX":
            raise TranslationError("ADX adjustment outside an RMR loop", segment)
        elif tag == "BPR":
            bpr = segment
        elif tag == "TRN":
            trn = segment
        elif tag == "N1" and segment[1] == "PR":
            payer = segment
        elif tag == "N1" and segment[1] == "PE":
            payee = segment
    if bpr is None:
        raise TranslationError("820 has no BPR segment", header)
    if trn is None:
        raise TranslationError("820 has no TRN trace number", header)
    return Remittance(
        payment_amount=decimal_value(bpr, 2, "payment amount"),
        payment_method=required_text(bpr, 4, "payment method"),
        payment_date=optional_date(bpr, 16, "payment date"),
        trace_number=required_text(trn, 2, "trace number"),
        payer_name=None if payer is None else optional_text(payer, 2),
        payee_name=None if payee is None else optional_text(payee, 2),
        payee_id=None if payee is None else optional_text(payee, 4),
        lines=tuple(_line(rmr, loop) for rmr, loop in loops),
    )


def _line(rmr: Segment, loop: list[Segment]) -> RemittanceLine:
    if rmr[1] != "IV":
        raise TranslationError(f"RMR01 {rmr[1]!r} is not IV (invoice number)", rmr)
    po_number = invoice_date = None
    adjustments = []
    for segment in loop:
        tag, qualifier = segment.tag, segment[1]
        if tag == "REF" and qualifier == "PO":
            po_number = required_text(segment, 2, "PO number")
        elif tag == "DTM" and qualifier == INVOICE_DATE:
            invoice_date = x12_date(segment, 2, "invoice date")
        elif tag == "ADX":
            adjustments.append(
                Adjustment(
                    amount=decimal_value(segment, 1, "adjustment amount"),
                    reason_code=required_text(segment, 2, "adjustment reason code"),
                )
            )
    return RemittanceLine(
        invoice_number=required_text(rmr, 2, "invoice number"),
        po_number=po_number,
        amount_paid=decimal_value(rmr, 4, "amount paid"),
        amount_invoiced=optional_decimal(rmr, 5, "invoice amount"),
        discount_amount=optional_decimal(rmr, 6, "discount amount"),
        invoice_date=invoice_date,
        adjustments=tuple(adjustments),
    )
