"""The inventory API over real HTTP on SQLite and PostgreSQL: zero-stock holds listed and
released, held snapshots released or discarded, feeds planned and read, the drift report
as JSON and CSV, and who may do each."""
from __future__ import annotations

import csv
import io

import httpx
import pytest
from sqlalchemy import select

from gateway.access.tokens import create_token
from gateway.inventory.drift import COLUMNS
from gateway.models import AuditEvent, InventoryFeed, StockLevel
from gateway.platform.db import session_scope
from tests.support.inventory_flow import Gateway, everything, gateway, level, report  # noqa: F401

API = "/api/v1/inventory"


@pytest.fixture
def tokens(gateway: Gateway) -> dict[str, str]:  # noqa: F811
    with session_scope(gateway.settings) as session:
        return {role: create_token(session, role) for role in ("ims", "ops", "finance", "admin")}


def call(gateway: Gateway, method: str, path: str, token: str | None, body=None) -> httpx.Response:  # noqa: F811
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, f"{gateway.url}{API}{path}", json=body, headers=headers, timeout=60)


def held_lamp(gateway: Gateway) -> int:  # noqa: F811
    """The critical lamp at zero: the feed holds it. Returns the feed's id."""
    assert gateway.post(report(*(level(sku, 0 if sku == "ACME-LAMP-02" else 50) for sku in
                                 ("ACME-MUG-01", "ACME-CANDLE-12", "ACME-LAMP-02")))).status_code == 202
    feed = gateway.feed()
    gateway.send(feed)
    return feed


@pytest.mark.parametrize("method, path, allowed", [
    ("GET", "/holds", {"ops", "ims", "admin"}),
    ("POST", "/holds/ACME-LAMP-02/release", {"ops", "admin"}),
    ("GET", "/snapshots?outcome=held", {"ops", "admin"}),
    ("POST", "/snapshots/1/release", {"ops", "admin"}),
    ("POST", "/snapshots/1/discard", {"ops", "admin"}),
    ("GET", "/feeds", {"ops", "ims", "admin"}),
    ("GET", "/feeds/1", {"ops", "ims", "admin"}),
    ("POST", "/feeds", {"ops", "admin"}),
    ("GET", "/drift", {"ops", "finance", "admin"}),
    ("GET", "/drift.csv", {"ops", "finance", "admin"}),
])
def test_who_may_call_each_endpoint(gateway, tokens, method, path, allowed):  # noqa: F811
    body = {"partner": "NOBODY"} if path == "/feeds" and method == "POST" else None
    assert call(gateway, method, path, None, body).status_code == 401
    assert call(gateway, method, path, "not-a-token", body).status_code == 401
    for role, token in tokens.items():
        status = call(gateway, method, path, token, body).status_code
        if role in allowed:
            assert status not in (401, 403), (role, status)
        else:
            assert status == 403, (role, status)


def test_a_held_sku_is_listed_released_once_and_then_no_longer_held(gateway, tokens):  # noqa: F811
    held_lamp(gateway)
    [hold] = call(gateway, "GET", "/holds", tokens["ims"]).json()["items"]
    assert (hold["sku"], hold["partner"], hold["reason"], hold["last_sent_quantity"], hold["status"]) == (
        "ACME-LAMP-02", "AMAZON", "critical_zero", None, "held")
    assert hold["held_at"] and hold["ship_from"] is None
    assert call(gateway, "GET", "/holds?sku=ACME-MUG-01", tokens["ops"]).json()["items"] == []
    assert call(gateway, "GET", "/holds?status=frozen", tokens["ops"]).status_code == 400

    assert call(gateway, "POST", "/holds/ACME-LAMP-02/release", tokens["ops"],
                {"partner": "NOBODY"}).status_code == 404
    assert call(gateway, "POST", "/holds/ACME-LAMP-02/release", tokens["ops"], {"colour": "red"}).status_code == 400
    released = call(gateway, "POST", "/holds/ACME-LAMP-02/release", tokens["ops"],
                    {"note": "really gone", "partner": "AMAZON"})
    assert released.status_code == 200, released.text
    assert "next 846" in released.json()["next"]
    [shown] = released.json()["items"]
    assert (shown["status"], shown["released_by"], shown["release_note"]) == ("released", "api:ops", "really gone")

    assert call(gateway, "GET", "/holds", tokens["ops"]).json()["items"] == []
    assert [h["sku"] for h in call(gateway, "GET", "/holds?status=released", tokens["ops"]).json()["items"]] == [
        "ACME-LAMP-02"]
    again = call(gateway, "POST", "/holds/ACME-LAMP-02/release", tokens["ops"])
    assert again.status_code == 404 and "ACME-LAMP-02" in again.json()["detail"]
    with session_scope(gateway.settings) as session:
        assert session.scalars(select(AuditEvent.actor).where(
            AuditEvent.action == "inventory.hold_released")).all() == ["api:ops"]

    # The zero goes out in the next feed.
    gateway.send(gateway.feed())
    assert gateway.told(gateway.deliver_all()[-1])["B07XJ8C8F5"] == 0


def test_a_truncated_snapshot_is_held_then_released_or_discarded(gateway, tokens):  # noqa: F811
    assert gateway.post(everything(50)).json()["outcome"] == "applied"
    short = gateway.post(report(level("ACME-MUG-01", 7)))
    assert short.json()["outcome"] == "held"
    [held] = call(gateway, "GET", "/snapshots?outcome=held", tokens["ops"]).json()["items"]
    assert (held["outcome"], held["item_count"], held["missing"], held["last_reported"]) == ("held", 1, 5, 6)
    assert len(call(gateway, "GET", "/snapshots", tokens["ops"]).json()["items"]) == 2
    assert call(gateway, "GET", "/snapshots?outcome=lost", tokens["ops"]).status_code == 400

    assert call(gateway, "POST", f"/snapshots/{held['id'] + 100}/release", tokens["ops"]).status_code == 404
    released = call(gateway, "POST", f"/snapshots/{held['id']}/release", tokens["ops"], {"note": "we sold out"})
    assert released.status_code == 200, released.text
    assert (released.json()["outcome"], released.json()["decided_by"]) == ("released", "api:ops")
    with session_scope(gateway.settings) as session:
        assert session.scalars(select(StockLevel.on_hand).where(StockLevel.sku == "ACME-MUG-01")).one() == 7
    assert call(gateway, "POST", f"/snapshots/{held['id']}/discard", tokens["ops"]).status_code == 404
    assert call(gateway, "GET", "/snapshots?outcome=held", tokens["ops"]).json()["items"] == []

    assert gateway.post(everything(50)).json()["outcome"] == "applied"
    other = gateway.post(report(level("ACME-MUG-01", 3)))
    assert other.json()["outcome"] == "held"
    [held] = call(gateway, "GET", "/snapshots?outcome=held", tokens["ops"]).json()["items"]
    discarded = call(gateway, "POST", f"/snapshots/{held['id']}/discard", tokens["admin"])
    assert (discarded.status_code, discarded.json()["outcome"]) == (200, "discarded")
    with session_scope(gateway.settings) as session:
        assert session.scalars(select(StockLevel.on_hand).where(StockLevel.sku == "ACME-MUG-01")).one() == 50


def test_a_feed_requested_over_the_api_is_planned_queued_and_readable(gateway, tokens):  # noqa: F811
    assert gateway.post(everything(50)).status_code == 202
    answer = call(gateway, "POST", "/feeds", tokens["ops"], {"partner": "AMAZON", "full": True})
    assert answer.status_code == 202, answer.text
    planned = answer.json()
    assert (planned["partner"], planned["kind"], planned["requested_by"], planned["item_count"]) == (
        "AMAZON", "full", "api:ops", 6)
    assert [b["status"] for b in planned["batches"]] == ["planned"]
    with session_scope(gateway.settings) as session:
        assert session.get(InventoryFeed, planned["id"]) is not None

    gateway.send(planned["id"])
    detail = call(gateway, "GET", f"/feeds/{planned['id']}", tokens["ims"]).json()
    assert detail["batches"][0]["message_id"] is not None and detail["batches"][0]["delivery"] == "pending"
    listed = call(gateway, "GET", "/feeds?partner=AMAZON", tokens["ops"]).json()["items"]
    assert [f["id"] for f in listed] == [planned["id"]] and "batches" not in listed[0]
    assert call(gateway, "GET", "/feeds?partner=NOBODY", tokens["ops"]).status_code == 404
    assert call(gateway, "GET", f"/feeds/{planned['id'] + 1}", tokens["ops"]).status_code == 404

    assert call(gateway, "POST", "/feeds", tokens["ops"], {"partner": "NOBODY"}).status_code == 404
    assert call(gateway, "POST", "/feeds", tokens["ops"], {"partner": "AMAZON", "full": "yes"}).status_code == 400
    assert call(gateway, "POST", "/feeds", tokens["ops"], {}).status_code == 400
    gateway.profile(enabled=False)
    refused = call(gateway, "POST", "/feeds", tokens["ops"], {"partner": "AMAZON"})
    assert refused.status_code == 409 and "--inventory" in refused.json()["detail"]


def test_the_drift_report_as_json_and_csv(gateway, tokens):  # noqa: F811
    assert gateway.post(everything(50)).status_code == 202
    gateway.send(gateway.feed())
    steady = call(gateway, "GET", "/drift", tokens["finance"]).json()
    assert steady["drifting"] == 0
    mug = next(row for row in steady["items"] if row["sku"] == "ACME-MUG-01")
    assert mug == {"partner": "AMAZON", "sku": "ACME-MUG-01", "amazon_open_units": 0, "ims_allocated_units": 0,
                   "open_order_gap": 0, "last_sent_quantity": 50, "available_now": 50, "availability_gap": 0}

    assert gateway.post(report(level("ACME-MUG-01", 30), complete=False)).json()["outcome"] == "applied"
    drifting = call(gateway, "GET", "/drift?only_drifting=true", tokens["ops"]).json()
    assert drifting["drifting"] == 1
    assert [(r["sku"], r["last_sent_quantity"], r["available_now"], r["availability_gap"])
            for r in drifting["items"]] == [("ACME-MUG-01", 50, 30, 20)]
    assert len(call(gateway, "GET", "/drift", tokens["ops"]).json()["items"]) > 1
    assert call(gateway, "GET", "/drift?only_drifting=maybe", tokens["ops"]).status_code == 400

    sheet = call(gateway, "GET", "/drift.csv?only_drifting=true", tokens["finance"])
    assert sheet.status_code == 200
    assert sheet.headers["Content-Type"].startswith("text/csv")
    assert sheet.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(sheet.text)))
    assert rows == [list(COLUMNS), ["AMAZON", "ACME-MUG-01", "0", "0", "0", "50", "30", "20"]]
    everything_sheet = list(csv.reader(io.StringIO(call(gateway, "GET", "/drift.csv", tokens["ops"]).text)))
    assert len(everything_sheet) == 1 + len(call(gateway, "GET", "/drift", tokens["ops"]).json()["items"])


def test_a_feed_asked_for_while_one_is_still_sending_is_409(gateway: Gateway):
    gateway.profile(batch_size=1, burst=1)
    assert gateway.post(everything()).status_code == 202
    first = gateway.feed()
    assert gateway.send(first).remaining == 5
    answer = httpx.post(f"{gateway.url}/api/v1/inventory/feeds", json={"partner": "AMAZON", "full": True},
                        headers={"Authorization": f"Bearer {gateway.ops_token}"}, timeout=30)
    assert answer.status_code == 409 and f"feed {first} to AMAZON still has 5 of its 6 batches" in answer.json()["detail"]
