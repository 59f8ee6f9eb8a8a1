"""The inventory pages over real HTTP with signed-in people: the SKUs the zero-stock guard
holds and their release (ops and admin; finance reads), the held stock snapshots released
or discarded, the feeds with each 846 in words, the drift report and its CSV, and the home
page's count; on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from gateway.inventory.drift import COLUMNS
from gateway.models import AuditEvent, InventoryHold, StockLevel, StockReport
from gateway.platform.db import session_scope
from tests.integration.web.test_purchase_order_pages import table
from tests.support.inventory_flow import Gateway, everything, gateway, level, report  # noqa: F401  (a fixture)
from tests.support.operations_pages import post_form, site  # noqa: F401  (a fixture)

LAMP = "ACME-LAMP-02"  # critical in the test catalogue: its zero is held


def held_lamp(gateway: Gateway) -> int:
    """Every SKU in stock but the critical lamp, at zero: the feed holds it. Returns the hold's id."""
    assert gateway.post(everything(50)).status_code == 202
    gateway.send(gateway.feed())
    gateway.deliver_all()
    body = report(*(level(sku, 0 if sku == LAMP else 50) for sku in
                    ("ACME-MUG-01", "ACME-CANDLE-12", LAMP, "ACME-MUG-02", "ACME-TEE-BLK-M", "ACME-SOAP-03")))
    assert gateway.post(body).json()["outcome"] == "applied"
    gateway.feed()
    with session_scope(gateway.settings) as session:
        [hold] = session.scalars(select(InventoryHold).where(InventoryHold.sku == LAMP))
        return hold.id


def held_snapshot(gateway: Gateway, body) -> int:
    """Post a complete snapshot that must be held; returns its id."""
    assert gateway.post(body).json()["outcome"] == "held"
    with session_scope(gateway.settings) as session:
        return session.scalars(select(StockReport.id).where(StockReport.outcome == "held")).one()


def test_a_held_critical_sku_is_listed_and_released_with_a_note(site, gateway):
    hold_id = held_lamp(gateway)
    with site.sign_in("ops") as client:
        home = client.get("/").text
        assert 'href="/inventory/holds">1 SKU held at zero</a>' in home
        overview = client.get("/inventory")
        assert overview.status_code == 200 and 'aria-current="page">Inventory</a>' in overview.text
        assert 'id="held-skus" href="/inventory/holds">1 SKU held at zero</a>' in overview.text

        page = client.get("/inventory/holds")
        [row] = table(page.text, "holds")
        assert row[:5] == [LAMP, "AMAZON", "", "it is a critical SKU at zero", "50"]
        assert row[5].endswith(" UTC")
        assert f'action="/inventory/holds/{hold_id}/release"' in page.text

        released = post_form(client, "/inventory/holds", f"/inventory/holds/{hold_id}/release",
                             note="discontinued by merchandising")
        assert released.status_code == 200 and str(released.url).endswith("/inventory/holds")
        assert f"Released SKU {LAMP}: its zero goes out in the next 846." in released.text
        assert table(released.text, "holds") == [["No SKU is held."]]
        assert "held at zero" not in client.get("/").text

        again = post_form(client, "/inventory/holds", f"/inventory/holds/{hold_id}/release")
        assert f"SKU {LAMP} is no longer held (released): nothing to release." in again.text
        assert post_form(client, "/inventory/holds", "/inventory/holds/99999/release").status_code == 404

        [ended] = table(client.get("/inventory/holds", params={"show": "ended"}).text, "holds")
        assert ended[0] == LAMP and ended[-1].startswith("released ")
        assert ended[-1].endswith("by user:ops: discontinued by merchandising")
        assert client.get("/inventory/holds", params={"show": "everything"}).status_code == 400
    with session_scope(gateway.settings) as session:
        hold = session.get(InventoryHold, hold_id)
        assert (hold.status, hold.released_by) == ("released", "user:ops")
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == LAMP)).all()[-1] \
            == "inventory.hold_released"


def test_finance_sees_the_holds_without_a_button_and_may_not_release(site, gateway):
    hold_id = held_lamp(gateway)
    with site.sign_in("finance") as client:
        page = client.get("/inventory/holds")
        assert [row[0] for row in table(page.text, "holds")] == [LAMP]
        assert "/release" not in page.text and ">Release</button>" not in page.text
        refused = post_form(client, "/inventory/holds", f"/inventory/holds/{hold_id}/release")
        assert refused.status_code == 403
    with site.sign_in("ops") as client:
        forged = client.post(f"/inventory/holds/{hold_id}/release", data={"note": "forged"})
        assert forged.status_code == 400 and "CSRF" in forged.text
    with session_scope(gateway.settings) as session:
        assert session.get(InventoryHold, hold_id).status == "held"


def test_a_held_snapshot_is_listed_and_released_or_discarded(site, gateway):
    assert gateway.post(everything(50)).json()["outcome"] == "applied"
    first = held_snapshot(gateway, report(level("ACME-MUG-01", 7)))
    with site.sign_in("finance") as client:
        assert [row[0] for row in table(client.get("/inventory").text, "snapshots")] == [
            f"{first} (push)"]
        assert "/discard" not in client.get("/inventory").text
        assert post_form(client, "/inventory", f"/inventory/snapshots/{first}/discard").status_code == 403
    with site.sign_in("admin") as client:
        home = client.get("/").text
        assert 'href="/inventory#held-snapshots">1 stock snapshot waiting for a decision</a>' in home
        [row] = table(client.get("/inventory").text, "snapshots")
        assert row[1:5] == [row[1], "every", "1", "5 of 6"]
        discarded = post_form(client, "/inventory", f"/inventory/snapshots/{first}/discard")
        assert f"Stock snapshot {first} discarded" in discarded.text
        assert table(discarded.text, "snapshots") == [["No stock snapshot is held."]]

        second = held_snapshot(gateway, report(level("ACME-CANDLE-12", 9)))
        released = post_form(client, "/inventory", f"/inventory/snapshots/{second}/release")
        assert f"Stock snapshot {second} released: its levels are applied" in released.text
        assert table(released.text, "snapshots") == [["No stock snapshot is held."]]
        again = post_form(client, "/inventory", f"/inventory/snapshots/{second}/release")
        assert f"Stock snapshot {second} is not held: nothing to release." in again.text
    with session_scope(gateway.settings) as session:
        assert session.get(StockReport, first).outcome == "discarded"
        assert (session.get(StockReport, second).outcome,
                session.get(StockReport, second).decided_by) == ("released", "user:admin")
        assert session.scalars(select(StockLevel.on_hand).where(StockLevel.sku == "ACME-CANDLE-12")).one() == 9


def test_the_feeds_say_where_each_846_stands(site, gateway):
    assert gateway.post(everything(50)).status_code == 202
    gateway.send(gateway.feed())
    gateway.deliver_all()
    html = site.read("finance", "/inventory")
    [feed] = table(html, "feeds")
    assert feed[1:6] == ["AMAZON", "full", "sent", "6", "0"]
    assert feed[6].startswith("1: 6 items, delivered ") and ", 997 waiting (message " in feed[6]


def test_the_drift_page_and_its_csv_show_the_rows(site, gateway):
    assert gateway.post(everything(50)).status_code == 202
    gateway.send(gateway.feed())
    gateway.deliver_all()
    told = {sku: 50 for sku in ("ACME-MUG-01", "ACME-CANDLE-12")}
    assert gateway.post(report(*(level(sku, 10 if sku in told else 50) for sku in
                                 ("ACME-MUG-01", "ACME-CANDLE-12", LAMP, "ACME-MUG-02", "ACME-TEE-BLK-M",
                                  "ACME-SOAP-03")))).status_code == 202
    with site.sign_in("finance") as client:
        page = client.get("/inventory/drift")
        rows = table(page.text, "drift")
        drifting = sorted(row[1] for row in rows if row[-1] == "drifts")
        assert drifting == sorted(told) and len(rows) >= 6
        assert 'class="drifting"' in page.text
        assert 'href="/inventory/drift.csv">Download CSV</a>' in page.text
        only = table(client.get("/inventory/drift", params={"drifting": "1"}).text, "drift")
        assert sorted(row[1] for row in only) == sorted(told)
        for row in only:
            assert row[0] == "AMAZON" and int(row[5]) - int(row[6]) == int(row[7]) > 0

        answer = client.get("/inventory/drift.csv")
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(answer.text)))
        assert tuple(lines[0]) == COLUMNS and len(lines) == len(rows) + 1
        assert sorted(line[1] for line in lines[1:]) == sorted(row[1] for row in rows)
        drifting_csv = list(csv.reader(io.StringIO(client.get("/inventory/drift.csv?drifting=1").text)))
        assert sorted(line[1] for line in drifting_csv[1:]) == sorted(told)
    with site.client() as client:
        assert client.get("/inventory/drift.csv", follow_redirects=False).status_code == 302
