"""Sales orders over real HTTP: allocation on create, idempotent retries, changes, cancellation."""
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.integration.reference_ims.contract import assert_matches
from tests.integration.reference_ims.sales_orders import create_order, line, order_body, stock


def test_create_allocates_per_line_and_answers_the_contract(ims):
    body = order_body("PO100001", ("ACME-MUG-01", 10), ("ACME-LAMP-02", 60), ("ACME-MUG-02", 3), ("NOT-A-SKU", 1))
    response = create_order(ims, body)

    assert response.status_code == 201, response.text
    assert response.headers["Location"] == "/api/v1/sales-orders/PO100001"
    order = response.json()
    assert_matches("SalesOrder", order)
    assert (order["po_number"], order["status"], order["revision"]) == ("PO100001", "open", 1)
    assert order["ship_window"] == {"not_before": "2026-12-01", "not_after": "2026-12-08"}
    quantities = {item["sku"]: (item["ordered"], item["allocated"], item["backordered"], item["unavailable"],
                                item["status"], item["unavailable_reason"]) for item in order["lines"]}
    assert quantities == {
        "ACME-MUG-01": (10, 10, 0, 0, "allocated", None),
        "ACME-LAMP-02": (60, 40, 20, 0, "partially_allocated", None),  # 10 of the 50 are reserved
        "ACME-MUG-02": (3, 0, 3, 0, "backordered", None),
        "NOT-A-SKU": (1, 0, 0, 1, "unavailable", "unknown_sku"),
    }
    assert line(order, "1")["unit_cost"] == "12.50"
    assert ims.get("/api/v1/sales-orders/PO100001").json() == order


def test_without_back_orders_the_rest_is_unavailable(ims):
    order = create_order(ims, order_body("PO100002", ("ACME-TEE-BLK-M", 10), backorder_allowed=False)).json()
    assert (line(order, "1")["allocated"], line(order, "1")["backordered"], line(order, "1")["unavailable"]) == (4, 0, 6)
    assert line(order, "1")["unavailable_reason"] == "out_of_stock"


def test_the_same_create_twice_makes_one_order(ims):
    body = order_body("PO100003", ("ACME-MUG-01", 30))
    first = create_order(ims, body)
    again = create_order(ims, dict(reversed(body.items())))  # key order does not matter

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert stock(ims, "ACME-MUG-01")["allocated"] == 30


def test_simultaneous_creates_make_one_order(ims):
    body = order_body("PO100013", ("ACME-MUG-01", 10))
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(lambda _: create_order(ims, body).status_code, range(8)))

    assert statuses == [200] * 7 + [201]
    assert stock(ims, "ACME-MUG-01")["allocated"] == 10


def test_commit_then_timeout_then_retry_returns_the_committed_order(ims):
    body = order_body("PO100004", ("ACME-CANDLE-12", 24))
    armed = ims.post("/_faults", json={"mode": "commit_then_timeout", "count": 1, "delay_seconds": 3})
    assert armed.status_code == 204

    with pytest.raises(httpx.ReadTimeout):
        create_order(ims, body, timeout=0.5)
    retry = create_order(ims, body)

    assert retry.status_code == 200, retry.text
    assert retry.json()["revision"] == 1
    assert line(retry.json(), "1")["allocated"] == 24
    assert stock(ims, "ACME-CANDLE-12")["allocated"] == 24  # one order, not two


def test_the_same_key_with_another_body_is_a_conflict(ims):
    create_order(ims, order_body("PO100005", ("ACME-MUG-01", 1)))
    response = create_order(ims, order_body("PO100005", ("ACME-MUG-01", 2)))

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert_matches("Problem", response.json())
    assert "PO100005" in response.json()["detail"]
    assert stock(ims, "ACME-MUG-01")["allocated"] == 1


def test_a_body_breaking_the_contract_is_refused_with_pointers(ims):
    body = order_body("PO100006", ("ACME-MUG-01", 0))
    body["lines"][0]["unit_cost"] = 12.5
    body["colour"] = "blue"
    response = ims.post("/api/v1/sales-orders", json=body, headers={"Idempotency-Key": "PO999999"})

    assert response.status_code == 422
    assert_matches("Problem", response.json())
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/po_number", "/colour", "/lines/0/quantity", "/lines/0/unit_cost"}
    assert ims.get("/api/v1/sales-orders/PO100006").status_code == 404


def test_not_json_is_a_bad_request(ims):
    response = ims.post("/api/v1/sales-orders", content=b"PO100007", headers={"Idempotency-Key": "PO100007"})
    assert response.status_code == 400
    assert_matches("Problem", response.json())


def test_an_unknown_order_is_not_found(ims):
    response = ims.get("/api/v1/sales-orders/PO404404")
    assert response.status_code == 404
    assert_matches("Problem", response.json())


def test_patch_reallocates(ims):
    create_order(ims, order_body("PO100008", ("ACME-LAMP-02", 60), ("ACME-MUG-01", 5)))
    response = ims.patch("/api/v1/sales-orders/PO100008", json={
        "ship_window": {"not_before": "2026-12-03", "not_after": "2026-12-10"},
        "lines": [{"line_number": "1", "quantity": 30}, {"line_number": "2", "cancelled": True}],
    })

    assert response.status_code == 200, response.text
    order = response.json()
    assert_matches("SalesOrder", order)
    assert order["revision"] == 2
    assert order["ship_window"] == {"not_before": "2026-12-03", "not_after": "2026-12-10"}
    assert (line(order, "1")["ordered"], line(order, "1")["allocated"], line(order, "1")["backordered"]) == (30, 30, 0)
    assert line(order, "2")["status"] == "cancelled" and line(order, "2")["allocated"] == 0
    assert stock(ims, "ACME-LAMP-02")["available"] == 10
    assert stock(ims, "ACME-MUG-01")["allocated"] == 0

    raised = ims.patch("/api/v1/sales-orders/PO100008", json={"lines": [{"line_number": "1", "quantity": 45}]})
    assert (line(raised.json(), "1")["allocated"], line(raised.json(), "1")["backordered"]) == (40, 5)


def test_a_repeated_change_changes_nothing(ims):
    create_order(ims, order_body("PO100012", ("ACME-MUG-01", 5)))
    change = {"ship_window": {"not_before": "2026-12-02", "not_after": "2026-12-09"},
              "lines": [{"line_number": "1", "quantity": 7}]}
    first = ims.patch("/api/v1/sales-orders/PO100012", json=change).json()
    again = ims.patch("/api/v1/sales-orders/PO100012", json=change).json()

    assert (first["revision"], again["revision"]) == (2, 2)
    assert again == first
    assert stock(ims, "ACME-MUG-01")["allocated"] == 7


def test_patch_refuses_cancelled_lines_and_unknown_lines(ims):
    create_order(ims, order_body("PO100009", ("ACME-MUG-01", 5)))
    ims.patch("/api/v1/sales-orders/PO100009", json={"lines": [{"line_number": "1", "cancelled": True}]})

    again = ims.patch("/api/v1/sales-orders/PO100009", json={"lines": [{"line_number": "1", "quantity": 3}]})
    unknown = ims.patch("/api/v1/sales-orders/PO100009", json={"lines": [{"line_number": "7", "quantity": 3}]})
    both = ims.patch("/api/v1/sales-orders/PO100009", json={"lines": [{"line_number": "1", "quantity": 3, "cancelled": True}]})

    assert (again.status_code, unknown.status_code, both.status_code) == (409, 422, 422)
    for response in (again, unknown, both):
        assert_matches("Problem", response.json())


def test_cancel_releases_stock_to_the_next_order(ims):
    create_order(ims, order_body("PO100010", ("ACME-TEE-BLK-M", 4)))
    waiting = create_order(ims, order_body("PO100011", ("ACME-TEE-BLK-M", 3))).json()
    assert line(waiting, "1")["backordered"] == 3

    cancelled = ims.post("/api/v1/sales-orders/PO100010/cancel")
    assert cancelled.status_code == 200
    assert_matches("SalesOrder", cancelled.json())
    assert cancelled.json()["status"] == "cancelled"
    assert [item["status"] for item in cancelled.json()["lines"]] == ["cancelled"]

    served = ims.get("/api/v1/sales-orders/PO100011").json()
    assert (line(served, "1")["allocated"], line(served, "1")["backordered"], served["revision"]) == (3, 0, 2)
    assert stock(ims, "ACME-TEE-BLK-M")["allocated"] == 3
    assert ims.post("/api/v1/sales-orders/PO100010/cancel").json() == cancelled.json()
    assert ims.patch("/api/v1/sales-orders/PO100010", json={"lines": [{"line_number": "1", "quantity": 1}]}).status_code == 409
