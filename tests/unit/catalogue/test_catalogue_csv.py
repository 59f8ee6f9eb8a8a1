"""Reading the catalogue CSV: the demo file (tests/fixtures/amazon), and errors that name
file and line."""
from decimal import Decimal

import pytest

from gateway.catalogue.items import CatalogueError, CatalogueRow, money_text, read_catalogue_csv
from tests.fixtures import AMAZON_FIXTURES


def test_the_demo_catalogue_reads():
    rows = read_catalogue_csv(AMAZON_FIXTURES / "catalogue.csv")
    # Costs are per each: the candle's case of 12 costs 40.00 in the sample POs.
    assert rows[1] == CatalogueRow("UP", "012345678905", "ACME-CANDLE-12", Decimal("3.3333"), 12, False, False)
    assert [row.sku for row in rows if row.critical] == ["ACME-LAMP-02"]


def test_optional_values_and_the_discontinued_column(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text("Qualifier,identifier,sku,unit_cost,case_pack,critical,discontinued\n"
                    "vp,PART-9, ACME-X ,,,yes,true\n")
    assert read_catalogue_csv(path) == [CatalogueRow("VP", "PART-9", "ACME-X", None, None, True, True)]


@pytest.mark.parametrize(("content", "message"), [
    ("qualifier,identifier,sku\n", ":1: missing column(s) unit_cost, case_pack, critical"),
    ("qualifier,identifier,sku,unit_cost,case_pack,critical\nZZ,1,S,1,1,false\n", ":2: qualifier='ZZ'"),
    ("qualifier,identifier,sku,unit_cost,case_pack,critical\nEN,1,S,cheap,1,false\n", ":2: unit_cost='cheap'"),
    ("qualifier,identifier,sku,unit_cost,case_pack,critical\nEN,1,S,1,0,false\n", ":2: case_pack='0'"),
    ("qualifier,identifier,sku,unit_cost,case_pack,critical\nEN,1,S,1,1,maybe\n", ":2: critical='maybe'"),
    ("qualifier,identifier,sku,unit_cost,case_pack,critical\nEN,1,,1,1,false\n", ":2: sku must be"),
    ("qualifier,identifier,sku,unit_cost,case_pack,critical\nEN,1,S,1,1,false\nEN,2,S,1,1,false\n"
     "EN,1,T,1,1,false\n", ":4: EN 1 is already on line 2"),
])
def test_a_bad_file_is_refused_naming_file_and_line(tmp_path, content, message):
    path = tmp_path / "catalogue.csv"
    path.write_text(content)
    with pytest.raises(CatalogueError) as raised:
        read_catalogue_csv(path)
    assert str(raised.value).startswith(str(path)) and message in str(raised.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CatalogueError, match="missing.csv: cannot read"):
        read_catalogue_csv(tmp_path / "missing.csv")


@pytest.mark.parametrize(("amount", "text"), [("12.5000", "12.50"), ("40", "40.00"), ("0.1250", "0.125")])
def test_money_text_keeps_cents(amount, text):
    assert money_text(Decimal(amount)) == text
