"""The IMS's invoice as it arrives (docs/ims-api.yaml ``Invoice``), read into typed values.

Only the contract's shapes are checked here; whether the invoice is right for Amazon is
``gateway.invoicing.checks``. Every problem is collected with its JSON Pointer. Pure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from gateway.platform.json_reading import JsonObject, Problem

INVOICE_NUMBER = re.compile(r"[A-Za-z0-9-]{1,22}")
PO_NUMBER = re.compile(r"[A-Za-z0-9]{1,22}")
SHIPMENT_ID = re.compile(r"[A-Za-z0-9-]{1,30}")
CURRENCY = re.compile(r"[A-Z]{3}")
# SAC02 (X12 element 1300): a letter and three digits, e.g. C310 discount, D240 freight.
SAC_CODE = re.compile(r"[A-Z][0-9]{3}")
KINDS = ("allowance", "charge")
MAX_LINES = 2_000  # an Amazon PO has at most a few hundred lines
MAX_ADJUSTMENTS = 50

FIELDS = ("invoice_number", "invoice_date", "po_number", "shipment_id", "currency", "lines",
          "allowances_and_charges", "total_amount")
LINE_FIELDS = ("line_number", "sku", "quantity", "unit_cost")
ADJUSTMENT_FIELDS = ("kind", "code", "amount")


@dataclass(frozen=True, slots=True)
class ReportedLine:
    line_number: str
    sku: str
    eaches: int
    unit_cost: Decimal  # per the PO line's unit: per case for a line Amazon ordered in cases


@dataclass(frozen=True, slots=True)
class ReportedAdjustment:
    kind: str  # allowance or charge
    code: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceReport:
    invoice_number: str
    invoice_date: date
    po_number: str
    shipment_id: str | None
    currency: str
    lines: tuple[ReportedLine, ...]
    adjustments: tuple[ReportedAdjustment, ...]
    total_amount: Decimal


def read_invoice(body: Any) -> tuple[InvoiceReport | None, list[Problem]]:
    """The body as a report, or every contract problem found (then no report)."""
    problems: list[Problem] = []
    root = JsonObject(body, "", problems, FIELDS, FIELDS)
    if not root.ok:
        return None, problems
    number = root.text("invoice_number", pattern=INVOICE_NUMBER, shape="1 to 22 letters, digits or hyphens")
    invoice_date = root.day("invoice_date")
    po_number = root.text("po_number", pattern=PO_NUMBER, shape="1 to 22 letters or digits (Amazon's PO number)")
    shipment_id = root.text("shipment_id", pattern=SHIPMENT_ID, shape="a shipment id", nullable=True)
    currency = root.text("currency", pattern=CURRENCY, shape="an ISO 4217 code such as USD")
    total = root.money("total_amount")
    lines = tuple(line for index, raw in enumerate(root.array("lines", minimum=1, maximum=MAX_LINES))
                  if (line := _line(raw, f"/lines/{index}", problems)) is not None)
    adjustments = tuple(
        adjustment for index, raw in enumerate(root.array("allowances_and_charges", maximum=MAX_ADJUSTMENTS))
        if (adjustment := _adjustment(raw, f"/allowances_and_charges/{index}", problems)) is not None)
    if problems:
        return None, problems
    assert number and invoice_date and po_number and currency and total is not None
    return InvoiceReport(number, invoice_date, po_number, shipment_id, currency, lines, adjustments, total), []


def _line(raw: Any, pointer: str, problems: list[Problem]) -> ReportedLine | None:
    value = JsonObject(raw, pointer, problems, LINE_FIELDS, LINE_FIELDS)
    if not value.ok:
        return None
    line_number = value.text("line_number", max_length=20)
    sku = value.text("sku", max_length=64)
    eaches = value.count("quantity", minimum=1)
    cost = value.money("unit_cost")
    if not (line_number and sku and eaches) or cost is None:
        return None
    return ReportedLine(line_number, sku, eaches, cost)


def _adjustment(raw: Any, pointer: str, problems: list[Problem]) -> ReportedAdjustment | None:
    value = JsonObject(raw, pointer, problems, ADJUSTMENT_FIELDS, ADJUSTMENT_FIELDS)
    if not value.ok:
        return None
    kind = value.text("kind", pattern=re.compile("|".join(KINDS)), shape="allowance or charge")
    code = value.text("code", pattern=SAC_CODE, shape="an X12 allowance or charge code such as C310 or D240")
    amount = value.money("amount")
    if not (kind and code) or amount is None:
        return None
    return ReportedAdjustment(kind, code, amount)
