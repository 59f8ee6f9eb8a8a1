"""Building and sending sales orders the way the gateway will."""
from __future__ import annotations

import httpx


def order_body(po_number: str, *lines: tuple[str, int], backorder_allowed: bool = True) -> dict:
    """A create body with one line per (sku, quantity), numbered from 1."""
    return {
        "po_number": po_number,
        "vendor_code": "ACME1",
        "order_type": "NE",
        "ship_to": "RNO1",
        "ship_window": {"not_before": "2026-12-01", "not_after": "2026-12-08"},
        "backorder_allowed": backorder_allowed,
        "lines": [
            {"line_number": str(number), "sku": sku, "quantity": quantity, "unit_cost": "12.50"}
            for number, (sku, quantity) in enumerate(lines, start=1)
        ],
    }


def create_order(client: httpx.Client, body: dict, **options) -> httpx.Response:
    return client.post("/api/v1/sales-orders", json=body, headers={"Idempotency-Key": body["po_number"]}, **options)


def line(order: dict, line_number: str) -> dict:
    return next(item for item in order["lines"] if item["line_number"] == line_number)


def stock(client: httpx.Client, sku: str) -> dict:
    response = client.get(f"/api/v1/stock/{sku}")
    assert response.status_code == 200, response.text
    return response.json()
