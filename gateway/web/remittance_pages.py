"""The remittance pages: Amazon's 820 payments (each with its lines, the invoice each matched
and how, and the ADX adjustments on them), and the month close with its CSV.

Finance reads them, and ops and admin too: every role that signs in (``gateway.access.users.ROLES``).
Reading only: remittances come in as 820s (``gateway.finance.remittances``).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from gateway.finance.month_close import MonthClose, checked_month, month_close, month_close_csv
from gateway.finance.read_model import (
    find_remittance,
    list_remittances,
    remittance_json,
    remittances_csv,
    unmatched_lines,
)
from gateway.finance.references import ON_AN_INVOICE, LineKind
from gateway.platform.db import session_scope
from gateway.web import login, settings_of
from gateway.web.remittances import REMITTANCE_ROWS, current_month

blueprint = Blueprint("remittance_pages", __name__)
login.protect(blueprint)

# The month close's figures (``MonthClose.rows``), as the page names them.
FIGURE_WORDS = {
    "month": "Month",
    "invoiced_count": "Invoices dated in the month",
    "invoiced_amount": "Invoiced",
    "remittance_count": "Remittances paid in the month",
    "remitted_amount": "Remitted (the deposits)",
    "paid_amount": "Paid against invoices",
    "deducted_shortage": "Deducted: shortage claims, net of their reversals",
    "deducted_chargeback": "Deducted: chargebacks (compliance fees)",
    "deducted_price_protection": "Deducted: price protection",
    "deducted_coop": "Deducted: co-op agreement invoices (marketing, promotions)",
    "deducted_provision": "Deducted: provisions for receivables, net of their reversals",
    "deducted_adjustment": "Deducted: ADX adjustments on invoice payments",
    "deducted_total": "Deducted in all",
    "outstanding_count": "Invoices still owed at the month's end",
    "outstanding_amount": "Still owed at the month's end",
    "unmatched_count": "Lines matched to no invoice",
    "unmatched_amount": "Amount on lines matched to no invoice",
}


@blueprint.get("/remittances")
def remittances():
    """The newest remittances first: trace number, payment date, amount, lines, unmatched lines."""
    with session_scope(settings_of(current_app)) as db:
        rows = [(row, len(unmatched_lines(row))) for row in list_remittances(db, limit=REMITTANCE_ROWS)]
        return render_template("remittances.html", remittances=rows)


@blueprint.get("/remittances.csv")
def remittances_sheet() -> Response:
    with session_scope(settings_of(current_app)) as db:
        text = remittances_csv(db, list_remittances(db, limit=REMITTANCE_ROWS))
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="remittances.csv"'})


@blueprint.get("/remittances/<trace_number>")
def remittance(trace_number: str):
    """One remittance: each line's reference and kind, the invoice it matched and how."""
    with session_scope(settings_of(current_app)) as db:
        row = find_remittance(db, trace_number) if len(trace_number) <= 50 else None
        if row is None:
            abort(404, description=f"No remittance {trace_number} reached the gateway.")
        shown = remittance_json(db, row)
        for line in shown["lines"]:
            line["matched_words"] = matched_words(line)
        return render_template("remittance.html", remittance=shown, unmatched=len(unmatched_lines(row)))


@blueprint.get("/finance/month-close")
def month_close_page():
    """The month's figures, ``month=YYYY-MM`` (default the current month)."""
    report = _month_close()
    if not isinstance(report, MonthClose):
        return report
    return render_template("month_close.html", report=report, month=report.month,
                           figures=[(name, FIGURE_WORDS.get(name, name), value) for name, value in report.rows()])


@blueprint.get("/finance/month-close.csv")
def month_close_sheet() -> ResponseReturnValue:
    report = _month_close()
    if not isinstance(report, MonthClose):
        return report
    return Response(month_close_csv(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="month-close-{report.month}.csv"'})


def matched_words(line: dict[str, Any]) -> str:
    """How a line (as ``remittance_json`` shows it) found its invoice, in words."""
    kind = LineKind(line["kind"])
    if line["matched_by"] == "po_number":
        return "by its PO number"
    if line["matched_by"] == "invoice_number":
        return "by invoice number" if kind is LineKind.INVOICE else "by the invoice number before its shortage suffix"
    if kind in ON_AN_INVOICE:
        return "unmatched: no invoice of ours by number, shortage suffix or PO (an unreconciled payment)"
    return "on the account, not on an invoice"


def _month_close() -> MonthClose | tuple[str, int]:
    month = request.args.get("month", "").strip() or current_month()
    try:
        checked_month(month)
    except ValueError:
        return render_template("error.html", title="Not a month",
                               detail=f"{month!r} is not a month: write it YYYY-MM, e.g. 2026-11."), 400
    with session_scope(settings_of(current_app)) as db:
        return month_close(db, month)
