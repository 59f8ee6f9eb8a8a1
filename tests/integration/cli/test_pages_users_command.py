"""``edi-gateway users create`` reads the password from standard input; the user can sign in."""
import subprocess

import pytest

from gateway.platform.db import session_scope
from gateway.access.users import authenticate
from tests.support.processes import EDI_GATEWAY, gateway_environment

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program


def users_create(settings, tmp_path, username, role, stdin):
    environ = gateway_environment(tmp_path, database_url=settings.database_url)
    return subprocess.run([*EDI_GATEWAY, "users", "create", "--username", username,
                           "--role", role], input=stdin, env=environ, capture_output=True, text=True, timeout=60)


def test_users_create_takes_the_password_from_standard_input(settings, tmp_path):
    made = users_create(settings, tmp_path, "dana", "finance", "a long passphrase\n")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "created finance user dana"
    assert "a long passphrase" not in made.stdout + made.stderr
    with session_scope(settings) as session:
        user = authenticate(session, "dana", "a long passphrase")
        assert user is not None and user.role == "finance"
        assert authenticate(session, "dana", "a long passphras") is None


def test_users_create_refuses_a_short_password_or_a_taken_name_in_one_line(settings, tmp_path):
    short = users_create(settings, tmp_path, "dana", "ops", "short\n")
    assert short.returncode == 2 and short.stderr.strip() == "edi-gateway: error: a password needs at least 12 characters"
    users_create(settings, tmp_path, "dana", "ops", "a long passphrase\n")
    taken = users_create(settings, tmp_path, "dana", "admin", "another long passphrase\n")
    assert taken.returncode == 2 and "already exists" in taken.stderr and "Traceback" not in taken.stderr
