"""Stock over real HTTP: the fixture file, reserved stock, arriving stock and the callback to the gateway."""
import pytest

from tests.integration.reference_ims.conftest import GATEWAY_TOKEN
from tests.integration.reference_ims.contract import assert_matches
from tests.integration.reference_ims.sales_orders import create_order, line, order_body, stock


def test_the_fixture_stock_loads(ims):
    response = ims.get("/api/v1/stock")

    assert response.status_code == 200
    assert_matches("StockList", response.json())
    levels = {item["sku"]: (item["on_hand"], item["reserved"], item["allocated"], item["available"])
              for item in response.json()["items"]}
    assert levels == {
        "ACME-CANDLE-12": (240, 0, 0, 240),
        "ACME-LAMP-02": (50, 10, 0, 40),
        "ACME-MUG-01": (100, 0, 0, 100),
        "ACME-MUG-02": (0, 0, 0, 0),
        "ACME-SOAP-03": (8, 8, 0, 0),
        "ACME-TEE-BLK-M": (4, 0, 0, 4),
    }
    assert ims.get("/api/v1/stock/ACME-NOPE").status_code == 404


def test_reserved_stock_is_never_allocated(ims):
    """ACME-SOAP-03 has 8 on hand, all held for other channels: Amazon gets none of it."""
    backordered = create_order(ims, order_body("PO200001", ("ACME-SOAP-03", 8))).json()
    refused = create_order(ims, order_body("PO200002", ("ACME-SOAP-03", 1), backorder_allowed=False)).json()
    ims.put("/api/v1/stock/ACME-MUG-01", json={"on_hand": 500, "reserved": 0})  # re-allocation elsewhere
    ims.patch("/api/v1/sales-orders/PO200001", json={"lines": [{"line_number": "1", "quantity": 2}]})

    assert (line(backordered, "1")["allocated"], line(backordered, "1")["backordered"]) == (0, 8)
    assert (line(refused, "1")["allocated"], line(refused, "1")["unavailable_reason"]) == (0, "out_of_stock")
    assert line(ims.get("/api/v1/sales-orders/PO200001").json(), "1")["allocated"] == 0
    assert (stock(ims, "ACME-SOAP-03")["allocated"], stock(ims, "ACME-SOAP-03")["available"]) == (0, 0)


def test_put_stock_sets_and_replaces(ims):
    response = ims.put("/api/v1/stock/NEW-SKU", json={"on_hand": 7, "reserved": 2, "restock_date": "2026-12-20",
                                                     "discontinued": True, "location": "B2"})
    assert response.status_code == 200, response.text
    assert_matches("StockLevel", response.json())
    assert response.json()["locations"] == [{"location": "B2", "on_hand": 7, "reserved": 2}]

    replaced = ims.put("/api/v1/stock/NEW-SKU", json={"on_hand": 3, "reserved": 0}).json()
    assert (replaced["on_hand"], replaced["reserved"], replaced["restock_date"], replaced["discontinued"]) == (10, 2, None, False)
    assert len(replaced["locations"]) == 2

    refused = ims.put("/api/v1/stock/NEW-SKU", json={"on_hand": -1, "reserved": 0})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"pointer": "/on_hand", "detail": "must be a whole number of at least 0"}]


def test_restock_date_is_the_backorder_ship_date(ims):
    create_order(ims, order_body("PO200003", ("ACME-MUG-02", 5)))
    ims.put("/api/v1/stock/ACME-MUG-02", json={"on_hand": 0, "reserved": 0, "restock_date": "2026-12-20"})

    order = ims.get("/api/v1/sales-orders/PO200003").json()
    assert (line(order, "1")["backordered"], line(order, "1")["backorder_ship_date"], order["revision"]) == (5, "2026-12-20", 2)


def test_stock_taken_away_is_released_from_the_newest_order(ims):
    create_order(ims, order_body("PO200004", ("ACME-TEE-BLK-M", 2)))
    create_order(ims, order_body("PO200005", ("ACME-TEE-BLK-M", 2)))
    ims.put("/api/v1/stock/ACME-TEE-BLK-M", json={"on_hand": 4, "reserved": 1})

    older, newer = (ims.get(f"/api/v1/sales-orders/{po}").json() for po in ("PO200004", "PO200005"))
    assert line(older, "1")["allocated"] == 2
    assert (line(newer, "1")["allocated"], line(newer, "1")["backordered"]) == (1, 1)


def test_arriving_stock_is_reported_to_the_gateway(start_ims, callback_receiver):
    ims = start_ims(callback_url=callback_receiver.url, callback_token=GATEWAY_TOKEN)
    created = create_order(ims, order_body("PO200006", ("ACME-MUG-02", 6), ("ACME-MUG-01", 1))).json()
    assert line(created, "1")["backordered"] == 6

    ims.put("/api/v1/stock/ACME-MUG-02", json={"on_hand": 10, "reserved": 0})
    headers, body, _ = callback_receiver.next()

    assert headers["Authorization"] == f"Bearer {GATEWAY_TOKEN}"
    assert headers["Content-Type"] == "application/json"
    assert_matches("SalesOrder", body)
    assert (body["po_number"], body["revision"]) == ("PO200006", 2)
    assert (line(body, "1")["allocated"], line(body, "1")["backordered"], line(body, "1")["status"]) == (6, 0, "allocated")
    assert body == ims.get("/api/v1/sales-orders/PO200006").json()
    assert callback_receiver.received.empty()  # the create itself is answered, not called back


def test_a_failing_gateway_gets_the_callback_again(start_ims, callback_receiver):
    ims = start_ims(callback_url=callback_receiver.url, callback_token=GATEWAY_TOKEN)
    callback_receiver.statuses = [503]
    create_order(ims, order_body("PO200007", ("ACME-MUG-02", 1)))
    ims.put("/api/v1/stock/ACME-MUG-02", json={"on_hand": 1, "reserved": 0})

    first = callback_receiver.next()
    second = callback_receiver.next()
    assert (first[2], second[2]) == (503, 202)
    assert second[1]["revision"] == 2


@pytest.mark.parametrize("status", [401, 404])
def test_a_refused_callback_is_not_retried(start_ims, callback_receiver, status):
    ims = start_ims(callback_url=callback_receiver.url, callback_token=GATEWAY_TOKEN)
    callback_receiver.statuses = [status]
    create_order(ims, order_body("PO200008", ("ACME-MUG-02", 1)))
    ims.put("/api/v1/stock/ACME-MUG-02", json={"on_hand": 1, "reserved": 0})

    assert callback_receiver.next()[2] == status
    with pytest.raises(AssertionError, match="no allocation callback"):
        callback_receiver.next(timeout=1.5)
    assert ims.get("/healthz").status_code == 200
