"""The IMS's stock report read against its contract: every problem at once, with a pointer."""
from __future__ import annotations

from datetime import date, datetime, timezone

from gateway.inventory.report import read_stock_report


def item(**changes):
    entry = {"sku": "ACME-MUG-01", "on_hand": 10, "reserved": 1, "allocated": 2, "available": 7,
             "discontinued": False, "restock_date": None}
    entry.update(changes)
    return entry


def test_a_report_reads_into_typed_values():
    report, problems = read_stock_report({"as_of": "2026-11-27T06:00:00+00:00", "complete": False, "ship_from": "WH1",
                                          "items": [item(restock_date="2026-12-20")]})
    assert problems == []
    assert report.as_of == datetime(2026, 11, 27, 6, tzinfo=timezone.utc) and report.ship_from == "WH1"
    assert report.items[0].restock_date == date(2026, 12, 20) and report.items[0].on_hand == 10


def test_the_contract_example_is_a_valid_report():
    example = {"as_of": "2026-11-27T06:00:00+00:00", "complete": False, "items": [
        {"sku": "ACME-LAMP-02", "on_hand": 50, "reserved": 10, "allocated": 40, "available": 0, "discontinued": False,
         "restock_date": "2026-12-20"}]}
    report, problems = read_stock_report(example)
    assert problems == [] and report.ship_from == ""


def test_every_problem_is_reported_at_once():
    _, problems = read_stock_report({"as_of": "yesterday", "complete": "yes", "colour": 1, "items": [
        item(on_hand=-1), item(sku="ACME-MUG-01"), item(discontinued="no", restock_date="20-12-2026"), "x"]})
    pointers = {problem.pointer for problem in problems}
    assert {"/as_of", "/complete", "/colour", "/items/0/on_hand", "/items/2/discontinued", "/items/2/restock_date",
            "/items/3"} <= pointers


def test_a_sku_listed_twice_is_refused():
    _, problems = read_stock_report({"as_of": "2026-11-27T06:00:00Z", "complete": True,
                                     "items": [item(), item(on_hand=3)]})
    assert [(p.pointer, p.detail) for p in problems] == [("/items/1/sku", "'ACME-MUG-01' is listed twice (first at /items/0)")]


def test_not_an_object_and_missing_fields():
    assert [p.pointer for p in read_stock_report([])[1]] == [""]
    assert {p.pointer for p in read_stock_report({})[1]} == {"/as_of", "/complete", "/items"}


def test_a_report_of_more_items_than_the_gateway_reads_is_refused_before_any_is_read():
    _, problems = read_stock_report({"as_of": "2026-11-27T06:00:00Z", "complete": True, "items": [{}] * 200_001})
    assert [(p.pointer, p.detail) for p in problems] == [("/items", "must be an array of 0 to 200000 entries")]
