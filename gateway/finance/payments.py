"""Where an invoice's payment stands, from the remittance lines matched to it. Pure.

What Amazon paid against an invoice is the sum of its lines: the payment of the invoice
itself (RMR04, already net of any ADX adjustment on it) plus the shortage claims on it
(negative) and their reversals (positive). Against the invoice's total that is paid,
short-paid (with each deduction that explains it) or over-paid; with no line yet, unpaid.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from gateway.finance.references import KIND_WORDS, LineKind, adjustment_words

# The suffix each shortage kind is written with, as its deduction code.
SHORTAGE_CODES = {LineKind.SHORTAGE: "SC", LineKind.SHORTAGE_REVERSAL: "SCR", LineKind.SHORTAGE_REVISED: "SCRSC"}


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"  # no remittance has paid anything against it yet
    PAID = "paid"  # received exactly its total
    SHORT_PAID = "short_paid"  # received less: see the deductions
    OVER_PAID = "over_paid"  # received more


STATUS_WORDS = {
    PaymentStatus.UNPAID: "unpaid: no remittance yet",
    PaymentStatus.PAID: "paid",
    PaymentStatus.SHORT_PAID: "short-paid",
    PaymentStatus.OVER_PAID: "over-paid",
}


@dataclass(frozen=True)
class PaidLine:
    """One remittance line matched to the invoice."""

    trace_number: str
    payment_date: date | None
    kind: LineKind
    reference: str
    amount: Decimal  # RMR04: negative for a claim
    adjustments: tuple[tuple[Decimal, str], ...] = ()  # ADX (amount, reason code)


@dataclass(frozen=True)
class Deduction:
    code: str
    amount: Decimal  # what it took off (negative: what it gave back)
    description: str


@dataclass(frozen=True)
class Payment:
    """One remittance's lines against the invoice."""

    trace_number: str
    payment_date: date | None
    amount: Decimal  # what this remittance paid against the invoice, net
    deductions: tuple[Deduction, ...]


@dataclass(frozen=True)
class PaymentStanding:
    status: PaymentStatus
    received: Decimal
    short_by: Decimal  # total - received (negative when over-paid)
    payments: tuple[Payment, ...]


def payment_standing(total: Decimal, lines: Sequence[PaidLine]) -> PaymentStanding:
    received = sum((line.amount for line in lines), Decimal(0))
    if not lines:
        status = PaymentStatus.UNPAID
    elif received == total:
        status = PaymentStatus.PAID
    elif received < total:
        status = PaymentStatus.SHORT_PAID
    else:
        status = PaymentStatus.OVER_PAID
    traces: dict[str, list[PaidLine]] = {}
    for line in lines:
        traces.setdefault(line.trace_number, []).append(line)
    payments = tuple(Payment(trace, group[0].payment_date, sum((line.amount for line in group), Decimal(0)),
                             tuple(deduction for line in group for deduction in deductions_of(line)))
                     for trace, group in traces.items())
    return PaymentStanding(status, received, total - received, payments)


def deductions_of(line: PaidLine) -> list[Deduction]:
    """A shortage line is one deduction (its suffix as the code); an invoice's payment has its
    ADX adjustments (their reason code), a negative adjustment being an amount taken off."""
    if line.kind in SHORTAGE_CODES:
        return [Deduction(SHORTAGE_CODES[line.kind], -line.amount, KIND_WORDS[line.kind])]
    return [Deduction(code, -amount, adjustment_words(code)) for amount, code in line.adjustments]
