"""Start-up failures end with one clear line and a non-zero exit, never a traceback."""
import socket
import subprocess

import pytest

from tests.support.processes import EDI_GATEWAY, gateway_environment

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program


def edi_gateway(args, environ, timeout=60):
    return subprocess.run([*EDI_GATEWAY, *args], env=environ,
                          capture_output=True, text=True, timeout=timeout)


def assert_one_clear_line(result, *expected):
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("edi-gateway: error: ")
    for text in expected:
        assert text in lines[0]


def test_unknown_broker_scheme(tmp_path):
    result = edi_gateway(["init"], gateway_environment(tmp_path, broker_url="kafka://localhost"))
    assert_one_clear_line(result, "EDI_GATEWAY_BROKER_URL", "kafka")


def test_unreachable_database(tmp_path, free_port):
    environ = gateway_environment(tmp_path, database_url=f"postgresql+psycopg://nobody@127.0.0.1:{free_port}/none")
    assert_one_clear_line(edi_gateway(["serve"], environ), "EDI_GATEWAY_DATABASE_URL", "unreachable")


def test_unreachable_redis_broker(tmp_path, free_port):
    environ = gateway_environment(tmp_path, broker_url=f"redis://127.0.0.1:{free_port}/0")
    edi_gateway(["init"], environ)
    assert_one_clear_line(edi_gateway(["worker"], environ), "EDI_GATEWAY_BROKER_URL", "unreachable")


def test_port_in_use(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = edi_gateway(["run", "--port", str(port)], gateway_environment(tmp_path))
    assert_one_clear_line(result, f"port {port}", "already in use")


@pytest.mark.parametrize("variable", ["PORT", "LOG_LEVEL"])
def test_bad_value(tmp_path, variable):
    result = edi_gateway(["init"], gateway_environment(tmp_path, **{variable.lower(): "nonsense"}))
    assert_one_clear_line(result, f"EDI_GATEWAY_{variable}")


def test_init_then_migrate_down_and_up(tmp_path):
    from gateway.platform.db import head_revision
    from tests.conftest import make_settings

    head = head_revision(make_settings(tmp_path))
    environ = gateway_environment(tmp_path)
    assert edi_gateway(["init"], environ).returncode == 0
    assert (tmp_path / "gateway.sqlite3").exists()
    down = edi_gateway(["migrate", "--down", "--revision", "base"], environ)
    assert down.returncode == 0 and "schema at None" in down.stdout
    up = edi_gateway(["migrate"], environ)
    assert up.returncode == 0 and f"schema at {head}" in up.stdout


def test_commands_that_succeed_print_their_answer_and_nothing_on_stderr(tmp_path):
    """Alembic's plugin lines once came before every command's output."""
    environ = gateway_environment(tmp_path)
    init = edi_gateway(["init"], environ)
    assert init.returncode == 0 and "setup plugin" not in init.stderr
    assert all("[warning" in line for line in init.stderr.splitlines()), "init says only what it made for development"
    for args in (["migrate"], ["partners", "list"], ["catalogue", "export"]):
        result = edi_gateway(args, environ)
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", (args, result.stderr)
