"""Available to promise, the zero-stock guard, the truncated-snapshot guard, the token bucket
and the feed schedule: pure decisions, tested as tables and properties."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.inventory.availability import available_to_promise
from gateway.inventory.feeds import FeedKind, due_kind
from gateway.inventory.guard import HoldReason, SkuPosition, snapshot_check, zero_guard
from gateway.inventory.rate import draw
from gateway.partners.profile import InventorySettings

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("on_hand", "reserved", "allocated", "safety", "discontinued", "expected"), [
    (100, 10, 24, 2, False, 64),
    (100, 0, 0, 0, False, 100),
    (5, 4, 0, 0, False, 1),
    (5, 4, 3, 0, False, 0),  # never below zero
    (5, 0, 0, 10, False, 0),  # the safety stock takes all of it
    (9, 0, 0, 0, True, 0),  # discontinued offers nothing
    (0, 7, 0, 0, False, 0),  # reserved may exceed what is on hand
])
def test_available_to_promise(on_hand, reserved, allocated, safety, discontinued, expected):
    assert available_to_promise(on_hand, reserved, allocated, safety, discontinued=discontinued) == expected


counts = st.integers(min_value=0, max_value=10**6)


@given(counts, counts, counts, counts)
def test_available_to_promise_is_never_negative_nor_above_what_is_free(on_hand, reserved, allocated, safety):
    available = available_to_promise(on_hand, reserved, allocated, safety)
    assert 0 <= available <= max(0, on_hand - reserved - allocated)
    assert available == max(0, on_hand - reserved - allocated - safety)


@pytest.mark.parametrize(("position", "expected"), [
    (SkuPosition(5, 12, critical=False), None),  # stock: sent
    (SkuPosition(0, 12, critical=False), HoldReason.GOING_TO_ZERO),
    (SkuPosition(0, None, critical=False), None),  # never told anything: nothing to go from
    (SkuPosition(0, 0, critical=False), None),  # already zero at Amazon
    (SkuPosition(0, None, critical=True), HoldReason.CRITICAL_ZERO),
    (SkuPosition(0, 0, critical=True), HoldReason.CRITICAL_ZERO),  # a zero nobody let through
    (SkuPosition(0, 0, critical=True, zero_released=True), None),  # merchandising let this zero through
    (SkuPosition(0, 12, critical=True, zero_released=True), HoldReason.CRITICAL_ZERO),  # the release was for an earlier zero
    (SkuPosition(0, 12, critical=True, release_pending=True), None),  # released, not sent yet
    (SkuPosition(0, 12, critical=False, release_pending=True), None),
    (SkuPosition(0, 12, critical=True, discontinued=True), None),  # a discontinued SKU's zero is meant
])
def test_zero_guard(position, expected):
    assert zero_guard(position) == expected


@given(st.integers(min_value=1, max_value=10**6), st.one_of(st.none(), counts), st.booleans(), st.booleans())
def test_a_sku_with_stock_is_never_held(available, last_sent, critical, released):
    assert zero_guard(SkuPosition(available, last_sent, critical, zero_released=released)) is None


def test_a_snapshot_missing_more_than_the_share_is_held():
    before = [f"SKU-{n}" for n in range(100)]
    assert snapshot_check(before, before[:90], 0.10).held is False, "10% missing is within 10%"
    check = snapshot_check(before, before[:89], 0.10)
    assert (check.held, check.missing, check.last_reported, round(check.share, 2)) == (True, 11, 100, 0.11)
    assert snapshot_check(before, before[:89] + ["NEW-1", "NEW-2"], 0.10).held, "new SKUs do not make up for lost ones"
    assert snapshot_check([], ["A"], 0.10).held is False, "the first snapshot is never held"
    assert snapshot_check(before, [], 0.10).held, "an empty snapshot is held"


def test_the_bucket_allows_a_burst_then_the_rate():
    tokens, at, granted = 3.0, T0, 0
    for _ in range(3):
        result = draw(tokens, at, T0, per_minute=6, capacity=3)
        assert result.granted
        tokens, granted = result.tokens, granted + 1
    refused = draw(tokens, T0, T0, per_minute=6, capacity=3)
    assert (refused.granted, refused.wait_seconds) == (False, 10.0), "6 a minute: one every 10 s"
    later = draw(refused.tokens, T0, T0 + timedelta(seconds=10), per_minute=6, capacity=3)
    assert later.granted and later.tokens == pytest.approx(0.0)
    full = draw(0.0, T0, T0 + timedelta(hours=5), per_minute=6, capacity=3)
    assert full.tokens == pytest.approx(2.0), "never more than the capacity, less the token taken"


@given(st.floats(min_value=0, max_value=50), st.integers(min_value=0, max_value=10**5),
       st.floats(min_value=0.1, max_value=600), st.integers(min_value=1, max_value=50))
def test_the_bucket_never_grants_more_than_it_holds(tokens, seconds, per_minute, capacity):
    tokens = min(tokens, capacity)
    result = draw(tokens, T0, T0 + timedelta(seconds=seconds), per_minute=per_minute, capacity=capacity)
    assert 0 <= result.tokens <= capacity
    if result.granted:
        assert result.wait_seconds == 0
    else:
        assert result.tokens < 1 and result.wait_seconds > 0


def test_the_schedule_owes_a_full_feed_daily_and_changes_hourly():
    policy = InventorySettings(enabled=True)
    assert due_kind(policy, None, None, T0) is FeedKind.FULL
    assert due_kind(policy, T0, T0, T0 + timedelta(minutes=59)) is None
    assert due_kind(policy, T0, T0, T0 + timedelta(minutes=60)) is FeedKind.CHANGES
    assert due_kind(policy, T0, T0 + timedelta(hours=23), T0 + timedelta(hours=23, minutes=30)) is None
    assert due_kind(policy, T0, T0 + timedelta(hours=23), T0 + timedelta(hours=24)) is FeedKind.FULL
    quick = InventorySettings(enabled=True, full_every_hours=1, changes_every_minutes=5)
    assert due_kind(quick, T0, T0, T0 + timedelta(minutes=5)) is FeedKind.CHANGES
