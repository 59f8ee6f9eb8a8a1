"""What an Amazon remittance line's reference (RMR02) says it is. Pure.

Amazon pays invoices by their number and takes money back on lines of their own, named
by the invoice they are about plus a suffix, or by a debit note of their own
(Vendor Central's remittance conventions, as vendors' reconciliation guides describe them):

- ``<invoice>SC``: a shortage claim, deducted from the invoice (Amazon received fewer units
  than were invoiced); ``<invoice>SCR``: its reversal, a credit back; ``<invoice>SCRSC``: a
  revised shortage claim. Chains go on (``SCRSCR`` reverses the revision); the last
  suffix says which it is. Some remittances write a hyphen before the suffix.
- ``<number>VCBSINV``: a chargeback debit note (a compliance fee), on the account, not on
  an invoice.
- ``IPAPUS`` and 7 digits: a price-protection debit note.
- ``<date>-PROVISION FOR RECEIVABLES`` (or with underscores): a provision Amazon holds back
  against expected returns and rebates; ending in ``R``: its reversal.
- ``XXXX-XXXXXXXX``: an agreement invoice (co-op: marketing and vendor-funded promotions).

Anything else is taken as an invoice number. Which references are ours is the caller's
to decide (``remittances``): an invoice number of ours that happens to end in ``SC`` is
looked up as it is before any suffix is read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class LineKind(StrEnum):
    INVOICE = "invoice"  # a payment against an invoice
    SHORTAGE = "shortage"
    SHORTAGE_REVERSAL = "shortage_reversal"
    SHORTAGE_REVISED = "shortage_revised"
    CHARGEBACK = "chargeback"
    PRICE_PROTECTION = "price_protection"
    COOP = "coop"
    PROVISION = "provision"
    PROVISION_REVERSAL = "provision_reversal"


# What each kind is, for finance, in words.
KIND_WORDS = {
    LineKind.INVOICE: "payment of the invoice",
    LineKind.SHORTAGE: "shortage claim: Amazon received fewer units than invoiced",
    LineKind.SHORTAGE_REVERSAL: "shortage claim reversed: credited back",
    LineKind.SHORTAGE_REVISED: "revised shortage claim",
    LineKind.CHARGEBACK: "chargeback debit note (compliance fee)",
    LineKind.PRICE_PROTECTION: "price-protection debit note",
    LineKind.COOP: "co-op agreement invoice (marketing, promotions)",
    LineKind.PROVISION: "provision for receivables (held back against returns and rebates)",
    LineKind.PROVISION_REVERSAL: "provision for receivables reversed",
}

# The categories the month-close report totals deductions by: a reversal nets with its claim.
CATEGORY = {
    LineKind.SHORTAGE: "shortage", LineKind.SHORTAGE_REVERSAL: "shortage", LineKind.SHORTAGE_REVISED: "shortage",
    LineKind.CHARGEBACK: "chargeback", LineKind.PRICE_PROTECTION: "price_protection", LineKind.COOP: "coop",
    LineKind.PROVISION: "provision", LineKind.PROVISION_REVERSAL: "provision",
}
# Kinds that are about one invoice of ours (the others are about the account).
ON_AN_INVOICE = frozenset({LineKind.INVOICE, LineKind.SHORTAGE, LineKind.SHORTAGE_REVERSAL,
                           LineKind.SHORTAGE_REVISED})

# ADX02 reason codes (X12 element 426, 004010) a retailer's remittance uses, in words; a code
# not here is shown as the code itself.
ADJUSTMENT_WORDS = {
    "01": "pricing error", "02": "allowance or charge error", "03": "extension error",
    "04": "item not accepted: damaged", "05": "item not accepted: quality", "06": "quantity contested",
    "07": "incorrect product", "08": "substitute product", "09": "terms of sale error",
    "11": "returns: damage", "12": "returns: quality", "13": "returns: dating", "14": "returns: promotion",
    "15": "returns: recall", "16": "allowance or charge not on the invoice", "19": "duplicate billing",
    "22": "weight error", "24": "incorrect discount", "25": "item not accepted", "26": "invoice cancelled",
    "43": "missing discount", "50": "late charge", "52": "credit for previous overpayment",
    "53": "remittance for previous underpayment", "54": "freight deducted", "55": "tax deducted",
    "56": "advertising allowance taken", "57": "volume discount taken", "59": "item not received",
    "70": "advance ship notice not received", "71": "advertising allowance", "72": "authorised return",
    "73": "bill of lading not received",
}


def adjustment_words(code: str) -> str:
    """An ADX reason code in words, with the code."""
    words = ADJUSTMENT_WORDS.get(code)
    return f"adjustment: {words} (X12 426 code {code})" if words else f"adjustment, reason code {code}"


_SHORTAGE = re.compile(r"^(?P<base>.+?)-?(?P<chain>SC(?:RSC)*R?)$")
_CHARGEBACK = re.compile(r"VCBSINV", re.IGNORECASE)
_PRICE_PROTECTION = re.compile(r"^IPAPUS[0-9]{7}$", re.IGNORECASE)
_PROVISION = re.compile(r"PROVISION[ _]FOR[ _]RECEIVABLES(?P<reversal>R?)$", re.IGNORECASE)
_AGREEMENT = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{8}$", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    kind: LineKind
    invoice_number: str | None  # the invoice it is about (for invoice kinds), as written


def read_reference(reference: str) -> Reference:
    """The kind of a remittance line from its reference, and the invoice it names if any."""
    text = reference.strip()
    if provision := _PROVISION.search(text):
        kind = LineKind.PROVISION_REVERSAL if provision.group("reversal") else LineKind.PROVISION
        return Reference(kind, None)
    if _CHARGEBACK.search(text):
        return Reference(LineKind.CHARGEBACK, None)
    if _PRICE_PROTECTION.match(text):
        return Reference(LineKind.PRICE_PROTECTION, None)
    shortage = _SHORTAGE.match(text)
    if shortage:
        chain = shortage.group("chain")
        if chain.endswith("R"):
            kind = LineKind.SHORTAGE_REVERSAL
        else:
            kind = LineKind.SHORTAGE if chain == "SC" else LineKind.SHORTAGE_REVISED
        return Reference(kind, shortage.group("base"))
    if _AGREEMENT.match(text):
        return Reference(LineKind.COOP, None)
    return Reference(LineKind.INVOICE, text)
