"""The remittance read model: what finance sees of each 820 and its lines, as JSON and CSV.
Reading only."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gateway.catalogue.items import money_text
from gateway.finance.references import KIND_WORDS, ON_AN_INVOICE, LineKind
from gateway.models import Invoice, Remittance, RemittanceLine, TradingPartner

CSV_COLUMNS = ("trace_number", "payment_date", "payment_amount", "reference", "kind", "po_number", "amount_paid",
               "amount_invoiced", "invoice_number", "matched_by", "adjustments")


def list_remittances(session: Session, *, limit: int = 100) -> list[Remittance]:
    """The newest remittances first."""
    return list(session.scalars(select(Remittance).options(selectinload(Remittance.lines))
                                .order_by(Remittance.received_at.desc(), Remittance.id.desc()).limit(limit)))


def find_remittance(session: Session, trace_number: str) -> Remittance | None:
    return session.scalars(select(Remittance).where(Remittance.trace_number == trace_number)
                           .options(selectinload(Remittance.lines)).order_by(Remittance.id)).first()


def remittance_json(session: Session, remittance: Remittance) -> dict[str, Any]:
    partner = session.get(TradingPartner, remittance.partner_id)
    numbers = _invoice_numbers(session, [line.invoice_id for line in remittance.lines])
    return {
        "trace_number": remittance.trace_number,
        "partner": partner.as2_id if partner else None,
        "payment_amount": money_text(remittance.payment_amount),
        "payment_method": remittance.payment_method,
        "payment_date": None if remittance.payment_date is None else remittance.payment_date.isoformat(),
        "payer_name": remittance.payer_name,
        "payee_name": remittance.payee_name,
        "received_at": _instant(remittance.received_at),
        "message_id": remittance.message_id,
        "lines": [{
            "reference": line.reference,
            "kind": line.kind,
            "description": KIND_WORDS[LineKind(line.kind)],
            "po_number": line.po_number,
            "amount_paid": money_text(line.amount_paid),
            "amount_invoiced": None if line.amount_invoiced is None else money_text(line.amount_invoiced),
            "invoice_date": None if line.invoice_date is None else line.invoice_date.isoformat(),
            "invoice_number": numbers.get(line.invoice_id) if line.invoice_id is not None else None,
            "matched_by": line.matched_by,
            "adjustments": line.adjustments,
        } for line in remittance.lines],
    }


def remittances_csv(session: Session, remittances: list[Remittance]) -> str:
    """One row per remittance line, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for remittance in remittances:
        shown = remittance_json(session, remittance)
        for line in shown["lines"]:
            writer.writerow([shown["trace_number"], shown["payment_date"] or "", shown["payment_amount"],
                             line["reference"], line["kind"], line["po_number"] or "", line["amount_paid"],
                             line["amount_invoiced"] or "", line["invoice_number"] or "", line["matched_by"] or "",
                             " ".join(f"{a['code']}:{a['amount']}" for a in line["adjustments"])])
    return out.getvalue()


def unmatched_lines(remittance: Remittance) -> list[RemittanceLine]:
    """The lines meant for an invoice that matched none (each an ``unreconciled_payment``)."""
    return [line for line in remittance.lines if line.invoice_id is None and LineKind(line.kind) in ON_AN_INVOICE]


def _invoice_numbers(session: Session, ids: list[int | None]) -> dict[int, str]:
    wanted = [invoice_id for invoice_id in ids if invoice_id is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(Invoice.id, Invoice.invoice_number).where(Invoice.id.in_(wanted))).all())


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
