"""Stock in over real HTTP, the 846 out over real AS2 to a fake Amazon that decrypts it and
verifies our signature, on SQLite and PostgreSQL: available to promise, batches, the
partner's rate, a crash half way, and what each feed tells Amazon."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from edi_maps.validation import validate_interchange
from gateway.inventory.feeds import FeedKind
from gateway.models import InventoryBatch, Message
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
