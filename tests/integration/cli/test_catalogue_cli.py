"""`edi-gateway catalogue import/export`, the demo catalogue of a new installation, and
`edi-gateway run` starting the sandbox IMS when no IMS is configured."""
import signal
import socket

import httpx
import pytest

from gateway.sandbox import DEMO_CATALOGUE
from tests.integration.cli.test_cli import assert_one_clear_line, edi_gateway
from tests.support.processes import gateway_environment, start, wait_for

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program


def test_a_new_installation_gets_the_demo_catalogue_and_an_import_updates_it(tmp_path):
    environ = gateway_environment(tmp_path / "data")
    assert edi_gateway(["init"], environ).returncode == 0
    exported = edi_gateway(["catalogue", "export"], environ)
    assert exported.returncode == 0, exported.stderr
    demo = DEMO_CATALOGUE.read_text().splitlines()
    assert exported.stdout.splitlines()[0] == demo[0] + ",discontinued"
    assert sorted(line.removesuffix(",false") for line in exported.stdout.splitlines()[1:]) == sorted(demo[1:])

    update = tmp_path / "update.csv"
    update.write_text("qualifier,identifier,sku,unit_cost,case_pack,critical,discontinued\n"
                      "EN,5012345678900,ACME-MUG-01,13.00,6,true,false\nVP,P-1,ACME-NEW,,,false,true\n")
    imported = edi_gateway(["catalogue", "import", str(update)], environ)
    assert imported.returncode == 0 and "1 new, 1 updated" in imported.stderr
    assert edi_gateway(["init"], environ).returncode == 0, "init again leaves the catalogue alone"
    rows = edi_gateway(["catalogue", "export"], environ).stdout.splitlines()
    assert "EN,5012345678900,ACME-MUG-01,13.00,6,true,false" in rows
    assert "VP,P-1,ACME-NEW,,,false,true" in rows and len(rows) == len(demo) + 1


def test_a_bad_catalogue_file_names_file_and_line(tmp_path):
    environ = gateway_environment(tmp_path / "data")
    edi_gateway(["init"], environ)
    bad = tmp_path / "bad.csv"
    bad.write_text("qualifier,identifier,sku,unit_cost,case_pack,critical\nEN,1,A,1.00,1,false\nXX,2,B,1,1,false\n")
    assert_one_clear_line(edi_gateway(["catalogue", "import", str(bad)], environ), f"{bad}:3: qualifier='XX'")


def test_run_starts_the_sandbox_ims_when_no_ims_is_configured(tmp_path, free_port):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        ims_port = probe.getsockname()[1]
    environ = gateway_environment(tmp_path, sandbox_ims_port=str(ims_port))
    process = start(["run", "--data-dir", str(tmp_path / "data"), "--port", str(free_port)], environ,
                    tmp_path / "run.log")
    try:
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{ims_port}/healthz").status_code == 200, 60,
                 "the sandbox IMS")
        refused = httpx.get(f"http://127.0.0.1:{ims_port}/api/v1/stock", headers={"Authorization": "Bearer guess"})
        assert refused.status_code == 401, "the sandbox IMS wants the token run generated"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=40)
    assert process.returncode == 0
    assert f"sandbox IMS on http://127.0.0.1:{ims_port}" in (tmp_path / "run.log").read_text()
    assert (tmp_path / "data" / "sandbox-ims.sqlite3").is_file()
