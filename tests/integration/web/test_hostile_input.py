"""Hostile input over real HTTP is a 400 (or a 404 or 422), never a 500; on SQLite and PostgreSQL.

Each case here was a 500 before: a cursor whose id or time the database driver could not
take, a limit of thousands of digits, a NUL that PostgreSQL refuses in a query, JSON
nested 100 000 levels deep, an IMS callback or a page id past INTEGER. An API answer
must also be the API's problem document.
"""
from __future__ import annotations

import base64

import httpx
import pytest

from tests.integration.web.test_api import PROBLEM, api  # noqa: F401  (api is a fixture)
from tests.support.operations_pages import site  # noqa: F401  (a fixture)


def cursor_of(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def assert_problem_400(answer: httpx.Response) -> dict:
    assert answer.status_code == 400, answer.text[:300]
    assert answer.headers["Content-Type"] == PROBLEM
    return answer.json()


@pytest.mark.parametrize("cursor", [
    "A" * 20_000,  # huge
    cursor_of("2026-11-20T08:00:00+00:00|99999999999999999999"),  # id past any integer column
    cursor_of("2026-11-20T08:00:00+00:00|-5"),
    cursor_of("0001-01-01T00:00:00+14:00|5"),  # before year 1 once in UTC
    cursor_of("2026-11-20T08:00:00+00:00|" + "9" * 5000),  # past Python's int_max_str_digits
    "%%%",
    "\x00",
], ids=["huge", "id-overflow", "negative-id", "time-overflow", "digits", "not-base64", "nul"])
def test_a_bad_cursor_is_a_400_naming_it(api, cursor):
    body = assert_problem_400(api.get("/api/v1/purchase-orders", cursor=cursor))
    assert body.get("parameter", "cursor") == "cursor"


def test_an_absurd_limit_is_a_400(api):
    body = assert_problem_400(api.get("/api/v1/purchase-orders", limit="9" * 10_000))
    assert body["parameter"] == "limit"


@pytest.mark.parametrize("path", [
    "/api/v1/purchase-orders/PO%00X",
    "/api/v1/purchase-orders/PO1?vendor_code=%00",
    "/api/v1/catalogue/EN/5012%00",
    "/api/v1/catalogue/%00/1",
    "/api/v1/exceptions?kind=%00",
])
def test_a_nul_in_the_address_is_a_400_not_a_database_error(api, path):
    answer = httpx.get(api.url + path, headers=api.auth("admin"), timeout=10)
    assert "NUL" in assert_problem_400(answer)["detail"]


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000],
                         ids=["arrays", "objects"])
def test_deeply_nested_json_is_a_400(api, body):
    answer = httpx.put(api.url + "/api/v1/catalogue", content=body,
                       headers={**api.auth("admin"), "Content-Type": "application/json"}, timeout=30)
    assert_problem_400(answer)
    answer = httpx.post(api.url + "/api/v1/ims/allocations", content=body,
                        headers={**api.auth("ims"), "Content-Type": "application/json"}, timeout=30)
    assert_problem_400(answer)


@pytest.mark.parametrize("body", [b"[\xff\xfe\x00]", b"\xff\xfe\x00\x00not json", b'[{"a": "\xc3\x28"}]'],
                         ids=["latin", "utf16-bom-garbage", "bad-utf8"])
def test_a_body_that_is_not_utf8_json_is_a_400(api, body):
    answer = httpx.put(api.url + "/api/v1/catalogue", content=body,
                       headers={**api.auth("admin"), "Content-Type": "application/json"}, timeout=10)
    assert_problem_400(answer)


def test_the_catalogue_is_unchanged_after_hostile_bodies(api):
    httpx.put(api.url + "/api/v1/catalogue", content=b"[" * 50_000,
              headers={**api.auth("admin"), "Content-Type": "application/json"}, timeout=30)
    assert api.get("/api/v1/catalogue").json() == {"items": []}


def test_a_nul_in_a_form_field_is_a_400_on_the_pages_too(site):
    with site.client() as client:
        answer = client.post("/login", data={"username": "admin\x00", "password": "x", "csrf_token": "x"})
        assert answer.status_code == 400
        assert client.get("/exceptions?kind=%00").status_code == 400


@pytest.mark.parametrize("change", [{"po_number": "PO\x00X"}, {"vendor_code": "\x00"}, {"revision": 2**63}],
                         ids=["nul-po", "nul-vendor", "huge-revision"])
def test_an_ims_callback_the_database_cannot_take_is_a_422(api, change):
    body = {"po_number": "PO1", "status": "open", "revision": 1, "lines": [], **change}
    answer = httpx.post(api.url + "/api/v1/ims/allocations", json=body, headers=api.auth("ims"), timeout=10)
    assert answer.status_code == 422, answer.text[:300]


def test_a_record_id_past_any_row_is_a_404_page_not_a_database_error(site):
    with site.sign_in("admin") as client:
        for path in ("/exceptions/99999999999999999999", "/messages/99999999999999999999"):
            assert client.get(path).status_code == 404
        assert client.get("/exceptions/2147483647").status_code == 404  # the largest id: looked up, not there
