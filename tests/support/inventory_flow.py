"""A gateway that owes Amazon an 846: Amazon as a partner with the inventory feed switched
on, the test catalogue, warehouse WH1, the app on real HTTP. The IMS's side posts stock to
it; Amazon's side receives the 846s it sends.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from edi_maps.x12.reader import X12Reader
from gateway.access.tokens import create_token
from gateway.catalogue.items import import_catalogue, read_catalogue_csv
from gateway.inventory.feeds import FeedKind, Progress, plan_feed, send_feed
from gateway.models import Message, TradingPartner
from gateway.partners.registry import update_profile
from gateway.platform.db import session_scope
from gateway.shipping.warehouses import WarehouseAddress, add_or_update_warehouse
from gateway.web import create_app
from tests.fixtures import AMAZON_FIXTURES
from tests.support.amazon import AmazonSimulator
from tests.support.purchase_orders import amazon_partner, attempt
from tests.support.servers import serve_in_thread

STOCK = "/api/v1/ims/stock"
# The test catalogue's SKUs; ACME-LAMP-02 is the critical one.
SKUS = ("ACME-MUG-01", "ACME-CANDLE-12", "ACME-LAMP-02", "ACME-MUG-02", "ACME-TEE-BLK-M", "ACME-SOAP-03")


def level(sku: str, on_hand: int, reserved: int = 0, allocated: int = 0, **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"sku": sku, "on_hand": on_hand, "reserved": reserved, "allocated": allocated,
                             "available": max(0, on_hand - reserved - allocated), "discontinued": False,
                             "restock_date": None}
    entry.update(changes)
    return entry


def report(*items: dict[str, Any], complete: bool = True, as_of: datetime | None = None,
           **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"as_of": (as_of or datetime.now(timezone.utc)).isoformat(), "complete": complete,
                            "items": list(items)}
    body.update(changes)
    return body


def everything(on_hand: int = 50) -> dict[str, Any]:
    """A complete snapshot with every catalogue SKU at ``on_hand``."""
    return report(*(level(sku, on_hand) for sku in SKUS))


@dataclass
class Gateway:
    url: str
    settings: Any
    amazon: AmazonSimulator
    token: str
    ops_token: str

    def post(self, body: Any, path: str = STOCK, token: str | None = None) -> httpx.Response:
        return httpx.post(f"{self.url}{path}", json=body, timeout=60,
                          headers={"Authorization": f"Bearer {token or self.token}"})

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=30, headers={"Authorization": f"Bearer {self.ops_token}"})

    def profile(self, **inventory: Any) -> None:
        with session_scope(self.settings) as session:
            update_profile(self.partner(session), "inventory", inventory)

    def partner(self, session) -> TradingPartner:
        return session.scalars(select(TradingPartner).where(TradingPartner.as2_id == "AMAZON")).one()

    def feed(self, kind: FeedKind = FeedKind.FULL, now: datetime | None = None) -> int:
        """Plan a feed now; returns its id."""
        with session_scope(self.settings) as session:
            return plan_feed(session, self.partner(session), kind, requested_by="test",
                             now=now or datetime.now(timezone.utc)).id

    def send(self, feed_id: int, now: datetime | None = None) -> Progress:
        return send_feed(self.settings, feed_id, now=now)

    def deliver_all(self) -> list[list[str]]:
        """Send every queued 846 to Amazon (one real attempt each); returns each as its body segments."""
        with session_scope(self.settings) as session:
            ids = list(session.scalars(select(Message.id).where(Message.document_type == "846",
                                                                Message.status == "queued").order_by(Message.id)))
        before = len(self.amazon.received)
        for message_id in ids:
            assert attempt(self.settings, message_id) == "delivered"
        return [_body(payload) for payload in self.amazon.received[before:]]

    def told(self, feed_body: list[str]) -> dict[str, int]:
        """{first LIN identifier: QTY*33 quantity} of one 846 body."""
        told, current = {}, None
        for segment in feed_body:
            parts = segment.split("*")
            if parts[0] == "LIN":
                current = parts[3]
            elif parts[0] == "QTY" and parts[1] == "33":
                told[current] = int(parts[2])
        return told


def _body(payload: bytes) -> list[str]:
    return ["*".join(segment.elements) for segment in X12Reader(io.BytesIO(payload))]


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    """Amazon as a partner with the 846 switched on, the test catalogue, WH1, the app on HTTP."""
    with amazon_partner(settings) as amazon:
        with session_scope(settings) as session:
            import_catalogue(session, read_catalogue_csv(AMAZON_FIXTURES / "catalogue.csv"), actor="test")
            add_or_update_warehouse(session, "WH1", WarehouseAddress("Acme Reno DC", "1 Main St", "Reno", "89501",
                                                                     "US", "NV"))
            partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == "AMAZON")).one()
            update_profile(partner, "inventory", {"enabled": True})
            token, ops_token = create_token(session, "ims"), create_token(session, "ops")
        with serve_in_thread(create_app(settings)) as url:
            yield Gateway(url, settings, amazon, token, ops_token)
