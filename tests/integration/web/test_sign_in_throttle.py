"""Hostile sign-ins and API tokens against `edi-gateway serve` (gunicorn, two processes
sharing the counters through the database), on SQLite and PostgreSQL: 60 wrong passwords
in a few seconds get 429s without a password check and open a ``login_attack`` exception;
an expired or revoked token gets 401; each API request's log line names its token's id."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway.platform.db import session_scope
from gateway.access.tokens import create_token
from gateway.access.users import create_user
from gateway.models import ApiToken, AuditEvent, LoginFailure, OperationalException
from gateway.web import create_app
from tests.support.operations_pages import PASSWORD, csrf_token
from tests.support.processes import gateway_environment, start, stop, wait_for
from tests.support.servers import serve_in_thread

pytestmark = pytest.mark.slow  # starts edi-gateway serve


@dataclass
class Gateway:
    url: str
    settings: object
    log: Path
    tokens: dict[str, str]
    token_ids: dict[str, int]


@pytest.fixture
def gateway(settings, free_port) -> Iterator[Gateway]:
    """`edi-gateway serve` with two web processes, JSON logs, one user per role and three tokens."""
    with session_scope(settings) as session:
        for role in ("ops", "finance", "admin"):
            create_user(session, role, PASSWORD, role)
        tokens = {name: create_token(session, "ops", name) for name in ("live", "revoked", "expired")}
        rows = {row.label: row for row in session.scalars(select(ApiToken))}
        rows["revoked"].revoked_at = datetime.now(timezone.utc)
        rows["expired"].expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        token_ids = {label: row.id for label, row in rows.items()}
    environ = gateway_environment(settings.data_dir, database_url=settings.database_url, port=str(free_port),
                                  log_format="json", web_workers="2", web_threads="2")
    log = settings.data_dir / "serve.log"
    process = start(["serve"], environ, log)
    url = f"http://127.0.0.1:{free_port}"
    try:
        wait_for(lambda: httpx.get(f"{url}/readyz").status_code == 200, 60, f"{url}/readyz")
        yield Gateway(url, settings, log, tokens, token_ids)
    finally:
        stop(process)


def audit_count(settings, action: str) -> int:
    with session_scope(settings) as session:
        return len(session.scalars(select(AuditEvent.id).where(AuditEvent.action == action)).all())


def test_sixty_wrong_passwords_in_seconds_get_429s_and_open_a_login_attack_exception(gateway):
    with httpx.Client(base_url=gateway.url, timeout=30) as client:
        token = csrf_token(client.get("/login").text)
        started = time.monotonic()
        answers = [client.post("/login", data={"username": "admin", "password": f"guess number {n}",
                                               "csrf_token": token}) for n in range(60)]
        elapsed = time.monotonic() - started
        right = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token},
                            follow_redirects=False)
    codes = [answer.status_code for answer in answers]
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 55, codes
    assert all(0 < int(answer.headers["Retry-After"]) <= 900 for answer in answers[5:])
    assert "Too many failed sign-ins" in answers[-1].text
    assert right.status_code == 429, "while locked the right password is not even checked"
    assert elapsed < 30
    assert audit_count(gateway.settings, "user.sign_in_failed") == 5, "each checked failure is audited"
    assert audit_count(gateway.settings, "user.sign_in_locked") >= 1, "the lockout is audited"
    assert audit_count(gateway.settings, "user.signed_in") == 0
    with session_scope(gateway.settings) as session:
        attack = session.scalars(select(OperationalException).where(OperationalException.kind == "login_attack")).one()
        assert (attack.status, attack.severity) == ("open", "high")
        assert attack.count == 61 - 20 + 1 and attack.detail["latest_username"] == "admin"


def test_a_spray_of_names_from_one_address_is_throttled_by_address(gateway):
    with httpx.Client(base_url=gateway.url, timeout=30) as client:
        token = csrf_token(client.get("/login").text)
        codes = [client.post("/login", data={"username": f"guess{n}", "password": "password123456",
                                             "csrf_token": token}).status_code for n in range(25)]
        real = client.post("/login", data={"username": "ops", "password": PASSWORD, "csrf_token": token})
    assert codes == [401] * 20 + [429] * 5
    assert real.status_code == 429 and int(real.headers["Retry-After"]) > 0


def test_a_lockout_ends_once_its_failures_age_out_and_a_right_password_clears_the_count(settings):
    with session_scope(settings) as session:
        create_user(session, "ops", PASSWORD, "ops")
    quick = replace(settings, login_user_failures=3, login_lockout_seconds=2)
    with serve_in_thread(create_app(quick)) as url, httpx.Client(base_url=url, timeout=30) as client:
        def attempt(password: str) -> int:
            return client.post("/login", data={"username": "ops", "password": password,
                                               "csrf_token": csrf_token(client.get("/login").text)},
                               follow_redirects=False).status_code

        assert [attempt("wrong password!") for _ in range(4)] == [401, 401, 401, 429]
        time.sleep(2.2)
        assert attempt("wrong password!") == 401
        assert attempt(PASSWORD) == 302
        assert [attempt("wrong password!") for _ in range(3)] == [401, 401, 401], "the count started again"


def test_expired_and_revoked_tokens_get_401_and_each_api_request_logs_its_token_id(gateway):
    def call(name: str) -> httpx.Response:
        return httpx.get(f"{gateway.url}/api/v1/exceptions",
                         headers={"Authorization": f"Bearer {gateway.tokens[name]}"}, timeout=10)

    assert call("live").status_code == 200
    for name in ("revoked", "expired"):
        refused = call(name)
        assert refused.status_code == 401 and "expired or revoked" in refused.json()["detail"]
        assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    with session_scope(gateway.settings) as session:
        used = {row.label: row.last_used_at for row in session.scalars(select(ApiToken))}
    assert used["live"] is not None and used["revoked"] is None and used["expired"] is None

    def logged() -> list[dict]:
        lines = [json.loads(line) for line in gateway.log.read_text().splitlines() if line.startswith("{")]
        return [line for line in lines if line.get("event") == "request" and line.get("path") == "/api/v1/exceptions"]

    wait_for(lambda: len(logged()) == 3, 10, "three API request log lines")
    assert sorted((line["status"], line.get("token_id")) for line in logged()) == [
        (200, gateway.token_ids["live"]), (401, None), (401, None)]
    text = gateway.log.read_text()
    assert not any(token in text for token in gateway.tokens.values()), "a token is never logged"


@pytest.mark.parametrize("username", ["\x00admin", "admin\x00"])
def test_a_name_with_a_nul_is_refused_before_sign_in_looks_at_it(settings, username):
    """The request guard (gateway.web.request_guard) refuses a NUL in any form field with a
    400, before the sign-in view: nothing is looked up, counted or audited under that name."""
    with session_scope(settings) as session:
        create_user(session, "admin", PASSWORD, "admin")
    with serve_in_thread(create_app(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
        token = csrf_token(client.get("/login").text)
        answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 400
    with session_scope(settings) as session:
        assert session.scalars(select(LoginFailure)).all() == []


@pytest.mark.parametrize("username", ["a" * 10_000, "<script>alert(1)</script>", "admin\r\nX: y",
                                      "' OR 1=1 --", "\u202eadmin"])
def test_hostile_names_are_refused_and_counted_never_a_500(settings, username):
    with session_scope(settings) as session:
        create_user(session, "admin", PASSWORD, "admin")
    with serve_in_thread(create_app(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
        token = csrf_token(client.get("/login").text)
        answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 401 and "<script>alert" not in answer.text
    with session_scope(settings) as session:
        counted = session.scalars(select(LoginFailure)).one()
        assert counted.username.isprintable() and len(counted.username) <= 64
        actor = session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "user.sign_in_failed")).one()
        assert actor.isprintable() and len(actor) <= 5 + 64
