"""Server-side sessions and people management over real HTTP, on SQLite and PostgreSQL: a
cookie captured before sign-out, after an idle spell or past its lifetime is refused; a
disabled, re-roled or reset person's cookies stop working; every change is audited."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import httpx
from sqlalchemy import select

from gateway.platform.db import session_scope
from gateway.models import AuditEvent, LoginSession, User
from gateway.web import create_app
from tests.support.operations_pages import (  # noqa: F401  (site is a fixture)
    PASSWORD,
    Site,
    csrf_token,
    post_form,
    site,
)
from tests.support.servers import serve_in_thread

COOKIE = "edi_gateway_session"


@contextmanager
def site_with(settings, **changes) -> Iterator[Site]:
    """The same database served by a second app whose settings differ by ``changes``."""
    changed = replace(settings, **changes)
    with serve_in_thread(create_app(changed)) as url:
        yield Site(changed, url)


def signed_in(site: Site, client: httpx.Client) -> bool:
    answer = client.get("/", follow_redirects=False)
    return answer.status_code == 200


def with_cookie(site: Site, cookie: str) -> httpx.Client:
    """Another browser holding a copy of someone's cookie."""
    return httpx.Client(base_url=site.url, cookies={COOKIE: cookie}, timeout=30)


def user_id(settings, username: str) -> int:
    with session_scope(settings) as session:
        return session.scalars(select(User.id).where(User.username == username)).one()


def audit_rows(settings, action: str) -> list[AuditEvent]:
    with session_scope(settings) as session:
        rows = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        session.expunge_all()
        return rows


def test_the_cookie_holds_a_session_token_and_no_identity(site):
    with site.sign_in("ops") as client:
        cookie = client.cookies[COOKIE]
    app = create_app(site.settings)
    content = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert set(content) <= {"session_token", "csrf_token", "_flashes", "_permanent"} and "session_token" in content
    assert not any(key.startswith("_user") for key in content)
    with session_scope(site.settings) as session:
        row = session.scalars(select(LoginSession)).one()
        assert row.token_sha256 != content["session_token"], "the table keeps only a digest"
        assert (row.user_id, row.ended_at) == (user_id(site.settings, "ops"), None)


def test_a_cookie_captured_before_sign_out_is_refused_after_it(site):
    with site.sign_in("ops") as client:
        captured = client.cookies[COOKIE]
        with with_cookie(site, captured) as thief:
            assert signed_in(site, thief), "the copy works while the session is open"
        page = client.get("/")
        client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    with with_cookie(site, captured) as thief:
        answer = thief.get("/exceptions", follow_redirects=False)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
        forged = thief.post("/users", data={"username": "mallory", "role": "admin", "password": "x" * 20,
                                            "csrf_token": "x"}, follow_redirects=False)
        assert forged.status_code in (302, 400)
    assert [row.detail["reason"] for row in audit_rows(site.settings, "session.ended")] == ["signed_out"]


def test_a_new_sign_in_makes_a_new_session_and_ends_the_one_the_browser_had(site):
    with site.sign_in("ops") as client:
        first = client.cookies[COOKIE]
        page = client.get("/login")
        client.post("/login", data={"username": "ops", "password": PASSWORD, "csrf_token": csrf_token(page.text)})
        second = client.cookies[COOKIE]
        assert second != first and signed_in(site, client)
    with with_cookie(site, first) as old:
        assert not signed_in(site, old)


def test_a_session_past_its_idle_time_is_refused(site):
    with site_with(site.settings, session_idle_seconds=2) as short:
        with short.sign_in("ops") as client:
            for _ in range(3):  # in use: each request keeps it alive past the idle time
                time.sleep(1)
                assert signed_in(short, client)
            time.sleep(2.5)
            answer = client.get("/", follow_redirects=False)
            assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert [row.detail["reason"] for row in audit_rows(site.settings, "session.ended")] == ["idle"]


def test_a_session_past_its_absolute_lifetime_is_refused_however_busy(site):
    with site_with(site.settings, session_max_seconds=3) as short:
        with short.sign_in("ops") as client:
            started = time.monotonic()
            while time.monotonic() - started < 2.5:
                assert signed_in(short, client)
                time.sleep(0.5)
            time.sleep(1)
            assert not signed_in(short, client)
    assert [row.detail["reason"] for row in audit_rows(site.settings, "session.ended")] == ["expired"]


def test_disabling_a_person_ends_their_sessions_and_they_cannot_sign_in_until_enabled(site):
    ops = user_id(site.settings, "ops")
    with site.sign_in("ops") as victim:
        with site.sign_in("admin") as admin:
            answer = post_form(admin, "/users", f"/users/{ops}/disable")
            assert answer.status_code == 200 and "Disabled ops" in answer.text
        assert not signed_in(site, victim)
        page = victim.get("/login")
        refused = victim.post("/login", data={"username": "ops", "password": PASSWORD,
                                              "csrf_token": csrf_token(page.text)})
        assert refused.status_code == 401
    with site.sign_in("admin") as admin:
        assert post_form(admin, "/users", f"/users/{ops}/enable").status_code == 200
    with site.sign_in("ops") as client:
        assert signed_in(site, client)
    actions = [(row.actor, row.action) for row in audit_rows(site.settings, "user.disabled")
               + audit_rows(site.settings, "user.enabled")]
    assert actions == [("user:admin", "user.disabled"), ("user:admin", "user.enabled")]


def test_a_new_role_or_password_ends_the_persons_sessions(site):
    finance = user_id(site.settings, "finance")
    with site.sign_in("finance") as victim:
        with site.sign_in("admin") as admin:
            answer = post_form(admin, "/users", f"/users/{finance}/role", role="ops")
            assert answer.status_code == 200 and "finance is now ops" in answer.text
        assert not signed_in(site, victim)
    with site.sign_in("finance") as victim:
        assert "finance (ops)" in victim.get("/").text
        with site.sign_in("admin") as admin:
            short = post_form(admin, "/users", f"/users/{finance}/password", password="short")
            assert short.status_code == 400 and "at least 12 characters" in short.text
            assert signed_in(site, victim), "a refused reset changes nothing"
            answer = post_form(admin, "/users", f"/users/{finance}/password", password="a brand new passphrase")
            assert answer.status_code == 200 and "Reset the password of finance" in answer.text
        assert not signed_in(site, victim)
    with site.client() as client:
        page = client.get("/login")
        assert client.post("/login", data={"username": "finance", "password": PASSWORD,
                                           "csrf_token": csrf_token(page.text)}).status_code == 401
    with site.sign_in("finance", "a brand new passphrase") as client:
        assert signed_in(site, client)
    assert [row.detail["role"] for row in audit_rows(site.settings, "user.role_changed")] == ["ops"]
    assert [row.actor for row in audit_rows(site.settings, "user.password_reset")] == ["user:admin"]


def test_the_last_admin_cannot_be_disabled_or_demoted(site):
    admin_id = user_id(site.settings, "admin")
    with site.sign_in("admin") as admin:
        disabled = post_form(admin, "/users", f"/users/{admin_id}/disable")
        demoted = post_form(admin, "/users", f"/users/{admin_id}/role", role="ops")
        assert disabled.status_code == demoted.status_code == 400
        assert "last active admin" in disabled.text and "last active admin" in demoted.text
        assert signed_in(site, admin)


def test_people_changes_need_an_admin_and_a_csrf_token(site):
    ops = user_id(site.settings, "ops")
    finance = user_id(site.settings, "finance")
    with site.sign_in("finance") as client:
        assert post_form(client, "/", f"/users/{ops}/disable").status_code == 403
        assert post_form(client, "/", f"/users/{finance}/role", role="admin").status_code == 403
    with site.sign_in("admin") as admin:
        assert admin.post(f"/users/{ops}/disable").status_code == 400
        assert admin.post(f"/users/{ops}/password", data={"password": "x" * 20, "csrf_token": "x" * 40}).status_code == 400
        assert post_form(admin, "/users", "/users/999999/disable").status_code == 404
        assert post_form(admin, "/users", f"/users/{ops}/role", role="root").status_code == 400
    with session_scope(site.settings) as session:
        assert [(user.username, user.role, user.active) for user in session.scalars(select(User).order_by(User.id))] \
            == [("ops", "ops", True), ("finance", "finance", True), ("admin", "admin", True)]
