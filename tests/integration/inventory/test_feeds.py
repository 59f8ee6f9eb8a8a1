"""Stock in over real HTTP, the 846 out over real AS2 to a fake Amazon that decrypts it and
verifies our signature, on SQLite and PostgreSQL: available to promise, batches, the
partner's rate, a crash half way, and what each feed tells Amazon."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from edi_maps.validation import validate_interchange
from gateway.inventory.feeds import FeedKind
from gateway.models import InventoryBatch, InventoryFeed, Message, OperationalException
from gateway.platform.db import session_scope
from tests.support.inventory_flow import Gateway, everything, gateway, level, report  # noqa: F401


def test_a_full_feed_offers_what_is_available_to_promise(gateway: Gateway):
    gateway.profile(safety_stock=2)
    stock = report(level("ACME-MUG-01", 100, reserved=10, allocated=24),  # 100 - 10 - 24 - 2 = 64
                   level("ACME-CANDLE-12", 240, allocated=24),  # 240 - 24 - 2 = 214
                   level("ACME-LAMP-02", 5, reserved=4),  # never below zero: 0, but critical: held
                   level("ACME-TEE-BLK-M", 9, discontinued=True),  # discontinued: 0, sent
                   level("ACME-MUG-02", 3, reserved=1))  # 3 - 1 - 2 = 0, never sent before: sent
    answer = gateway.post(stock)
    assert (answer.status_code, answer.json()["outcome"]) == (202, "applied"), answer.text
    feed = gateway.feed()
    progress = gateway.send(feed)
    assert (progress.queued, progress.remaining) == (1, 0)
    [body] = gateway.deliver_all()
    assert gateway.told(body) == {"5012345678900": 64, "012345678905": 214, "ACME-TEE-BLK-M": 0, "5012345678917": 0}
    assert validate_interchange(gateway.amazon.received[-1]).is_valid


def test_a_feed_is_batched_one_transaction_set_per_batch(gateway: Gateway):
    gateway.profile(batch_size=2)
    assert gateway.post(everything(on_hand=7)).status_code == 202
    progress = gateway.send(gateway.feed())
    assert (progress.queued, progress.remaining) == (3, 0), "6 SKUs, 2 a set"
    bodies = gateway.deliver_all()
    assert len(bodies) == 3
    references = []
    for body in bodies:
        sets = [s for s in body if s.startswith("ST*")]
        assert len(sets) == 1 and sets[0].startswith("ST*846*")
        bia = next(s for s in body if s.startswith("BIA*"))
        references.append(bia.split("*")[3])
        assert sum(1 for s in body if s.startswith("LIN*")) == 2
        assert f"CTT*2" in body
    assert len(set(references)) == 3, "each set named apart (BIA03)"
    told = {}
    for body in bodies:
        told.update(gateway.told(body))
    assert set(told.values()) == {7} and len(told) == 6


def test_the_partner_rate_holds_sends_back_until_the_bucket_refills(gateway: Gateway):
    gateway.profile(batch_size=1, burst=2, sends_per_minute=6)
    assert gateway.post(everything()).status_code == 202
    now = datetime.now(timezone.utc)
    feed = gateway.feed(now=now)
    first = gateway.send(feed, now=now)
    assert (first.queued, first.remaining, first.wait_seconds) == (2, 4, pytest.approx(10.0))
    assert gateway.send(feed, now=now + timedelta(seconds=5)).queued == 0, "half a token is no token"
    assert gateway.send(feed, now=now + timedelta(seconds=10)).queued == 1
    later = gateway.send(feed, now=now + timedelta(seconds=40))
    assert (later.queued, later.remaining) == (2, 1), "30 s later: 3 tokens earned, but the bucket holds 2"
    assert gateway.send(feed, now=now + timedelta(seconds=50)).queued == 1
    assert len(gateway.deliver_all()) == 6


def test_a_crash_half_way_resumes_without_sending_a_batch_twice(gateway: Gateway, monkeypatch):
    gateway.profile(batch_size=2)
    assert gateway.post(everything()).status_code == 202
    feed = gateway.feed()
    import gateway.inventory.feeds as feeds

    real = feeds.send_document
    calls = []

    class WorkerKilled(BaseException):
        """What a killed worker looks like to the code it ran: it stops, nothing is caught."""

    def crash_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise WorkerKilled()
        return real(*args, **kwargs)

    monkeypatch.setattr(feeds, "send_document", crash_on_the_second)
    with pytest.raises(WorkerKilled):
        gateway.send(feed)
    with session_scope(gateway.settings) as session:
        statuses = list(session.scalars(select(InventoryBatch.status).where(InventoryBatch.feed_id == feed)
                                        .order_by(InventoryBatch.sequence)))
    assert statuses == ["queued", "planned", "planned"], "the crashed batch rolled back, still owed"
    monkeypatch.setattr(feeds, "send_document", real)
    # The beat's run finds the feed still sending and carries on.
    assert feeds.run_schedule(gateway.settings) == [feed]
    assert gateway.send(feed).queued == 2
    assert gateway.send(feed).queued == 0, "nothing left: a second run sends nothing"
    with session_scope(gateway.settings) as session:
        messages = session.scalar(select(func.count()).select_from(Message).where(Message.document_type == "846"))
    assert messages == 3
    bodies = gateway.deliver_all()
    skus = [s for body in bodies for s in body if s.startswith("LIN*")]
    assert len(skus) == len(set(skus)) == 6, "every SKU once"


def test_a_changes_feed_sends_only_what_changed(gateway: Gateway):
    assert gateway.post(everything(on_hand=10)).status_code == 202
    gateway.send(gateway.feed())
    gateway.deliver_all()
    assert gateway.post(report(level("ACME-MUG-01", 4), level("ACME-SOAP-03", 10), complete=False)).status_code == 202
    gateway.send(gateway.feed(FeedKind.CHANGES))
    [body] = gateway.deliver_all()
    assert gateway.told(body) == {"5012345678900": 4}, "the soap did not change"
    empty = gateway.feed(FeedKind.CHANGES)
    with session_scope(gateway.settings) as session:
        assert session.get(InventoryFeed, empty).status == "empty", "nothing changed since: nothing to send"


def test_stale_and_repeated_reports_change_nothing(gateway: Gateway):
    now = datetime.now(timezone.utc)
    assert gateway.post(report(level("ACME-MUG-01", 10), complete=False, as_of=now)).json()["outcome"] == "applied"
    again = gateway.post(report(level("ACME-MUG-01", 10), complete=False, as_of=now))
    assert (again.status_code, again.json()["outcome"]) == (202, "unchanged")
    stale = gateway.post(report(level("ACME-MUG-01", 99), complete=False, as_of=now - timedelta(minutes=5)))
    assert (stale.status_code, stale.json()["outcome"]) == (202, "stale")
    gateway.send(gateway.feed())
    [body] = gateway.deliver_all()
    assert gateway.told(body) == {"5012345678900": 10}


def test_a_bad_report_is_refused_with_every_problem(gateway: Gateway):
    answer = gateway.post({"as_of": "soon", "complete": True, "items": [level("ACME-MUG-01", -3), {"sku": ""}]})
    assert answer.status_code == 422
    pointers = {error["pointer"] for error in answer.json()["errors"]}
    assert {"/as_of", "/items/0/on_hand", "/items/1/sku", "/items/1/on_hand"} <= pointers
    assert gateway.post(everything(), token=gateway.ops_token).status_code == 403, "only the IMS posts stock"


def test_a_batch_the_map_refuses_fails_the_feed_in_the_open_and_blocks_no_later_one(gateway: Gateway, monkeypatch):
    assert gateway.post(everything()).status_code == 202
    import gateway.inventory.feeds as feeds

    def refuse(*args, **kwargs):
        raise ValueError("LIN03 identifier 'X' is longer than 48 characters")

    monkeypatch.setattr(feeds, "send_document", refuse)
    feed = gateway.feed()
    assert gateway.send(feed).queued == 0
    with session_scope(gateway.settings) as session:
        assert session.get(InventoryFeed, feed).status == "failed"
        [raised] = session.scalars(select(OperationalException).where(
            OperationalException.kind == "inventory_feed_failed")).all()
        assert "LIN03 identifier" in raised.message and "inventory push" in raised.message
    monkeypatch.undo()
    assert feeds.run_schedule(gateway.settings) == [], "the failed feed is not resumed"
    second = feeds.request_feed(gateway.settings, "AMAZON", full=True, requested_by="test")
    assert gateway.send(second.id).queued == 1


def test_no_second_feed_is_planned_while_one_is_still_sending(gateway: Gateway):
    gateway.profile(batch_size=1, burst=1)
    assert gateway.post(everything()).status_code == 202
    import gateway.inventory.feeds as feeds

    first = feeds.request_feed(gateway.settings, "AMAZON", full=True, requested_by="test")
    assert gateway.send(first.id).remaining == 5
    with pytest.raises(feeds.FeedInProgress, match="still has 5 of its 6 batches to send"):
        feeds.request_feed(gateway.settings, "AMAZON", full=False, requested_by="test")
    assert feeds.run_schedule(gateway.settings) == [first.id], "the schedule plans nothing new, resumes the first"
