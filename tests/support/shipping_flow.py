"""A gateway with Amazon as a partner and one acknowledged PO, on real HTTP, for the tests of
shipments and invoices: the IMS's side posts to it, Amazon's side receives what it sends.

The PO and its allocation are seeded as intake and the IMS leave them; the 855 is the
gateway's own work, delivered to the fake Amazon with a verified MDN.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from biip.checksums import gs1_standard_check_digit

from edi_maps.x12.reader import X12Reader
from gateway.access.tokens import create_token
from gateway.invoicing.remit_to import set_remit_to
from gateway.platform.db import session_scope
from gateway.shipping.warehouses import WarehouseAddress, add_or_update_warehouse
from gateway.web import create_app
from tests.support.amazon import AmazonSimulator
from tests.support.purchase_orders import Line, acknowledge, allocated_po, amazon_partner, attempt
from tests.support.servers import serve_in_thread

PO = "8SHIP1PO"
# 24 mugs by the each, all allocated; 2 cases of 12 candles, all allocated.
LINES = (Line("5012345678900", 24, 24), Line("012345678905", 2, 24, sku="ACME-CANDLE-12", unit="CA", cost="40.00",
                                                                 pack_size=12))


def sscc(serial: int, extension: str = "0") -> str:
    body = f"{extension}0614141{serial:09d}"
    return body + str(gs1_standard_check_digit(body))


@dataclass
class Gateway:
    url: str
    settings: Any
    amazon: AmazonSimulator
    token: str
    ops_token: str

    def post(self, body: dict[str, Any], path: str = "/api/v1/ims/shipments") -> httpx.Response:
        return httpx.post(f"{self.url}{path}", json=body, timeout=30, headers={"Authorization": f"Bearer {self.token}"})

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=30, headers={"Authorization": f"Bearer {self.ops_token}"})

    def asn_message_id(self, shipment_id: str) -> int:
        return self.get(f"/api/v1/shipments/{shipment_id}").json()["asn"]["message_id"]

    def received_856s(self) -> list[list[str]]:
        return self.received(b"ST*856*")

    def received(self, set_header: bytes) -> list[list[str]]:
        """Each interchange Amazon received holding ``set_header`` (e.g. b"ST*810*"), as segments."""
        return [["*".join(segment.elements) for segment in X12Reader(io.BytesIO(payload))]
                for payload in self.amazon.received if set_header in payload]


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    """Amazon as a partner, warehouse WH1, PO 8SHIP1PO acknowledged (855 delivered), the app on HTTP."""
    received = datetime.now(timezone.utc) - timedelta(hours=3)
    with amazon_partner(settings) as amazon:
        with session_scope(settings) as session:
            add_or_update_warehouse(session, "WH1", WarehouseAddress("Acme Reno DC", "1 Main St", "Reno", "89501",
                                                                     "US", "NV"))
            set_remit_to(session, WarehouseAddress("Acme Brands Inc", "9 Pay Street", "Boston", "02110", "US", "MA"))
            token, ops_token = create_token(session, "ims"), create_token(session, "ops")
        po_id = allocated_po(settings, PO, LINES, received_at=received)
        assert attempt(settings, acknowledge(settings, po_id, now=received + timedelta(minutes=5))) == "delivered"
        with serve_in_thread(create_app(settings)) as url:
            yield Gateway(url, settings, amazon, token, ops_token)


def shipment(shipment_id: str = "SHP-1", **changes: Any) -> dict[str, Any]:
    """Two mug cartons and two candle cartons (a case each) on one pallet, leaving now."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    body: dict[str, Any] = {
        "shipment_id": shipment_id, "ship_date": now.date().isoformat(), "shipped_at": now.isoformat(),
        "estimated_delivery_date": (now.date() + timedelta(days=2)).isoformat(), "ship_from": "WH1",
        "ship_to": "RNO1", "carrier_scac": "ABFS", "bill_of_lading": f"BOL-{shipment_id}", "pro_number": "PRO5521873",
        "pallets": [{"pallet_id": "P1", "sscc": sscc(1, "1")}],
        "cartons": [
            {"sscc": sscc(1), "pallet_id": "P1", "po_number": PO, "weight": 10.5,
             "items": [{"line_number": "1", "sku": "ACME-MUG-01", "quantity": 12, "lot_number": None, "expiry_date": None}]},
            {"sscc": sscc(2), "pallet_id": "P1", "po_number": PO, "weight": 10.5,
             "items": [{"line_number": "1", "sku": "ACME-MUG-01", "quantity": 12, "lot_number": None, "expiry_date": None}]},
            {"sscc": sscc(3), "pallet_id": "P1", "po_number": PO, "weight": 8,
             "items": [{"line_number": "2", "sku": "ACME-CANDLE-12", "quantity": 12, "lot_number": None,
                        "expiry_date": None}]},
            {"sscc": sscc(4), "pallet_id": "P1", "po_number": PO, "weight": 8,
             "items": [{"line_number": "2", "sku": "ACME-CANDLE-12", "quantity": 12, "lot_number": None,
                        "expiry_date": None}]},
        ],
    }
    body.update(changes)
    return body
