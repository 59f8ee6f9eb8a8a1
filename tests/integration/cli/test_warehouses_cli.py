"""`edi-gateway warehouses add/list`: the ship-from a shipment names by code, checked and audited."""
import pytest

from tests.integration.cli.test_catalogue_cli import audit_details
from tests.integration.cli.test_cli import assert_one_clear_line, edi_gateway
from tests.support.processes import gateway_environment

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program

# What `init` gives a new installation: the sandbox IMS ships from it.
DEMO_WAREHOUSE = "WH1\tAcme Brands demo warehouse\t1 Demo Way\tReno\tNV\t89501\tUS"
SEATTLE = ["--name", "Acme Seattle DC", "--street", "1 Harbor Way", "--city", "Seattle",
           "--postal-code", "98101", "--country", "us", "--state", "wa"]


def test_add_then_add_again_updates_and_list_shows_the_table(tmp_path):
    data_dir = tmp_path / "data"
    environ = gateway_environment(data_dir)
    assert edi_gateway(["init"], environ).returncode == 0
    added = edi_gateway(["warehouses", "add", "sea-1", *SEATTLE], environ)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added warehouse SEA-1"
    berlin = edi_gateway(["warehouses", "add", "BER", "--name", "Acme Berlin", "--street", "Lagerstr. 5",
                          "--city", "Berlin", "--postal-code", "10115", "--country", "DE"], environ)
    assert berlin.returncode == 0, berlin.stderr

    moved = edi_gateway(["warehouses", "add", "SEA-1", *SEATTLE[:3], "2 Pier Road", *SEATTLE[4:]], environ)
    assert moved.returncode == 0 and moved.stdout.strip() == "updated warehouse SEA-1", moved.stderr

    listed = edi_gateway(["warehouses", "list"], environ)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "code\tname\tstreet\tcity\tstate\tpostal_code\tcountry",
        "BER\tAcme Berlin\tLagerstr. 5\tBerlin\t\t10115\tDE",
        "SEA-1\tAcme Seattle DC\t2 Pier Road\tSeattle\tWA\t98101\tUS",
        DEMO_WAREHOUSE,
    ]
    assert [event["street"] for event in audit_details(data_dir, "warehouse.added")] == [
        "1 Demo Way", "1 Harbor Way", "Lagerstr. 5"]
    assert [event["street"] for event in audit_details(data_dir, "warehouse.updated")] == ["2 Pier Road"]


@pytest.mark.parametrize("code, change, expected", [
    ("SEA_1", {}, "code 'SEA_1'"),
    ("A" * 21, {}, "1 to 20 characters"),
    ("SEA-1", {"--country": "USA"}, "country 'USA'"),
    ("SEA-1", {"--state": "Washington"}, "state 'WASHINGTON'"),
    ("SEA-1", {"--name": "  "}, "name is empty"),
    ("SEA-1", {"--name": "N" * 61}, "name"),
    ("SEA-1", {"--street": "S" * 56}, "street"),
    ("SEA-1", {"--city": "C" * 31}, "city"),
    ("SEA-1", {"--postal-code": "12"}, "postal code '12'"),
    ("SEA-1", {"--postal-code": "1" * 16}, "postal code"),
])
def test_each_refusal_is_one_line_with_exit_2_and_saves_nothing(tmp_path, code, change, expected):
    environ = gateway_environment(tmp_path / "data")
    assert edi_gateway(["init"], environ).returncode == 0
    options = dict(zip(SEATTLE[::2], SEATTLE[1::2])) | change
    arguments = [part for option, value in options.items() for part in (option, value)]
    assert_one_clear_line(edi_gateway(["warehouses", "add", code, *arguments], environ), expected)
    assert edi_gateway(["warehouses", "list"], environ).stdout.splitlines()[1:] == [DEMO_WAREHOUSE]


def test_org_remit_to_is_checked_like_an_address_and_kept_for_the_810(tmp_path):
    data_dir = tmp_path / "data"
    environ = gateway_environment(data_dir)
    assert edi_gateway(["init"], environ).returncode == 0
    assert_one_clear_line(edi_gateway(["org", "remit-to", *SEATTLE[:-4], "--country", "USA"], environ),
                          "country 'USA'")
    saved = edi_gateway(["org", "remit-to", *SEATTLE], environ)
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout.strip() == "remit-to set: Acme Seattle DC, 1 Harbor Way, Seattle 98101 US"
    assert [event["street"] for event in audit_details(data_dir, "organisation.remit_to_set")] == [
        "1 Demo Way", "1 Harbor Way"], "init set the demo one; the command replaced it"
