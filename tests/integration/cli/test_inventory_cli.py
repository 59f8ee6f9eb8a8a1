"""`edi-gateway inventory ...` and the partner's inventory settings, run as an operator runs them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.inventory.drift import COLUMNS
from gateway.inventory.stock import receive_stock_report
from gateway.models import InventoryFeed
from gateway.partners.certificates import generate_organization_key
from gateway.platform.db import session_scope
from tests.conftest import make_settings
from tests.integration.cli.test_catalogue_cli import audit_details
from tests.integration.cli.test_cli import assert_one_clear_line, edi_gateway
from tests.support.inventory_flow import SKUS, level, report
from tests.support.processes import gateway_environment

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program


@pytest.fixture
def installed(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A new installation with Amazon as a partner (846 not yet switched on)."""
    data_dir = tmp_path / "data"
    environ = gateway_environment(data_dir)
    assert edi_gateway(["init"], environ).returncode == 0
    certificate = tmp_path / "amazon.pem"
    certificate.write_bytes(generate_organization_key("AMAZON", b"x", valid_days=400).certificate_pem)
    added = edi_gateway(["partners", "add", "--name", "Amazon", "--as2-id", "AMAZON", "--x12-id", "AMAZON",
                         "--url", "https://as2.amazon.example/as2", "--certificate", str(certificate)], environ)
    assert added.returncode == 0, added.stderr
    return data_dir, environ


def post_stock(data_dir: Path, body: dict) -> str:
    return receive_stock_report(make_settings(data_dir), body, actor="test").outcome.value


def test_inventory_settings_then_push_holds_release_and_drift(installed):
    data_dir, environ = installed
    post_stock(data_dir, report(*(level(sku, 0 if sku == "ACME-LAMP-02" else 50) for sku in SKUS)))
    assert_one_clear_line(edi_gateway(["inventory", "push", "--partner", "AMAZON"], environ),
                          "partner AMAZON gets no 846", "edi-gateway partners update AMAZON --inventory")
    assert_one_clear_line(edi_gateway(["inventory", "push"], environ), "no active partner gets an 846")

    updated = edi_gateway(["partners", "update", "AMAZON", "--inventory", "--batch-size", "4",
                           "--default-safety-stock", "2", "--inventory-report-type", "DD",
                           "--hold-release-hours", "48", "--sends-per-minute", "2", "--burst", "3"], environ)
    assert updated.returncode == 0, updated.stderr
    inventory = json.loads(edi_gateway(["partners", "show", "AMAZON"], environ).stdout)["inventory"]
    assert (inventory["enabled"], inventory["batch_size"], inventory["safety_stock"], inventory["report_type"],
            inventory["hold_release_hours"], inventory["sends_per_minute"], inventory["burst"]) == (
        True, 4, 2, "DD", 48.0, 2.0, 3)
    assert edi_gateway(["partners", "update", "AMAZON", "--hold-release-hours", "none"], environ).returncode == 0
    inventory = json.loads(edi_gateway(["partners", "show", "AMAZON"], environ).stdout)["inventory"]
    assert inventory["hold_release_hours"] is None
    assert_one_clear_line(edi_gateway(["partners", "update", "AMAZON", "--hold-release-hours", "soon"], environ),
                          "--hold-release-hours")

    pushed = edi_gateway(["inventory", "push", "--full"], environ)
    assert pushed.returncode == 0, pushed.stderr
    [line] = pushed.stdout.splitlines()
    assert line.startswith("feed ") and "to AMAZON (full) queued: 5 items, 1 held, 2 batches" in line, line
    with session_scope(make_settings(data_dir)) as session:
        [feed] = session.scalars(select(InventoryFeed)).all()
        assert (feed.kind, feed.requested_by, feed.item_count) == ("full", "cli", 5)
    assert f"feed {feed.id} " in line

    holds = edi_gateway(["inventory", "holds"], environ)
    assert holds.returncode == 0, holds.stderr
    [held] = holds.stdout.splitlines()
    assert held.startswith("ACME-LAMP-02\tAMAZON\t-\theld\tit is a critical SKU at zero\tnever sent\theld ")
    released = edi_gateway(["inventory", "release", "ACME-LAMP-02", "--partner", "AMAZON",
                            "--note", "discontinued by the brand"], environ)
    assert released.returncode == 0, released.stderr
    assert "released ACME-LAMP-02 for AMAZON" in released.stdout
    assert edi_gateway(["inventory", "holds"], environ).stdout.strip() == "no SKU is held"
    assert "\treleased\t" in edi_gateway(["inventory", "holds", "--all"], environ).stdout
    assert [d["note"] for d in audit_details(data_dir, "inventory.hold_released")] == ["discontinued by the brand"]
    assert_one_clear_line(edi_gateway(["inventory", "release", "ACME-LAMP-02"], environ),
                          "nothing of SKU ACME-LAMP-02 is held")
    assert_one_clear_line(edi_gateway(["inventory", "push", "--partner", "NOBODY"], environ), "no partner NOBODY")

    table = edi_gateway(["inventory", "drift"], environ)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0] == "\t".join(COLUMNS)
    sheet = edi_gateway(["inventory", "drift", "--csv", "--only-drifting"], environ)
    assert sheet.returncode == 0 and sheet.stdout.splitlines() == [",".join(COLUMNS)], "nothing sent yet"


def test_held_snapshots_are_listed_released_and_discarded(installed):
    data_dir, environ = installed
    assert post_stock(data_dir, report(*(level(sku, 50) for sku in SKUS))) == "applied"
    assert post_stock(data_dir, report(level("ACME-MUG-01", 7))) == "held"
    listed = edi_gateway(["inventory", "snapshots"], environ)
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    report_id = line.split("\t")[0]
    assert line.endswith("\t1 SKUs\t5 of 6 last reported missing")
    assert edi_gateway(["inventory", "release-snapshot", report_id, "--note", "sold out"], environ).stdout.strip() == (
        f"stock report {report_id} released")
    assert edi_gateway(["inventory", "snapshots"], environ).stdout.strip() == "no snapshot is held"
    assert_one_clear_line(edi_gateway(["inventory", "discard-snapshot", report_id], environ),
                          f"no held stock report {report_id}")

    assert post_stock(data_dir, report(*(level(sku, 50) for sku in SKUS))) == "applied"
    assert post_stock(data_dir, report(level("ACME-MUG-01", 3))) == "held"
    other = edi_gateway(["inventory", "snapshots"], environ).stdout.split("\t")[0]
    assert edi_gateway(["inventory", "discard-snapshot", other], environ).stdout.strip() == (
        f"stock report {other} discarded")
