"""The 846 end to end: the IMS's stock reaches the gateway (posted by the IMS over HTTP, or
pulled by a worker from the reference IMS), a real worker plans the feed and sends it over
AS2, and Amazon decrypts it, verifies our signature and checks it against our 846 map and
Bots' 846 grammar."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import select

from edi_maps.validation import validate_interchange
from edi_maps.x12.reader import X12Reader
from gateway.access.tokens import create_token
from gateway.models import StockReport, TradingPartner
from gateway.partners.registry import update_profile
from gateway.platform.db import session_scope
from gateway.platform.queue import enqueue
from tests.support.independent_x12 import independent_errors
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow  # starts a worker process


def told(payload: bytes) -> dict[str, int]:
    """{first LIN identifier: QTY*33} of the 846 in ``payload``."""
    quantities, current = {}, None
    for segment in X12Reader(io.BytesIO(payload)):
        if segment.tag == "LIN":
            current = segment.elements[3]
        elif segment.tag == "QTY" and segment.elements[1] == "33":
            quantities[current] = int(segment.elements[2])
    return quantities


def switch_on_inventory(stack) -> None:
    with session_scope(stack.settings) as session:
        partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == "AMAZON")).one()
        update_profile(partner, "inventory", {"enabled": True, "safety_stock": 1})


def test_stock_posted_by_the_ims_becomes_an_846_at_amazon(stack, ims):
    switch_on_inventory(stack)
    with session_scope(stack.settings) as session:
        token = create_token(session, "ims", "e2e")
    stock = {"as_of": datetime.now(timezone.utc).isoformat(), "complete": True, "items": [
        {"sku": "ACME-MUG-01", "on_hand": 100, "reserved": 10, "allocated": 30, "available": 60,
         "discontinued": False, "restock_date": None},
        {"sku": "ACME-CANDLE-12", "on_hand": 240, "reserved": 0, "allocated": 0, "available": 240,
         "discontinued": False, "restock_date": None}]}
    answer = httpx.post(f"{stack.url}/api/v1/ims/stock", json=stock, headers={"Authorization": f"Bearer {token}"})
    assert (answer.status_code, answer.json()["outcome"]) == (202, "applied"), answer.text
    stack.start_worker()
    enqueue(stack.settings, "workers.tasks.run_inventory_schedule")
    payload = wait_for(lambda: next((p for p in stack.amazon.received if b"ST*846*" in p), None), 90,
                       f"the 846 at Amazon\n{stack.worker_log()}")
    assert validate_interchange(payload).is_valid, "Amazon's check: our 846 map"
    assert independent_errors(payload) == [], "Bots' 846004010 grammar agrees"
    # Available to promise: on hand - reserved - allocated - the partner's safety stock of 1.
    assert told(payload) == {"5012345678900": 59, "012345678905": 239}


def test_stock_pulled_from_an_ims_that_does_not_push_becomes_an_846(stack, ims):
    switch_on_inventory(stack)
    stack.environment["EDI_GATEWAY_STOCK_PULL_MINUTES"] = "1"
    stack.start_worker()
    enqueue(stack.settings, "workers.tasks.pull_stock")

    def pulled():
        with session_scope(stack.settings) as session:
            return session.scalars(select(StockReport).where(StockReport.source == "pull")).first()

    report = wait_for(pulled, 60, f"the pull\n{stack.worker_log()}")
    assert (report.outcome, report.complete) == ("applied", True)
    enqueue(stack.settings, "workers.tasks.run_inventory_schedule")
    payload = wait_for(lambda: next((p for p in stack.amazon.received if b"ST*846*" in p), None), 90,
                       f"the 846 at Amazon\n{stack.worker_log()}")
    assert validate_interchange(payload).is_valid
    stock = {level["sku"]: level for level in ims.client.get("/api/v1/stock").json()["items"]}
    mug = stock["ACME-MUG-01"]
    assert told(payload)["5012345678900"] == max(0, mug["on_hand"] - mug["reserved"] - mug["allocated"] - 1)
