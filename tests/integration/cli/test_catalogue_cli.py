"""`edi-gateway catalogue import/export`, the demo catalogue of a new installation, and
`edi-gateway run` starting the sandbox IMS when no IMS is configured."""
import signal
import socket

import httpx
import pytest

from sqlalchemy import select

from gateway.catalogue.items import find_item
from gateway.models import AuditEvent, CatalogueItem, PurchaseOrderLine
from gateway.orders.intake import catalogue_item_of
from gateway.platform.db import session_scope
from gateway.sandbox import DEMO_CATALOGUE
from tests.conftest import make_settings
from tests.integration.cli.test_cli import assert_one_clear_line, edi_gateway
from tests.support.processes import gateway_environment, start, wait_for

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program


def test_a_new_installation_gets_the_demo_catalogue_and_an_import_updates_it(tmp_path):
    environ = gateway_environment(tmp_path / "data")
    assert edi_gateway(["init"], environ).returncode == 0
    exported = edi_gateway(["catalogue", "export"], environ)
    assert exported.returncode == 0, exported.stderr
    demo = DEMO_CATALOGUE.read_text().splitlines()
    assert exported.stdout.splitlines()[0] == demo[0] + ",discontinued,perishable,safety_stock"
    assert sorted(line.removesuffix(",false,false,") for line in exported.stdout.splitlines()[1:]) == sorted(demo[1:])

    update = tmp_path / "update.csv"
    update.write_text("qualifier,identifier,sku,unit_cost,case_pack,critical,discontinued\n"
                      "EN,5012345678900,ACME-MUG-01,13.00,6,true,false\nVP,P-1,ACME-NEW,,,false,true\n")
    imported = edi_gateway(["catalogue", "import", str(update)], environ)
    assert imported.returncode == 0 and "1 new, 1 updated" in imported.stderr
    assert edi_gateway(["init"], environ).returncode == 0, "init again leaves the catalogue alone"
    rows = edi_gateway(["catalogue", "export"], environ).stdout.splitlines()
    assert "EN,5012345678900,ACME-MUG-01,13.00,6,true,false,false," in rows, "perishable is optional: false"
    assert "VP,P-1,ACME-NEW,,,false,true,false," in rows and len(rows) == len(demo) + 1


def audit_details(data_dir, action):
    with session_scope(make_settings(data_dir)) as session:
        return [event.detail for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_a_replacing_import_makes_the_file_the_whole_catalogue_and_keeps_removed_entries_for_pos(tmp_path):
    environ = gateway_environment(tmp_path / "data")
    assert edi_gateway(["init"], environ).returncode == 0
    mine = tmp_path / "mine.csv"
    mine.write_text("qualifier,identifier,sku,unit_cost,case_pack,critical,discontinued,perishable,safety_stock\n"
                    "EN,5012345678900,ACME-MUG-01,13.00,6,true,false,false,\n"
                    "BP,B0VENDORX1,VX-KETTLE,21.00,4,false,false,true,5\n")
    imported = edi_gateway(["catalogue", "import", "--replace", str(mine)], environ)
    assert imported.returncode == 0, imported.stderr
    demo_entries = len(DEMO_CATALOGUE.read_text().splitlines()) - 1
    assert f"1 new, 1 updated, {demo_entries - 1} removed (kept for the POs that name them)" in imported.stderr
    exported = edi_gateway(["catalogue", "export"], environ).stdout.splitlines()
    assert sorted(exported[1:]) == sorted(mine.read_text().splitlines()[1:]), "the export is the file"
    assert audit_details(tmp_path / "data", "catalogue.imported")[-1] == {
        "created": 1, "updated": 1, "removed": demo_entries - 1, "replace": True}

    with session_scope(make_settings(tmp_path / "data")) as session:
        candle = session.scalars(select(CatalogueItem).where(CatalogueItem.sku == "ACME-CANDLE-12")).one()
        assert candle.removed_at is not None, "marked removed, not deleted"
        assert find_item(session, "UP", "012345678905") is None, "a new PO line no longer maps to it"
        ordered_before = PurchaseOrderLine(qualifier="UP", identifier="012345678905", sku="ACME-CANDLE-12")
        assert catalogue_item_of(session, ordered_before).case_pack == 12, "a PO that names it still finds it"

    again = edi_gateway(["catalogue", "import", str(DEMO_CATALOGUE)], environ)
    assert again.returncode == 0 and f"{demo_entries - 1} new, 1 updated" in again.stderr, "importing brings them back"
    assert len(edi_gateway(["catalogue", "export"], environ).stdout.splitlines()) == 1 + demo_entries + 1

    empty = tmp_path / "empty.csv"
    empty.write_text("qualifier,identifier,sku,unit_cost,case_pack,critical\n")
    assert_one_clear_line(edi_gateway(["catalogue", "import", "--replace", str(empty)], environ),
                          "would remove every entry")


def test_the_demo_catalogue_is_dropped_on_request_and_org_create_says_it_is_there(tmp_path):
    environ = gateway_environment(tmp_path / "data")
    assert edi_gateway(["init"], environ).returncode == 0
    demo_entries = len(DEMO_CATALOGUE.read_text().splitlines()) - 1
    created = edi_gateway(["org", "create", "--as2-id", "VENDORX"], environ)
    assert f"the demo catalogue is still in place ({demo_entries} entries)" in created.stdout
    assert "catalogue drop-demo" in created.stdout and "catalogue import --replace" in created.stdout

    own = tmp_path / "own.csv"
    own.write_text("qualifier,identifier,sku,unit_cost,case_pack,critical\nBP,B07XJ8C8F5,VX-LAMP,7.25,1,true\n")
    assert edi_gateway(["catalogue", "import", str(own)], environ).returncode == 0, "the brand maps one demo ASIN itself"
    dropped = edi_gateway(["catalogue", "drop-demo"], environ)
    assert dropped.returncode == 0, dropped.stderr
    assert dropped.stdout == f"dropped the demo catalogue: {demo_entries - 1} entries removed (kept for the POs that name them)\n"
    assert edi_gateway(["catalogue", "export"], environ).stdout.splitlines()[1:] == ["BP,B07XJ8C8F5,VX-LAMP,7.25,1,true,false,false,"]
    assert audit_details(tmp_path / "data", "catalogue.demo_dropped") == [{"removed": demo_entries - 1}]

    assert edi_gateway(["catalogue", "drop-demo"], environ).stdout == "the demo catalogue is not in the catalogue: nothing to drop\n"
    assert "demo catalogue" not in edi_gateway(["org", "create", "--as2-id", "VENDORX"], environ).stdout
    assert len(audit_details(tmp_path / "data", "catalogue.demo_dropped")) == 1


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
