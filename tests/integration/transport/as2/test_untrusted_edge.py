"""Hostile senders at the AS2 endpoint, over real HTTP: refusals shut an address out with
429, a full disk turns messages away with 503, and strangers' noise is one counted
exception that never hides a critical one."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from gateway.access.users import create_user
from gateway.models import Message, OperationalException
from gateway.operations.exception_queue import record_exception
from gateway.platform.db import session_scope
from gateway.web import create_app
from tests.conftest import POSTGRES_AND_REDIS
from tests.integration.conftest import running_stack
from tests.support.operations_pages import PASSWORD, csrf_token
from tests.support.servers import serve_in_thread


def stranger_post(url: str, *, sender: str = "STRANGER", headers: dict[str, str] | None = None) -> httpx.Response:
    """A one-byte AS2 post from a sender nobody configured."""
    return httpx.post(f"{url}/as2", content=b"x", timeout=30, headers={
        "AS2-From": sender, "AS2-To": "ACMEBRANDS", "Message-ID": f"<{uuid.uuid4().hex}@stranger>",
        "Content-Type": "application/pkcs7-mime", **(headers or {})})


def stored_messages(settings) -> int:
    with session_scope(settings) as session:
        return session.scalar(select(func.count()).select_from(Message))


def test_an_address_refused_too_often_gets_429_before_any_work_and_a_forged_forwarded_for_does_not_help(
        tmp_path, free_port):
    with running_stack(tmp_path, free_port, as2_refusal_limit="5", as2_refusal_window_seconds="600") as stack:
        assert [stranger_post(stack.url).status_code for _ in range(5)] == [400] * 5
        shut_out = stranger_post(stack.url)
        assert shut_out.status_code == 429
        assert 1 <= int(shut_out.headers["Retry-After"]) <= 600
        spoofed = stranger_post(stack.url, headers={"X-Forwarded-For": "203.0.113.9"})
        assert spoofed.status_code == 429, "no trusted proxy: X-Forwarded-For is not the client's address"
        assert httpx.post(f"{stack.url}/as2/mdn", content=b"x").status_code == 429, "the MDN endpoint too"
        assert stored_messages(stack.settings) == 5, "a shut-out request is not stored"
        assert httpx.get(f"{stack.url}/healthz").status_code == 200, "other endpoints still answer"


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_on_its_own(tmp_path, free_port):
    with running_stack(tmp_path, free_port, as2_refusal_limit="2", trusted_proxies="1") as stack:
        first = [stranger_post(stack.url, headers={"X-Forwarded-For": "198.51.100.1"}).status_code
                 for _ in range(3)]
        second = stranger_post(stack.url, headers={"X-Forwarded-For": "198.51.100.2"}).status_code
    assert first == [400, 400, 429]
    assert second == 400, "another client behind the same proxy is not shut out"


def test_below_the_free_disk_floor_as2_answers_503_before_storing_and_readyz_names_the_disk(tmp_path, free_port):
    with running_stack(tmp_path, free_port, min_free_disk_mb=str(10**9)) as stack:  # a petabyte: always short
        turned_away = stack.amazon.send(stack.url, b"ISA*...")[1]
        ready = httpx.get(f"{stack.url}/readyz")
        assert stored_messages(stack.settings) == 0
    assert turned_away.status_code == 503 and int(turned_away.headers["Retry-After"]) > 0
    assert ready.status_code == 503
    disk = ready.json()["checks"]["disk"]
    assert disk["ok"] is False and "EDI_GATEWAY_MIN_FREE_DISK_MB" in disk["error"]
    assert ready.json()["checks"]["database"]["ok"] is True


@pytest.mark.parametrize("backend", ["sqlite", POSTGRES_AND_REDIS])
def test_110_posts_from_a_stranger_are_one_medium_exception_counted_110_times(backend, request, tmp_path, free_port):
    databases = {} if backend == "sqlite" else {"database_url": request.getfixturevalue("postgres_url"),
                                                 "broker_url": request.getfixturevalue("redis_url")}
    with running_stack(tmp_path, free_port, as2_refusal_limit="1000", **databases) as stack:
        with ThreadPoolExecutor(8) as pool:  # in parallel, as a flood comes
            answers = list(pool.map(lambda _: stranger_post(stack.url).status_code, range(110)))
        stranger_post(stack.url, sender="OTHER-STRANGER")
        with session_scope(stack.settings) as session:
            rows = session.scalars(select(OperationalException).order_by(OperationalException.id)).all()
            found = [(row.kind, row.severity, row.subject_id, row.count) for row in rows]
    assert answers == [400] * 110
    assert found == [("inbound_rejected", "medium", "STRANGER", 110),
                     ("inbound_rejected", "medium", "OTHER-STRANGER", 1)]


def test_the_home_page_shows_every_critical_exception_however_many_high_ones_there_are(settings):
    with session_scope(settings) as session:
        create_user(session, "ops", PASSWORD, "ops")
        for number in range(150):
            record_exception(session, "ims_call_failed", f"IMS down {number}",
                             subject_type="test", subject_id=f"high-{number}")
        for number in range(120):
            record_exception(session, "ack_late", f"855 late for PO CRIT{number:04d}", subject_type="test",
                             subject_id=f"critical-{number}")
    with serve_in_thread(create_app(settings)) as url, httpx.Client(base_url=url, follow_redirects=True) as client:
        page = client.get("/login")
        client.post("/login", data={"username": "ops", "password": PASSWORD, "csrf_token": csrf_token(page.text)})
        home = client.get("/").text
    urgent = home.split('id="overdue"')[0]
    assert all(f"CRIT{number:04d}" in urgent for number in range(120)), "every critical one is listed"
    assert urgent.count("IMS down") == 100
    assert 'id="more-high"' in urgent and "severity=high" in urgent


def test_forged_messages_answered_with_a_negative_mdn_count_as_refusals(tmp_path, free_port):
    """A forger claiming to be Amazon gets a signed negative MDN (a 200): refused all the same."""
    with running_stack(tmp_path, free_port, as2_refusal_limit="2") as stack:
        forged = [stranger_post(stack.url, sender="AMAZON", headers={"Disposition-Notification-To": "x@forger"})
                  for _ in range(3)]
        with session_scope(stack.settings) as session:
            [problem] = session.scalars(select(OperationalException)).all()
    assert [answer.status_code for answer in forged] == [200, 200, 429]
    assert b"processed/Error" in forged[0].content
    assert (problem.severity, problem.subject_id, problem.count) == ("high", "AMAZON", 2), \
        "a sender claiming to be a partner may be that partner failing: it keeps the kind's severity"
