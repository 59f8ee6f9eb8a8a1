"""The month close: what was invoiced, paid, deducted (by category), still owed and not
matched, for one calendar month, as finance closes its books.

- invoiced: the invoices dated in the month;
- remitted and paid: the remittances paid in the month (their BPR02) and, of their lines,
  what paid invoices;
- deducted, per category: what those remittances took back (shortage claims net of their
  reversals, chargebacks, price protection, co-op, provisions net of their reversals, and
  the ADX adjustments on invoice payments); positive is money kept by Amazon;
- outstanding: the invoices dated up to the month's end and not fully received by then
  (what is still owed on them at the month's end);
- unmatched: lines of those remittances meant for an invoice that matched none.

A remittance without a payment date (BPR16) counts in the month it was received.
"""
from __future__ import annotations

import csv
import io
import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.finance.references import CATEGORY, ON_AN_INVOICE, LineKind
from gateway.models import Invoice, Remittance, RemittanceLine

CATEGORIES = ("shortage", "chargeback", "price_protection", "coop", "provision", "adjustment")


@dataclass
class MonthClose:
    month: str  # YYYY-MM
    invoiced_count: int = 0
    invoiced_amount: Decimal = Decimal(0)
    remittance_count: int = 0
    remitted_amount: Decimal = Decimal(0)
    paid_amount: Decimal = Decimal(0)
    deducted: dict[str, Decimal] = field(default_factory=lambda: {name: Decimal(0) for name in CATEGORIES})
    outstanding_count: int = 0
    outstanding_amount: Decimal = Decimal(0)
    unmatched_count: int = 0
    unmatched_amount: Decimal = Decimal(0)

    @property
    def deducted_total(self) -> Decimal:
        return sum(self.deducted.values(), Decimal(0))

    def rows(self) -> list[tuple[str, str]]:
        """(figure, value) in the order the page and the CSV show them."""
        return [("month", self.month), ("invoiced_count", str(self.invoiced_count)),
                ("invoiced_amount", str(self.invoiced_amount)), ("remittance_count", str(self.remittance_count)),
                ("remitted_amount", str(self.remitted_amount)), ("paid_amount", str(self.paid_amount)),
                *((f"deducted_{name}", str(amount)) for name, amount in self.deducted.items()),
                ("deducted_total", str(self.deducted_total)), ("outstanding_count", str(self.outstanding_count)),
                ("outstanding_amount", str(self.outstanding_amount)), ("unmatched_count", str(self.unmatched_count)),
                ("unmatched_amount", str(self.unmatched_amount))]


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of ``YYYY-MM``; ValueError for anything else."""
    year, number = (int(part) for part in month.split("-"))
    if not (len(month) == 7 and 1 <= number <= 12 and 2000 <= year <= 2999):
        raise ValueError(f"{month!r} is not a month written YYYY-MM")
    return date(year, number, 1), date(year, number, monthrange(year, number)[1])


def checked_month(text: str) -> str:
    """``text`` if it is a month written ``YYYY-MM`` in ASCII digits (2000-01 to 2999-12); else ValueError."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        raise ValueError(f"{text!r} is not a month written YYYY-MM")
    month_bounds(text)
    return text


def month_close(session: Session, month: str) -> MonthClose:
    first, last = month_bounds(month)
    report = MonthClose(month)
    report.invoiced_count, invoiced = session.execute(
        select(func.count(), func.coalesce(func.sum(Invoice.total_amount), 0))
        .where(Invoice.invoice_date >= first, Invoice.invoice_date <= last)).one()
    report.invoiced_amount = Decimal(invoiced)
    paid_on = func.coalesce(Remittance.payment_date, func.date(Remittance.received_at))
    remittances = list(session.scalars(select(Remittance).where(paid_on >= first, paid_on <= last)))
    report.remittance_count = len(remittances)
    report.remitted_amount = sum((r.payment_amount for r in remittances), Decimal(0))
    for remittance in remittances:
        for line in remittance.lines:
            kind = LineKind(line.kind)
            if kind is LineKind.INVOICE:
                report.paid_amount += line.amount_paid
                for adjustment in line.adjustments:
                    report.deducted["adjustment"] -= Decimal(adjustment["amount"])
            else:
                report.deducted[CATEGORY[kind]] -= line.amount_paid
            if line.invoice_id is None and kind in ON_AN_INVOICE:
                report.unmatched_count += 1
                report.unmatched_amount += line.amount_paid
    received_by_end = dict(session.execute(
        select(RemittanceLine.invoice_id, func.sum(RemittanceLine.amount_paid))
        .join(Remittance, Remittance.id == RemittanceLine.remittance_id)
        .where(RemittanceLine.invoice_id.is_not(None), paid_on <= last)
        .group_by(RemittanceLine.invoice_id)).all())
    for invoice_id, total in session.execute(select(Invoice.id, Invoice.total_amount)
                                             .where(Invoice.invoice_date <= last)):
        owed = total - Decimal(received_by_end.get(invoice_id) or 0)
        if owed > 0:
            report.outstanding_count += 1
            report.outstanding_amount += owed
    return report


def month_close_csv(report: MonthClose) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("figure", "value"))
    writer.writerows(report.rows())
    return out.getvalue()
