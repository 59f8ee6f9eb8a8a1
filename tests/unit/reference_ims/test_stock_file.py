"""The stock CSV the reference IMS starts from: the demo stock (tests/fixtures/amazon) loads,
bad files say where."""
from datetime import date

import pytest

from reference_ims.stock import StockFileError, StockUpdate, read_stock_csv
from tests.fixtures import AMAZON_FIXTURES


def test_reads_the_demo_stock():
    rows = dict(read_stock_csv(AMAZON_FIXTURES / "stock.csv"))
    assert rows["ACME-SOAP-03"] == StockUpdate(on_hand=8, reserved=8)
    assert rows["ACME-LAMP-02"] == StockUpdate(on_hand=50, reserved=10)
    assert len(rows) == 6


def test_optional_columns(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text("sku,on_hand,reserved,restock_date,discontinued\nA,1,0,2026-12-20,false\nB,0,0,,TRUE\n")
    assert read_stock_csv(path) == [
        ("A", StockUpdate(on_hand=1, reserved=0, restock_date=date(2026, 12, 20))),
        ("B", StockUpdate(on_hand=0, reserved=0, discontinued=True)),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sku,on_hand\nA,1\n", "missing column(s) reserved"),
        ("sku,on_hand,reserved\nA,1,0\nB,-2,0\n", ":3: on_hand='-2' is not a whole number"),
        ("sku,on_hand,reserved,restock_date\nA,1,0,20/12/2026\n", ":2: restock_date='20/12/2026'"),
        ("sku,on_hand,reserved,discontinued\nA,1,0,maybe\n", ":2: discontinued='maybe'"),
        ("sku,on_hand,reserved\n,1,0\n", ":2: sku is empty"),
    ],
)
def test_bad_files_name_the_line(tmp_path, content, message):
    path = tmp_path / "stock.csv"
    path.write_text(content)
    with pytest.raises(StockFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_stock_csv(path)
