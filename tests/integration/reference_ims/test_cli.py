"""``sandbox_ims`` started as a program, the way ``edi-gateway sandbox-ims`` will run it."""
import sqlite3
import subprocess
import sys

import httpx
import pytest

from tests.fixtures import AMAZON_FIXTURES
from tests.support.processes import gateway_environment, stop, wait_for

pytestmark = pytest.mark.slow  # every test runs the reference IMS as a program


def test_serves_the_stock_file_with_the_token_from_the_environment(tmp_path, free_port):
    environ = gateway_environment(tmp_path, sandbox_ims_token="cli-token")
    log = tmp_path / "ims.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "reference_ims.cli", "--port", str(free_port),
             "--stock", str(AMAZON_FIXTURES / "stock.csv")],
            env=environ, stdout=output, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{free_port}"
        wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 30, f"the reference IMS ({log.read_text()})")
        response = httpx.get(f"{base}/api/v1/stock/ACME-SOAP-03", headers={"Authorization": "Bearer cli-token"})
        assert (response.status_code, response.json()["available"]) == (200, 0)
        assert (tmp_path / "sandbox-ims.sqlite3").is_file()  # <EDI_GATEWAY_DATA_DIR>/sandbox-ims.sqlite3
    finally:
        stop(process)


@pytest.mark.parametrize(("args", "exit_code", "message"), [
    ([], 2, "Missing option '--token'"),
    (["--token", ""], 1, "needs a bearer token"),
    (["--token", "t", "--callback-url", "http://127.0.0.1:9/api/v1/ims/allocations"], 1, "--callback-token"),
    (["--token", "t", "--shipment-url", "http://127.0.0.1:9/api/v1/ims/shipments"], 1, "--callback-token"),
    (["--token", "t", "--gs1-company-prefix", "06141X1"], 1, "must be 6 to 12 digits (--gs1-company-prefix)"),
])
def test_start_up_needs_its_tokens(tmp_path, args, exit_code, message):
    assert message in refused_start(tmp_path, args, exit_code)


def refused_start(tmp_path, args: list[str], exit_code: int = 1) -> str:
    """The error output of a start-up that must stop with ``exit_code`` and a message, no traceback."""
    result = subprocess.run([sys.executable, "-m", "reference_ims.cli", *args], env=gateway_environment(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_a_bad_stock_file_stops_start_up_naming_the_line(tmp_path):
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,on_hand,reserved\nACME-MUG-01,lots,0\n")
    assert f"{stock}:2: on_hand='lots'" in refused_start(tmp_path, ["--token", "t", "--stock", str(stock)])


def test_a_database_of_an_older_reference_ims_stops_start_up_saying_what_to_do(tmp_path):
    database = tmp_path / "old.sqlite3"
    with sqlite3.connect(database) as old:  # the skus table before case packs
        old.execute("CREATE TABLE skus (sku VARCHAR(64) PRIMARY KEY, discontinued BOOLEAN, restock_date DATE)")
    stderr = refused_start(tmp_path, ["--token", "t", "--database", str(database)])
    assert f"{database} was made by an older reference IMS: table skus has no case_pack; delete the file" in stderr
