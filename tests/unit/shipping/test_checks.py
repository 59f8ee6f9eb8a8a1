"""The shipment checks, one test per reason the gateway refuses a shipment (a 422 entry each).

A valid shipment is built from the contract's example; each test breaks one thing and
expects exactly the problem it caused, with a pointer to it and the carton or line, SSCC or
PO named in its words.
"""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from biip.checksums import gs1_standard_check_digit

from gateway.shipping.checks import (
    LineFacts,
    OrderFacts,
    ShipmentFacts,
    check_shipment,
    replacement_refusal,
)
from gateway.platform.json_reading import Problem
from gateway.shipping.report import ShipmentReport, read_shipment

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)
PO = "2YQ8HK9P"


def sscc(serial: int, extension: str = "0") -> str:
    body = f"{extension}0614141{serial:09d}"
    return body + str(gs1_standard_check_digit(body))


def example() -> dict[str, Any]:
    """docs/ims-api.yaml's example shipment, plus shipped_at."""
    return {
        "shipment_id": "SHP-20261202-01", "ship_date": "2026-12-02", "shipped_at": "2026-12-02T14:30:00Z",
        "estimated_delivery_date": "2026-12-04", "ship_from": "WH1", "ship_to": "RNO1", "carrier_scac": "ABFS",
        "bill_of_lading": "BOL778812", "pro_number": "PRO5521873",
        "pallets": [{"pallet_id": "P1", "sscc": sscc(1, "1")}],
        "cartons": [
            {"sscc": sscc(1), "pallet_id": "P1", "po_number": PO,
             "items": [{"line_number": "1", "sku": "ACME-MUG-01", "quantity": 12, "lot_number": None, "expiry_date": None}]},
            {"sscc": sscc(2), "pallet_id": "P1", "po_number": PO,
             "items": [{"line_number": "1", "sku": "ACME-MUG-01", "quantity": 12, "lot_number": None, "expiry_date": None}]},
            {"sscc": sscc(3), "pallet_id": "P1", "po_number": PO,
             "items": [{"line_number": "2", "sku": "ACME-LAMP-02", "quantity": 40, "lot_number": None, "expiry_date": None}]},
        ],
    }


def facts(**changes: Any) -> ShipmentFacts:
    lines = {
        "1": LineFacts("1", "ACME-MUG-01", "EA", None, accepted=Decimal(24), shipped_elsewhere=Decimal(0)),
        "2": LineFacts("2", "ACME-LAMP-02", "EA", None, accepted=Decimal(40), shipped_elsewhere=Decimal(0)),
    }
    lines.update(changes.pop("lines", {}))
    order = OrderFacts(PO, "RNO1", acknowledged=changes.pop("acknowledged", True),
                       cancelled=changes.pop("cancelled", False), lines=lines)
    return ShipmentFacts(now=NOW, warehouses=frozenset({"WH1"}), orders={PO: order}, **changes)


def problems_of(body: dict[str, Any], known: ShipmentFacts | None = None) -> list[Problem]:
    report, problems = read_shipment(body)
    if report is None:
        return problems
    return check_shipment(report, known or facts())


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_the_contract_example_with_shipped_at_passes() -> None:
    assert problems_of(example()) == []


def test_the_contract_example_without_the_extensions_still_reads() -> None:
    body = example()
    del body["shipped_at"]
    report, problems = read_shipment(body)
    assert problems == [] and report is not None and report.shipped_at is None and report.weight_unit == "LB"


# --- contract shapes (report) -------------------------------------------------------------


def test_every_shape_problem_is_listed_at_once_with_its_pointer() -> None:
    body = example()
    body["carrier_scac"] = "abfs"
    body["ship_date"] = "02/12/2026"
    body["cartons"][1]["items"][0]["quantity"] = 0
    body["surprise"] = True
    pointers = {problem.pointer for problem in problems_of(body)}
    assert pointers == {"/carrier_scac", "/ship_date", "/cartons/1/items/0/quantity", "/surprise"}


def test_a_missing_required_field_is_named() -> None:
    body = example()
    del body["cartons"][0]["po_number"]
    assert only(problems_of(body)) == Problem("/cartons/0/po_number", "is required")


def test_a_nul_in_a_text_is_refused_before_any_lookup() -> None:
    body = example()
    body["ship_to"] = "RNO\x001"
    assert only(problems_of(body)).pointer == "/ship_to"


# --- SSCCs --------------------------------------------------------------------------------


def test_a_wrong_check_digit_names_the_carton_and_the_digit() -> None:
    body = example()
    wrong = sscc(2)[:-1] + str((int(sscc(2)[-1]) + 1) % 10)
    body["cartons"][1]["sscc"] = wrong
    problem = only(problems_of(body))
    assert problem.pointer == "/cartons/1/sscc"
    assert f"carton 2: SSCC {wrong} is not valid: check digit" in problem.detail


def test_a_pallet_sscc_is_checked_too() -> None:
    body = example()
    body["pallets"][0]["sscc"] = "106141411000000010"
    assert only(problems_of(body)).pointer == "/pallets/0/sscc"


def test_an_sscc_twice_in_the_shipment_is_refused() -> None:
    body = example()
    body["cartons"][2]["sscc"] = body["cartons"][0]["sscc"]
    problem = only(problems_of(body))
    assert problem.pointer == "/cartons/2/sscc" and "is also carton 1" in problem.detail


def test_an_sscc_shipped_within_365_days_is_refused_with_its_date() -> None:
    used = {sscc(1): date(2026, 3, 1)}
    problem = only(problems_of(example(), facts(sscc_last_used=used)))
    assert problem.pointer == "/cartons/0/sscc"
    assert "was shipped on 2026-03-01" in problem.detail and "365 days" in problem.detail


def test_an_sscc_shipped_more_than_365_days_ago_may_be_used_again() -> None:
    assert problems_of(example(), facts(sscc_last_used={sscc(1): date(2025, 12, 1)})) == []


# --- quantities ---------------------------------------------------------------------------


def test_more_than_accepted_is_refused_naming_the_po_and_line() -> None:
    known = facts(lines={"1": LineFacts("1", "ACME-MUG-01", "EA", None, Decimal(20), Decimal(0))})
    problem = only(problems_of(example(), known))
    assert problem.pointer == "/cartons/0"
    assert problem.detail.startswith(f"PO {PO} line 1 (ACME-MUG-01): ships 24 EA, but only 20 EA is left")


def test_what_shipped_before_counts_against_what_was_accepted() -> None:
    known = facts(lines={"1": LineFacts("1", "ACME-MUG-01", "EA", None, Decimal(24), Decimal(12))})
    assert "shipped before 12" in only(problems_of(example(), known)).detail


def test_eaches_against_a_line_ordered_in_cases_must_be_whole_cases() -> None:
    body = example()
    body["cartons"][0]["items"][0]["quantity"] = 16
    body["cartons"][1]["items"][0]["quantity"] = 8
    known = facts(lines={"1": LineFacts("1", "ACME-MUG-01", "CA", 12, Decimal(2), Decimal(0))})
    problems = problems_of(body, known)
    assert [p.pointer for p in problems] == ["/cartons/0/items/0/quantity", "/cartons/1/items/0/quantity"]
    assert "ordered in cases of 12; 16 eaches is not whole cases" in problems[0].detail


def test_whole_cases_are_compared_in_cases() -> None:
    known = facts(lines={"1": LineFacts("1", "ACME-MUG-01", "CA", 12, Decimal(2), Decimal(0))})
    assert problems_of(example(), known) == []  # 24 eaches = 2 CA, as accepted
    fewer = facts(lines={"1": LineFacts("1", "ACME-MUG-01", "CA", 12, Decimal(1), Decimal(0))})
    assert "ships 2 CA, but only 1 CA is left" in only(problems_of(example(), fewer)).detail


# --- items on their POs -------------------------------------------------------------------


def test_a_po_the_gateway_does_not_have() -> None:
    body = example()
    body["cartons"][2]["po_number"] = "ZZZZ9999"
    problem = only(problems_of(body))
    assert problem.pointer == "/cartons/2/po_number" and "PO ZZZZ9999 is not a purchase order" in problem.detail


def test_a_line_not_on_the_po() -> None:
    body = example()
    body["cartons"][2]["items"][0]["line_number"] = "9"
    assert only(problems_of(body)).pointer == "/cartons/2/items/0/line_number"


def test_a_sku_that_is_not_the_lines() -> None:
    body = example()
    body["cartons"][2]["items"][0]["sku"] = "ACME-MUG-01"
    problem = only(problems_of(body))
    assert problem.pointer == "/cartons/2/items/0/sku" and "is SKU ACME-LAMP-02, not ACME-MUG-01" in problem.detail


def test_a_po_without_an_855_has_nothing_accepted() -> None:
    problems = problems_of(example(), facts(acknowledged=False))
    assert {p.pointer for p in problems} == {"/cartons/0/po_number", "/cartons/1/po_number", "/cartons/2/po_number"}
    assert "has no 855 yet" in problems[0].detail


def test_a_cancelled_po() -> None:
    assert "is cancelled" in problems_of(example(), facts(cancelled=True))[0].detail


def test_a_perishable_item_needs_lot_and_expiry() -> None:
    known = facts(lines={"2": LineFacts("2", "ACME-LAMP-02", "EA", None, Decimal(40), Decimal(0), perishable=True)})
    problem = only(problems_of(example(), known))
    assert problem.pointer == "/cartons/2/items/0" and "perishable" in problem.detail
    body = example()
    body["cartons"][2]["items"][0].update(lot_number="L42", expiry_date="2027-06-30")
    assert problems_of(body, known) == []


def test_goods_expiring_by_the_ship_date_are_refused() -> None:
    body = example()
    body["cartons"][2]["items"][0].update(lot_number="L42", expiry_date="2026-12-01")
    assert only(problems_of(body)).pointer == "/cartons/2/items/0/expiry_date"


# --- one delivery ---------------------------------------------------------------------------


def test_one_ship_to_per_shipment_matching_each_po() -> None:
    body = example()
    body["ship_to"] = "PHX6"
    problems = problems_of(body)
    assert len(problems) == 3 and "ships to RNO1, the shipment to PHX6" in problems[0].detail


def test_an_unknown_warehouse_says_how_to_add_it() -> None:
    body = example()
    body["ship_from"] = "WH9"
    assert "edi-gateway warehouses add WH9" in only(problems_of(body)).detail


def test_a_pallet_named_by_a_carton_must_be_listed() -> None:
    body = example()
    body["cartons"][0]["pallet_id"] = "P7"
    assert only(problems_of(body)).pointer == "/cartons/0/pallet_id"


def test_an_empty_pallet_is_refused() -> None:
    body = example()
    body["pallets"].append({"pallet_id": "P2", "sscc": None})
    assert only(problems_of(body)) == Problem("/pallets/1", "pallet P2 carries no carton")


def test_counts_given_must_match_the_lists() -> None:
    body = example()
    body.update(carton_count=4, pallet_count=1)
    assert only(problems_of(body)).pointer == "/carton_count"


# --- BOL, PRO, SCAC, dates ----------------------------------------------------------------


@pytest.mark.parametrize("bol", ["2026-12-02", "20261202", "12/02/2026", "2.12.26"])
def test_a_bill_of_lading_that_is_a_date_is_refused(bol: str) -> None:
    body = example()
    body["bill_of_lading"] = bol
    assert "is a date" in only(problems_of(body)).detail


def test_a_one_character_bill_of_lading_is_refused() -> None:
    body = example()
    body["bill_of_lading"] = "X"
    assert "one character" in only(problems_of(body)).detail


def test_a_bill_of_lading_of_another_shipment_is_refused() -> None:
    problem = only(problems_of(example(), facts(bill_of_lading_used_by="SHP-OTHER")))
    assert problem.pointer == "/bill_of_lading" and "SHP-OTHER" in problem.detail


def test_a_truck_load_needs_a_pro_number() -> None:
    body = example()
    body["pro_number"] = None
    assert only(problems_of(body)).pointer == "/pro_number"
    body["pallets"] = []
    for carton in body["cartons"]:
        carton["pallet_id"] = None
    assert problems_of(body) == []  # small parcel: no PRO needed


@pytest.mark.parametrize("scac", ["A", "ABCDE", "AB1", "abfs"])
def test_a_scac_is_two_to_four_capital_letters(scac: str) -> None:
    body = example()
    body["carrier_scac"] = scac
    assert only(problems_of(body)).pointer == "/carrier_scac"


@pytest.mark.parametrize(("ship_date", "passes"), [
    ("2026-11-25", True), ("2026-11-24", False), ("2026-12-04", True), ("2026-12-05", False)])
def test_the_ship_date_lies_within_the_past_7_days_or_the_next_2(ship_date: str, passes: bool) -> None:
    body = example()
    body["ship_date"] = ship_date
    del body["shipped_at"]
    body["estimated_delivery_date"] = "2026-12-06"
    assert (problems_of(body) == []) is passes


def test_shipped_at_must_be_on_the_ship_date() -> None:
    body = example()
    body["shipped_at"] = "2026-11-28T10:00:00Z"
    assert only(problems_of(body)).pointer == "/shipped_at"


def test_delivery_before_shipping_is_refused() -> None:
    body = example()
    body["estimated_delivery_date"] = "2026-12-01"
    assert only(problems_of(body)).pointer == "/estimated_delivery_date"


# --- replacements -------------------------------------------------------------------------


def report_of(body: dict[str, Any]) -> ShipmentReport:
    report, problems = read_shipment(body)
    assert report is not None, problems
    return report


def test_a_replacement_may_lower_quantities_before_arrival_within_7_days() -> None:
    lower = copy.deepcopy(example())
    lower["cartons"][2]["items"][0]["quantity"] = 30
    shipped = datetime(2026, 12, 2, 14, 30, tzinfo=timezone.utc)
    assert replacement_refusal(report_of(lower), report_of(example()), shipped, NOW) is None


def test_a_replacement_may_not_raise_a_quantity() -> None:
    more = copy.deepcopy(example())
    more["cartons"][2]["items"][0]["quantity"] = 41
    refusal = replacement_refusal(report_of(more), report_of(example()), NOW, NOW)
    assert refusal is not None and "PO 2YQ8HK9P line 2: 41 eaches where shipment" in refusal


def test_a_replacement_may_not_add_a_line() -> None:
    fewer = copy.deepcopy(example())
    del fewer["cartons"][2]
    refusal = replacement_refusal(report_of(example()), report_of(fewer), NOW, NOW)
    assert refusal is not None and "line 2 was not in shipment" in refusal


def test_no_replacement_after_arrival_or_after_7_days() -> None:
    lower = copy.deepcopy(example())
    lower["cartons"][2]["items"][0]["quantity"] = 30
    arrived = NOW.replace(day=4)
    assert "before arrival" in (replacement_refusal(report_of(lower), report_of(example()), NOW, arrived) or "")
    body = copy.deepcopy(example())
    body["estimated_delivery_date"] = None
    late = NOW + timedelta(days=8)
    assert "within 7 days" in (replacement_refusal(report_of(body), report_of(body), NOW, late) or "")
