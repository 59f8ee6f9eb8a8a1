"""`edi-gateway finance ...`, run as an operator runs it: the remittances and the month close."""
from __future__ import annotations

import csv
import io

import pytest

from gateway.finance.read_model import CSV_COLUMNS
from tests.conftest import make_settings
from tests.integration.cli.test_cli import assert_one_clear_line, edi_gateway
from tests.integration.cli.test_inventory_cli import installed  # noqa: F401  (a new installation with Amazon)
from tests.integration.finance_web.books import NOVEMBER, OCTOBER, keep_books

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program


def test_no_remittance_yet_and_an_empty_month(installed):
    _, environ = installed
    listed = edi_gateway(["finance", "remittances"], environ)
    assert (listed.returncode, listed.stdout) == (0, "no remittance has come in\n")
    closed = edi_gateway(["finance", "month-close", "--month", "2026-11"], environ)
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.splitlines()[:2] == ["month\t2026-11", "invoiced_count\t0"]


def test_the_remittances_and_the_month_close_of_kept_books(installed):
    data_dir, environ = installed
    keep_books(make_settings(data_dir))
    listed = edi_gateway(["finance", "remittances"], environ)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [f"{NOVEMBER}\t2026-11-20\t470.00\t5 lines\t1 unmatched",
                                          f"{OCTOBER}\t2026-10-05\t200.00\t1 lines\t0 unmatched"]
    sheet = edi_gateway(["finance", "remittances", "--csv"], environ)
    header, *body = csv.reader(io.StringIO(sheet.stdout))
    assert tuple(header) == CSV_COLUMNS and len(body) == 6

    closed = edi_gateway(["finance", "month-close", "--month", "2026-11"], environ)
    figures = dict(line.split("\t") for line in closed.stdout.splitlines())
    assert (figures["invoiced_count"], figures["unmatched_count"]) == ("3", "1")
    as_csv = edi_gateway(["finance", "month-close", "--month", "2026-11", "--csv"], environ)
    assert as_csv.stdout.splitlines()[0] == "figure,value"
    assert dict(list(csv.reader(io.StringIO(as_csv.stdout)))[1:]) == figures


@pytest.mark.parametrize("month", ["2026-13", "Nov", "2026-+1"])
def test_a_month_not_written_yyyy_mm_is_one_clear_line_and_exit_2(installed, month):
    _, environ = installed
    refused = edi_gateway(["finance", "month-close", "--month", month], environ)
    assert refused.returncode == 2
    assert_one_clear_line(refused, "is not a month written YYYY-MM")
