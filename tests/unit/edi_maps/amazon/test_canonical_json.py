"""Canonical documents -> JSON-ready dicts, and the same JSON written by ``to_json_bytes``."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edi_maps.amazon import purchase_order_from_segments, translate_transaction_set
from edi_maps.canonical_json import to_json_bytes, to_json_dict
from edi_maps.documents import (
    Acknowledgement,
    Address,
    InventoryAdvice,
    InventoryItem,
    AcknowledgedQuantity,
    AcknowledgementLine,
    AcknowledgementType,
    IdentifierQualifier,
    LineOutcome,
    ProductIdentifier,
    RejectionReason,
    UnitOfMeasure,
)

from .conftest import amazon_sets


@dataclass(frozen=True)
class ProductAmount:
    """Stands in for any document field holding a Decimal."""

    amount: Decimal


@dataclass(frozen=True, slots=True)
class PackCount:
    """Stands in for any document field holding an int, e.g. a pack size read from digits."""

    count: int


SAMPLES = [
    "850-single-po.edi",
    "850-three-pos-one-line.edi",
    "860-change.edi",
    "820-remittance.edi",
    "997-accepts-855.edi",
    "997-rejects-856.edi",
    "850-several-pos-many-lines.edi",
    "850-cases-pack.edi",
    "850-backorder-allowed.edi",
    "850-unknown-identifiers.edi",
    "860-cancel-line.edi",
    "997-rejects-855.edi",
    "two-groups-850-860.edi",
]


def stdlib_json(value: Any, indent: bool) -> bytes:
    """What ``to_json_bytes`` must write: ``json.dumps`` of ``to_json_dict``, as UTF-8."""
    return json.dumps(value, ensure_ascii=False, indent=2 if indent else None,
                      separators=(",", ": ") if indent else (",", ":")).encode()


def test_purchase_order_json_has_iso_dates_decimal_strings_and_codes() -> None:
    order = purchase_order_from_segments(amazon_sets("850-single-po.edi")[0].segments)

    data = to_json_dict(order)

    assert data == {
        "po_number": "2XK7QP9M",
        "purpose": "00",
        "order_type": "NE",
        "order_date": "2026-11-20",
        "vendor_code": "ACMEB",
        "do_not_deliver_before": "2026-11-24",
        "do_not_deliver_after": "2026-12-01",
        "ship_to": "RNO1",
        "backorder_allowed": False,
        "lines": [
            {
                "line_number": "1",
                "quantity": "24",
                "unit": "EA",
                "unit_cost": "12.50",
                "identifier": {"qualifier": "EN", "value": "5012345678900"},
                "other_identifiers": [],
                "pack_size": None,
            },
            {
                "line_number": "2",
                "quantity": "6",
                "unit": "CA",
                "unit_cost": "40.00",
                "identifier": {"qualifier": "UP", "value": "012345678905"},
                "other_identifiers": [],
                "pack_size": 12,
            },
            {
                "line_number": "3",
                "quantity": "10",
                "unit": "EA",
                "unit_cost": "7.25",
                "identifier": {"qualifier": "BP", "value": "B07XJ8C8F5"},
                "other_identifiers": [],
                "pack_size": None,
            },
        ],
    }


@pytest.mark.parametrize("name", SAMPLES)
def test_every_amazon_sample_survives_json_dumps_and_loads(name: str) -> None:
    for transaction_set in amazon_sets(name):
        document = translate_transaction_set(transaction_set.segments, transaction_set.component_separator)
        data = to_json_dict(document)

        assert json.loads(json.dumps(data)) == data


def test_remittance_json_keeps_the_deduction_sign_and_cents() -> None:
    (transaction_set,) = amazon_sets("820-remittance.edi")
    data = to_json_dict(translate_transaction_set(transaction_set.segments, ">"))

    assert data["payment_amount"] == "2090.25"
    assert data["lines"][0]["adjustments"] == [{"amount": "-50.00", "reason_code": "CS"}]
    assert data["lines"][1]["invoice_date"] == "2026-12-04"


def test_rejection_json_carries_codes_with_their_meaning() -> None:
    (transaction_set,) = amazon_sets("997-rejects-856.edi")
    data = to_json_dict(translate_transaction_set(transaction_set.segments, ">"))

    element = data["sets"][0]["segment_errors"][0]["element_errors"][0]
    assert element == {
        "position": 2,
        "component_position": None,
        "data_element": "88",
        "error": {"code": "7", "meaning": "invalid code value"},
        "bad_value": "XX",
    }


def test_outbound_documents_convert_too() -> None:
    acknowledgement = Acknowledgement(
        po_number="2XK7QP9M",
        acknowledgement_type=AcknowledgementType.WITH_DETAIL_AND_CHANGE,
        po_date=date(2026, 11, 20),
        lines=(
            AcknowledgementLine(
                line_number="1",
                identifier=ProductIdentifier(IdentifierQualifier.EAN, "5012345678900"),
                ordered_quantity=Decimal("24"),
                unit=UnitOfMeasure.EACH,
                unit_cost=Decimal("12.50"),
                outcomes=(
                    AcknowledgedQuantity(LineOutcome.ACCEPTED, Decimal("20"), UnitOfMeasure.EACH, date(2026, 11, 23)),
                    AcknowledgedQuantity(
                        LineOutcome.REJECTED,
                        Decimal("4"),
                        UnitOfMeasure.EACH,
                        rejection_reason=RejectionReason.TEMPORARILY_UNAVAILABLE,
                    ),
                ),
            ),
        ),
    )

    outcomes = to_json_dict(acknowledgement)["lines"][0]["outcomes"]

    assert outcomes[0]["scheduled_ship_date"] == "2026-11-23"
    assert outcomes[1]["outcome"] == "rejected"
    assert outcomes[1]["rejection_reason"] == "TemporarilyUnavailable"


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_become_plain_strings_that_parse_back_exactly(value: Decimal) -> None:
    """No exponent notation (a consumer may not read '1E-7') and no loss of value."""
    text = to_json_dict(ProductAmount(value))["amount"]

    assert "E" not in text and "e" not in text
    assert Decimal(text) == value


def test_only_documents_are_accepted() -> None:
    with pytest.raises(TypeError, match="expected a canonical document, got dict"):
        to_json_dict({"po_number": "X"})
    with pytest.raises(TypeError, match="expected a canonical document, got type"):
        to_json_dict(Acknowledgement)


def test_values_json_cannot_hold_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot put a float into canonical JSON"):
        to_json_dict(ProductAmount(1.5))  # type: ignore[arg-type]


@pytest.mark.parametrize("indent", [False, True])
@pytest.mark.parametrize("name", SAMPLES)
def test_to_json_bytes_writes_the_json_of_to_json_dict(name: str, indent: bool) -> None:
    for transaction_set in amazon_sets(name):
        document = translate_transaction_set(transaction_set.segments, transaction_set.component_separator)
        entry = {"set": "850", "group": None, "document": document}

        assert to_json_bytes(entry, indent=indent) == stdlib_json({**entry, "document": to_json_dict(document)},
                                                                  indent)


def test_to_json_bytes_writes_datetimes_nested_dates_and_non_ascii_text_as_to_json_dict() -> None:
    reno = Address("Acme Brands Rénø", "1200 Commerce Way", "Reno", None, "89502", "US")
    advice = InventoryAdvice(
        reference="FULL-20261201-0001", as_of=datetime(2026, 12, 1, 4, 30, 5, 120, tzinfo=timezone(timedelta(hours=-8))),
        ship_from_code="RNO-WH1", ship_from=reno,
        items=(InventoryItem((ProductIdentifier(IdentifierQualifier.UPC, "012345678905"),), 40, date(2026, 12, 9)),))

    for indent in (False, True):
        assert to_json_bytes(advice, indent=indent) == stdlib_json(to_json_dict(advice), indent)
    assert b'"2026-12-01T04:30:05.000120-08:00"' in to_json_bytes(advice)


def test_to_json_bytes_writes_an_int_beyond_64_bits_the_slow_way() -> None:
    """orjson cannot write it; a pack size of 25 digits is still written, exactly."""
    huge = PackCount(10**24)

    assert to_json_bytes([huge]) == b'[{"count":1000000000000000000000000}]'
    assert to_json_bytes({"document": huge}, indent=True) == stdlib_json({"document": to_json_dict(huge)}, True)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_to_json_bytes_writes_decimals_as_to_json_dict(value: Decimal) -> None:
    assert to_json_bytes(ProductAmount(value)) == stdlib_json(to_json_dict(ProductAmount(value)), False)


def test_to_json_bytes_refuses_what_a_document_cannot_hold() -> None:
    with pytest.raises(TypeError):
        to_json_bytes({"amounts": {Decimal("1")}})
