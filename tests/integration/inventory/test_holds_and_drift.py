"""The zero-stock guard, the truncated-snapshot guard and drift, against a real database with
the stock posted over real HTTP: what is held, what merchandising is told, what releases it,
and what the 846 then tells Amazon."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from gateway.inventory.drift import drift_report, watch_drift
from gateway.inventory.feeds import FeedKind
from gateway.inventory.holds import HoldStatus, holds_of, release_sku
from gateway.inventory.stock import decide_held_report
from gateway.models import InventoryHold, OperationalException, PurchaseOrder, StockLevel
from gateway.platform.db import session_scope
from tests.support.inventory_flow import SKUS, Gateway, everything, gateway, level, report  # noqa: F401
from tests.support.purchase_orders import Line, acknowledge, allocated_po, attempt

MUG, LAMP = "5012345678900", "B07XJ8C8F5"  # the LIN identifiers Amazon knows them by; the lamp is critical


def open_exceptions(settings, kind: str) -> list[OperationalException]:
    with session_scope(settings) as session:
        return list(session.scalars(select(OperationalException).where(
            OperationalException.kind == kind, OperationalException.status != "resolved")))


def sent_once(gateway: Gateway, kind: FeedKind = FeedKind.FULL, now: datetime | None = None) -> dict[str, int]:
    """Plan a feed, send it and deliver it; what it told Amazon ({} when nothing was sent)."""
    gateway.send(gateway.feed(kind, now=now), now=now)
    told: dict[str, int] = {}
    for body in gateway.deliver_all():
        told.update(gateway.told(body))
    return told


def test_a_sku_going_to_zero_is_held_until_a_person_releases_it(gateway: Gateway):
    assert gateway.post(everything(on_hand=12)).status_code == 202
    assert sent_once(gateway)[MUG] == 12
    assert gateway.post(report(level("ACME-MUG-01", 0), complete=False)).status_code == 202

    told = sent_once(gateway, FeedKind.CHANGES)
    assert MUG not in told, "held: absent from the 846"
    with session_scope(gateway.settings) as session:
        [hold] = holds_of(session, sku="ACME-MUG-01")
        assert (hold.reason, hold.last_sent_quantity) == ("going_to_zero", 12)
    [raised] = open_exceptions(gateway.settings, "stock_zero_held")
    assert "SKU ACME-MUG-01" in raised.message and "it is going to zero" in raised.message
    assert "last been told 12" in raised.message and "until a person releases it" in raised.message
    assert MUG not in sent_once(gateway, FeedKind.FULL), "absent from every 846, full ones too"

    with session_scope(gateway.settings) as session:
        [released] = release_sku(session, "ACME-MUG-01", actor="user:merch", note="really sold out")
        assert released.status == "released"
    assert open_exceptions(gateway.settings, "stock_zero_held") == []
    assert sent_once(gateway, FeedKind.CHANGES) == {MUG: 0}, "released: the zero goes out"
    assert MUG in sent_once(gateway, FeedKind.FULL) and open_exceptions(gateway.settings, "stock_zero_held") == [], \
        "a released zero is not held again while it stays zero"


def test_a_critical_sku_at_zero_is_held_even_when_amazon_never_heard_of_it(gateway: Gateway):
    assert gateway.post(report(*(level(sku, 0 if sku == "ACME-LAMP-02" else 5) for sku in SKUS))).status_code == 202
    told = sent_once(gateway)
    assert LAMP not in told and len(told) == 5
    with session_scope(gateway.settings) as session:
        [hold] = holds_of(session, sku="ACME-LAMP-02")
        assert (hold.reason, hold.last_sent_quantity) == ("critical_zero", None)
    # Stock comes back before anyone released it: the hold clears and the quantity goes out.
    assert gateway.post(report(level("ACME-LAMP-02", 3), complete=False)).status_code == 202
    assert sent_once(gateway, FeedKind.CHANGES) == {LAMP: 3}
    with session_scope(gateway.settings) as session:
        assert session.scalars(select(InventoryHold.status)).all() == ["cleared"]
    assert open_exceptions(gateway.settings, "stock_zero_held") == []


def test_the_partner_policy_releases_a_hold_after_its_timeout(gateway: Gateway):
    gateway.profile(hold_release_hours=4)
    start = datetime.now(timezone.utc)
    assert gateway.post(report(level("ACME-LAMP-02", 0))).status_code == 202
    assert sent_once(gateway, now=start) == {}
    [raised] = open_exceptions(gateway.settings, "stock_zero_held")
    assert "releases itself at" in raised.message and "(partner policy)" in raised.message
    assert sent_once(gateway, FeedKind.CHANGES, now=start + timedelta(hours=3)) == {}
    assert sent_once(gateway, FeedKind.CHANGES, now=start + timedelta(hours=4, minutes=1)) == {LAMP: 0}
    with session_scope(gateway.settings) as session:
        [hold] = holds_of(session, sku="ACME-LAMP-02", status=(HoldStatus.RELEASED,))
        assert hold.released_by == "policy"


def test_a_truncated_snapshot_is_held_whole_until_released(gateway: Gateway):
    assert gateway.post(everything(on_hand=9)).status_code == 202
    cut = gateway.post(report(level("ACME-MUG-01", 1), level("ACME-CANDLE-12", 1), level("ACME-LAMP-02", 1),
                              level("ACME-MUG-02", 1), level("ACME-TEE-BLK-M", 1)))  # 1 of 6 left out: 17%
    assert (cut.status_code, cut.json()["outcome"]) == (202, "held")
    [raised] = open_exceptions(gateway.settings, "stock_snapshot_held")
    assert raised.severity == "critical" and "leaves out 1 of the 6 SKUs" in raised.message
    with session_scope(gateway.settings) as session:
        assert set(session.scalars(select(StockLevel.on_hand))) == {9}, "nothing of it applied"
    assert set(sent_once(gateway).values()) == {9}

    decide_held_report(gateway.settings, int(raised.subject_id), release=True, actor="user:ops")
    assert open_exceptions(gateway.settings, "stock_snapshot_held") == []
    with session_scope(gateway.settings) as session:
        soap = session.scalars(select(StockLevel).where(StockLevel.sku == "ACME-SOAP-03")).one()
        assert soap.missing_since is not None, "left out: unknown to the IMS, not zero"
    told = sent_once(gateway)
    assert len(told) == 5 and set(told.values()) == {1} and "036000291452" not in told
    assert [e.subject_id for e in open_exceptions(gateway.settings, "catalogue_sku_not_in_ims")] == ["ACME-SOAP-03"]


def test_a_held_snapshot_can_be_discarded(gateway: Gateway):
    assert gateway.post(everything(on_hand=9)).status_code == 202
    assert gateway.post(report(level("ACME-MUG-01", 1))).json()["outcome"] == "held"
    [raised] = open_exceptions(gateway.settings, "stock_snapshot_held")
    decide_held_report(gateway.settings, int(raised.subject_id), release=False, actor="user:ops")
    with session_scope(gateway.settings) as session:
        assert set(session.scalars(select(StockLevel.on_hand))) == {9}
    assert open_exceptions(gateway.settings, "stock_snapshot_held") == []


def test_catalogue_drift_is_raised_and_resolves_itself(gateway: Gateway):
    body = report(*(level(sku, 5) for sku in SKUS if sku != "ACME-SOAP-03"), level("ACME-UNSOLD-9", 40))
    assert gateway.post(body).status_code == 202
    [unmapped] = open_exceptions(gateway.settings, "ims_sku_not_in_catalogue")
    assert unmapped.subject_id == "ACME-UNSOLD-9" and "no Amazon identifier" in unmapped.message
    [missing] = open_exceptions(gateway.settings, "catalogue_sku_not_in_ims")
    assert missing.subject_id == "ACME-SOAP-03"
    assert gateway.post(report(level("ACME-SOAP-03", 2), complete=False)).status_code == 202
    assert open_exceptions(gateway.settings, "catalogue_sku_not_in_ims") == []


def test_the_drift_report_shows_open_orders_and_what_amazon_was_told(gateway: Gateway):
    received = datetime.now(timezone.utc) - timedelta(hours=2)
    # 24 mugs ordered, 20 allocated and accepted in the 855; then the IMS took 5 of them away.
    po = allocated_po(gateway.settings, "8DRIFT01", (Line("5012345678900", 24, 20),), received_at=received)
    assert attempt(gateway.settings, acknowledge(gateway.settings, po, now=received)) == "delivered"
    with session_scope(gateway.settings) as session:
        session.get(PurchaseOrder, po).lines[0].allocated = 15
    assert gateway.post(everything(on_hand=30)).status_code == 202
    sent_once(gateway)
    assert gateway.post(report(level("ACME-MUG-01", 18), complete=False)).status_code == 202
    with session_scope(gateway.settings) as session:
        rows = {row.sku: row for row in drift_report(session)}
    mugs = rows["ACME-MUG-01"]
    assert (mugs.amazon_open_units, mugs.ims_allocated_units, mugs.open_order_gap) == (20, 15, 5)
    assert (mugs.last_sent_quantity, mugs.available_now, mugs.availability_gap) == (30, 18, 12)
    assert rows["ACME-CANDLE-12"].drifts is False
    assert watch_drift(gateway.settings) >= 1
    [raised] = open_exceptions(gateway.settings, "stock_drift")
    assert "ACME-MUG-01" in raised.message and "/inventory/drift" in raised.message
