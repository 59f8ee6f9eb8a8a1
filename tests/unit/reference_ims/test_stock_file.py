"""The stock CSV the reference IMS starts from: the demo stock (tests/fixtures/amazon) loads,
bad files say where."""
import csv
from datetime import date

import pytest

from reference_ims.stock import StockFileError, StockUpdate, read_stock_csv
from tests.fixtures import AMAZON_FIXTURES, REPOSITORY

SANDBOX_STOCK = REPOSITORY / "gateway" / "sandbox" / "stock.csv"


def test_reads_the_demo_stock():
    rows = dict(read_stock_csv(AMAZON_FIXTURES / "stock.csv"))
    assert rows["ACME-SOAP-03"] == StockUpdate(on_hand=8, reserved=8, case_pack=24)
    assert rows["ACME-LAMP-02"] == StockUpdate(on_hand=50, reserved=10, case_pack=2)
    assert len(rows) == 6


def test_optional_columns(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text("sku,on_hand,reserved,restock_date,discontinued\nA,1,0,2026-12-20,false\nB,0,0,,TRUE\n")
    assert read_stock_csv(path) == [
        ("A", StockUpdate(on_hand=1, reserved=0, restock_date=date(2026, 12, 20))),
        ("B", StockUpdate(on_hand=0, reserved=0, discontinued=True)),
    ]


def test_case_pack_is_optional_and_defaults_to_one_each(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text("sku,on_hand,reserved,case_pack\nA,24,0,12\nB,5,0,\n")
    assert read_stock_csv(path) == [
        ("A", StockUpdate(on_hand=24, reserved=0, case_pack=12)),
        ("B", StockUpdate(on_hand=5, reserved=0, case_pack=1)),
    ]


def test_the_sandbox_stock_packs_as_the_demo_catalogue_orders():
    """ACME-CANDLE-12 is ordered by Amazon in cases of 12 (gateway/sandbox/catalogue.csv), so the
    IMS must pack it 12 to a carton; SKUs Amazon orders as eaches may still travel several to a carton."""
    packs = {sku: update.case_pack for sku, update in read_stock_csv(SANDBOX_STOCK)}
    assert packs == {"ACME-MUG-01": 6, "ACME-CANDLE-12": 12, "ACME-LAMP-02": 2, "ACME-MUG-02": 6,
                     "ACME-TEE-BLK-M": 12, "ACME-SOAP-03": 24}
    with (SANDBOX_STOCK.parent / "catalogue.csv").open(newline="") as catalogue:
        ordered_in_cases = {row["sku"]: int(row["case_pack"]) for row in csv.DictReader(catalogue)
                            if int(row["case_pack"]) > 1}
    assert ordered_in_cases and all(packs[sku] == pack for sku, pack in ordered_in_cases.items())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sku,on_hand\nA,1\n", "missing column(s) reserved"),
        ("sku,on_hand,reserved\nA,1,0\nB,-2,0\n", ":3: on_hand='-2' is not a whole number"),
        ("sku,on_hand,reserved,restock_date\nA,1,0,20/12/2026\n", ":2: restock_date='20/12/2026'"),
        ("sku,on_hand,reserved,discontinued\nA,1,0,maybe\n", ":2: discontinued='maybe'"),
        ("sku,on_hand,reserved\n,1,0\n", ":2: sku is empty"),
        ("sku,on_hand,reserved,case_pack\nA,1,0,0\n", ":2: case_pack='0' is not a whole number of eaches of at least 1"),
        ("sku,on_hand,reserved,case_pack\nA,1,0,6.5\n", ":2: case_pack='6.5'"),
        ("sku,on_hand,reserved,case_pack\nA,1,0,dozen\n", ":2: case_pack='dozen'"),
        ("sku,on_hand,reserved,case_pack\nA,1,0,-6\n", ":2: case_pack='-6'"),
    ],
)
def test_bad_files_name_the_line(tmp_path, content, message):
    path = tmp_path / "stock.csv"
    path.write_text(content)
    with pytest.raises(StockFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_stock_csv(path)
