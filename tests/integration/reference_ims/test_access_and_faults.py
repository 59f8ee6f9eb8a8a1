"""Bearer tokens, and the test-only faults the gateway's retries are tested against."""
import time

import httpx
import pytest

from tests.integration.reference_ims.contract import assert_matches
from tests.integration.reference_ims.sales_orders import create_order, order_body


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic aW1zLXRlc3QtdG9rZW4=", "Bearer"])
@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/stock"),
    ("POST", "/api/v1/sales-orders"),
    ("GET", "/api/v1/sales-orders/PO300001"),
    ("POST", "/_faults"),
])
def test_a_token_is_required(ims, authorization, method, path):
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.request(method, f"{ims.base_url}{path}", headers=headers, json={})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["Content-Type"] == "application/problem+json"
    assert_matches("Problem", response.json())


def test_health_needs_no_token(ims):
    assert httpx.get(f"{ims.base_url}/healthz").json() == {"status": "ok"}


def test_down_answers_503_for_the_next_requests(ims):
    assert ims.post("/_faults", json={"mode": "down", "count": 2}).status_code == 204

    statuses = [ims.get("/api/v1/stock").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_down_answers_503_even_without_a_token(ims):
    ims.post("/_faults", json={"mode": "down", "count": 1})
    response = httpx.get(f"{ims.base_url}/api/v1/stock")
    assert response.status_code == 503
    assert_matches("Problem", response.json())


def test_down_for_seconds(ims):
    ims.post("/_faults", json={"mode": "down_for_seconds", "seconds": 1})

    refused = create_order(ims, order_body("PO300002", ("ACME-MUG-01", 1)))
    time.sleep(1.2)
    accepted = create_order(ims, order_body("PO300002", ("ACME-MUG-01", 1)))
    assert (refused.status_code, accepted.status_code) == (503, 201)


def test_a_bad_fault_is_refused(ims):
    response = ims.post("/_faults", json={"mode": "explode"})
    assert response.status_code == 422
    assert_matches("Problem", response.json())


def test_no_faults_without_the_start_up_flag(start_ims):
    ims = start_ims()
    assert ims.post("/_faults", json={"mode": "down", "count": 5}).status_code == 404
    assert ims.get("/api/v1/stock").status_code == 200
