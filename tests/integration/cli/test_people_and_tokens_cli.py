"""``edi-gateway users list|disable|enable|set-role|reset-password`` and ``tokens list|revoke``
and ``create --expires-in-days``, run as an operator runs them: each change audited, a
disabled or changed person's sessions ended, a secret never printed, errors in one line."""
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from gateway.platform.db import session_scope
from gateway.access.sessions import start_session
from gateway.access.tokens import authorise
from gateway.access.users import authenticate, create_user
from gateway.models import ApiToken, AuditEvent, LoginSession, User
from tests.support.processes import EDI_GATEWAY, gateway_environment

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program

PASSWORD = "a long passphrase"


def edi_gateway(settings, tmp_path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    environ = gateway_environment(tmp_path, database_url=settings.database_url)
    return subprocess.run([*EDI_GATEWAY, *args], input=stdin, env=environ, capture_output=True, text=True,
                          timeout=60)


def one_line_error(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines() == [f"edi-gateway: error: {text}"]


@pytest.fixture
def people(settings):
    """An admin and dana (ops), dana signed in once."""
    with session_scope(settings) as session:
        create_user(session, "admin", PASSWORD, "admin")
        dana = create_user(session, "dana", PASSWORD, "ops")
        start_session(session, dana, "127.0.0.1")
    return settings


def open_sessions(settings, username: str) -> int:
    with session_scope(settings) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return len(session.scalars(select(LoginSession).where(LoginSession.user_id == user.id,
                                                              LoginSession.ended_at.is_(None))).all())


def audited(settings, action: str) -> list[tuple[str, str]]:
    with session_scope(settings) as session:
        return [(event.actor, event.detail.get("username", "")) for event in
                session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_users_list_shows_everyone_and_no_password_hash(people, tmp_path):
    listed = edi_gateway(people, tmp_path, "users", "list")
    assert listed.returncode == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert lines[0] == ["username", "role", "active", "created"]
    assert [line[:3] for line in lines[1:]] == [["admin", "admin", "yes"], ["dana", "ops", "yes"]]
    assert "scrypt" not in listed.stdout


def test_disable_ends_sessions_and_stops_sign_in_until_enable(people, tmp_path):
    assert open_sessions(people, "dana") == 1
    disabled = edi_gateway(people, tmp_path, "users", "disable", "dana")
    assert (disabled.returncode, disabled.stdout.strip()) == (0, "disabled user dana")
    assert open_sessions(people, "dana") == 0
    with session_scope(people) as session:
        assert authenticate(session, "dana", PASSWORD) is None
    assert "dana\tops\tno" in edi_gateway(people, tmp_path, "users", "list").stdout
    enabled = edi_gateway(people, tmp_path, "users", "enable", "dana")
    assert (enabled.returncode, enabled.stdout.strip()) == (0, "enabled user dana")
    with session_scope(people) as session:
        assert authenticate(session, "dana", PASSWORD) is not None
    assert audited(people, "user.disabled") == [("cli", "dana")]
    assert audited(people, "user.enabled") == [("cli", "dana")]


def test_set_role_and_reset_password_end_sessions(people, tmp_path):
    changed = edi_gateway(people, tmp_path, "users", "set-role", "dana", "finance")
    assert (changed.returncode, changed.stdout.strip()) == (0, "user dana is now finance")
    assert open_sessions(people, "dana") == 0
    with session_scope(people) as session:
        start_session(session, session.scalars(select(User).where(User.username == "dana")).one(), None)
    reset = edi_gateway(people, tmp_path, "users", "reset-password", "dana", stdin="another long passphrase\n")
    assert (reset.returncode, reset.stdout.strip()) == (0, "reset the password of user dana")
    assert "another long passphrase" not in reset.stdout + reset.stderr
    assert open_sessions(people, "dana") == 0
    with session_scope(people) as session:
        assert authenticate(session, "dana", PASSWORD) is None
        assert authenticate(session, "dana", "another long passphrase").role == "finance"
    assert audited(people, "user.role_changed") == [("cli", "dana")]
    assert audited(people, "user.password_reset") == [("cli", "dana")]


def test_people_commands_refuse_in_one_line(people, tmp_path):
    one_line_error(edi_gateway(people, tmp_path, "users", "disable", "nobody"), "no user 'nobody'")
    one_line_error(edi_gateway(people, tmp_path, "users", "disable", "admin"),
                   "'admin' is the last active admin; make another admin first")
    one_line_error(edi_gateway(people, tmp_path, "users", "set-role", "admin", "ops"),
                   "'admin' is the last active admin; make another admin first")
    one_line_error(edi_gateway(people, tmp_path, "users", "reset-password", "dana", stdin="short\n"),
                   "a password needs at least 12 characters")
    hostile = edi_gateway(people, tmp_path, "users", "set-role", "dana", "root")
    assert hostile.returncode == 2 and "Traceback" not in hostile.stderr
    with session_scope(people) as session:
        assert authenticate(session, "dana", PASSWORD).role == "ops"


def test_tokens_expire_list_and_revoke_without_showing_a_secret(settings, tmp_path):
    made = edi_gateway(settings, tmp_path, "tokens", "create", "--role", "ims", "--label", "IMS",
                       "--expires-in-days", "30")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    plain = edi_gateway(settings, tmp_path, "tokens", "create", "--role", "ops", "--label", "dashboard").stdout.strip()
    with session_scope(settings) as session:
        assert authorise(session, token).role == "ims"
        expiry = session.scalars(select(ApiToken.expires_at).where(ApiToken.label == "IMS")).one()
        assert timedelta(days=29, hours=23) < expiry - datetime.now(timezone.utc) <= timedelta(days=30)
        assert authorise(session, token, now=expiry) is None, "refused from its expiry on"

    listed = edi_gateway(settings, tmp_path, "tokens", "list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert rows[0] == ["id", "role", "label", "created", "last_used", "expires", "revoked"]
    ims, ops = rows[1], rows[2]
    assert ims[1:3] == ["ims", "IMS"] and ims[4] != "-" and ims[5].startswith(expiry.strftime("%Y-%m-%d"))
    assert ops[1:3] == ["ops", "dashboard"] and ops[4:] == ["-", "-", "-"]
    assert token not in listed.stdout and plain not in listed.stdout

    revoked = edi_gateway(settings, tmp_path, "tokens", "revoke", ims[0])
    assert (revoked.returncode, revoked.stdout.strip()) == (0, f"revoked token {ims[0]}")
    with session_scope(settings) as session:
        assert authorise(session, token) is None and authorise(session, plain) is not None
    assert edi_gateway(settings, tmp_path, "tokens", "list").stdout.splitlines()[1].split("\t")[6] != "-"
    assert audited(settings, "token.revoked") == [("cli", "")]
    one_line_error(edi_gateway(settings, tmp_path, "tokens", "revoke", "999"), "no token 999")
    bad = edi_gateway(settings, tmp_path, "tokens", "create", "--role", "ops", "--expires-in-days", "0")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
