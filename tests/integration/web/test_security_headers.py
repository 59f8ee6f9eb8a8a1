"""Security headers on every answer: signed-in pages, the sign-in page, the API, errors and /as2.

HSTS is checked both ways, since it pins browsers to https for a year: only when
EDI_GATEWAY_PUBLIC_URL is https.
"""
from __future__ import annotations

import httpx
import pytest

from gateway.access.tokens import create_token
from gateway.platform.db import session_scope
from gateway.web import create_app
from gateway.web.security_headers import CONTENT_SECURITY_POLICY
from tests.conftest import make_settings
from tests.support.operations_pages import site  # noqa: F401  (a fixture)

ALWAYS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_secured(answer: httpx.Response, *, cached: bool = False) -> None:
    for name, value in ALWAYS.items():
        assert answer.headers.get(name) == value, (answer.request.url, name)
    assert ("no-store" in answer.headers.get("Cache-Control", "")) is not cached, answer.request.url
    assert "Strict-Transport-Security" not in answer.headers  # PUBLIC_URL is http here


def test_the_policy_allows_no_script_and_no_framing():
    assert "script-src" not in CONTENT_SECURITY_POLICY and "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_every_page_a_signed_in_person_sees_is_secured_and_never_cached(site):
    with site.sign_in("admin") as client:
        for path in ("/", "/exceptions", "/tracker", "/messages", "/users", "/exceptions/999999",
                     "/inventory", "/inventory/holds", "/inventory/drift", "/inventory/drift.csv",
                     "/remittances", "/remittances.csv", "/remittances/TRN-NEVER", "/finance/month-close",
                     "/finance/month-close.csv", "/finance/month-close?month=2026-13"):
            assert_secured(client.get(path))
    with site.client() as client:
        assert_secured(client.get("/login"))
        assert_secured(client.get("/assets/gateway.css"), cached=True)  # the stylesheet may be cached


def test_api_answers_and_problems_are_secured(site):
    with session_scope(site.settings) as session:
        token = create_token(session, "admin")
    headers = {"Authorization": f"Bearer {token}"}
    for path, status in (("/api/v1/catalogue", 200), ("/api/v1/nothing-here", 404), ("/api/v1/exceptions?kind=x", 400)):
        answer = httpx.get(site.url + path, headers=headers, timeout=10)
        assert answer.status_code == status
        assert_secured(answer)
    assert_secured(httpx.get(site.url + "/api/v1/catalogue", timeout=10))  # 401
    assert_secured(httpx.get(site.url + "/healthz", timeout=10))


def test_as2_answers_carry_the_headers_too(site):
    answer = httpx.post(site.url + "/as2", content=b"not as2", timeout=10)
    assert answer.status_code < 500
    assert_secured(answer)


@pytest.mark.parametrize("public_url, pinned", [("https://edi.example.com", True), ("http://127.0.0.1:8080", False)])
def test_hsts_only_when_the_gateway_is_reached_over_https(tmp_path, public_url, pinned):
    from gateway.platform import db

    settings = make_settings(tmp_path, public_url=public_url)
    db.upgrade(settings)
    answer = create_app(settings).test_client().get("/login")
    assert ("Strict-Transport-Security" in answer.headers) is pinned
    if pinned:
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
