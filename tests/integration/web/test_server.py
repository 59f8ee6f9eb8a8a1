"""`edi-gateway serve` (gunicorn) as an operator runs it: several gateways on one host."""
import socket
import subprocess

import httpx
import pytest

from tests.support.processes import EDI_GATEWAY, gateway_environment, start, stop, wait_for

pytestmark = pytest.mark.slow  # starts edi-gateway serve twice


def test_two_gateways_with_their_own_data_folders_run_side_by_side_without_a_shared_control_socket(tmp_path):
    """gunicorn's control socket defaults to one path per user; two gateways shared it, and
    `gunicornc` steered whichever started last. The gateway makes none at all."""
    home, runtime = tmp_path / "home", tmp_path / "runtime"
    home.mkdir()
    runtime.mkdir()
    gateways = []
    try:
        for name in ("a", "b"):
            port = unused_port()
            environ = {**gateway_environment(tmp_path / name, port=str(port), web_workers="1", web_threads="2"),
                       "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)}
            subprocess.run([*EDI_GATEWAY, "init"], env=environ, check=True, capture_output=True, timeout=120)
            gateways.append((start(["serve"], environ, tmp_path / f"{name}.log"), f"http://127.0.0.1:{port}"))
        for _, url in gateways:
            wait_for(lambda: httpx.get(f"{url}/readyz").status_code == 200, 60, f"{url}/readyz")

        sockets = [path for folder in (home, runtime, tmp_path / "a", tmp_path / "b") for path in folder.rglob("*.ctl")]
        assert sockets == [], "no gunicorn control socket, shared or not"

        first, second = gateways
        assert stop(first[0]) == 0
        assert httpx.get(f"{second[1]}/readyz").status_code == 200, "stopping one gateway leaves the other serving"
    finally:
        for process, _ in gateways:
            stop(process)
    for name in ("a", "b"):
        assert "control socket" not in (tmp_path / f"{name}.log").read_text().lower()


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
