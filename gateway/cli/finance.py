"""``edi-gateway finance ...``: Amazon's 820 remittances and the month close from the command line.

``remittances`` lists the newest remittances, one line each (or every line of them as CSV);
``month-close`` prints the month's figures (invoiced, paid, deducted by category, outstanding,
unmatched) as the page and the API show them.
"""
from __future__ import annotations

from datetime import datetime, timezone

import click

from gateway.finance.month_close import checked_month, month_close, month_close_csv
from gateway.finance.read_model import list_remittances, remittance_json, remittances_csv, unmatched_lines
from gateway.platform.db import session_scope

class FinanceCommandError(Exception):
    """Asked for something that cannot be: one line, exit 2."""


@click.group()
def finance() -> None:
    """Amazon's 820 remittances and the month close."""


@finance.command("remittances")
@click.option("--csv", "as_csv", is_flag=True, help="Every line of them as CSV instead of one line per remittance.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="How many of the newest remittances.")
def finance_remittances(as_csv: bool, limit: int) -> None:
    """The newest remittances: trace number, payment date, amount, lines, unmatched lines."""
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        rows = list_remittances(session, limit=limit)
        if as_csv:
            click.echo(remittances_csv(session, rows), nl=False)
            return
        if not rows:
            click.echo("no remittance has come in")
        for row in rows:
            shown = remittance_json(session, row)
            unmatched = len(unmatched_lines(row))
            click.echo(f"{shown['trace_number']}\t{shown['payment_date'] or 'no payment date'}\t"
                       f"{shown['payment_amount']}\t{len(row.lines)} lines\t{unmatched} unmatched")


@finance.command("month-close")
@click.option("--month", metavar="YYYY-MM", help="The calendar month (default: the current month, UTC).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (figure,value) instead of a tab-separated table.")
def finance_month_close(month: str | None, as_csv: bool) -> None:
    """The month's figures: invoiced, remitted, paid, deducted by category, outstanding, unmatched."""
    from gateway.cli.main import settings

    month = month or f"{datetime.now(timezone.utc):%Y-%m}"
    try:
        checked_month(month)
    except ValueError:
        raise FinanceCommandError(f"--month {month!r} is not a month written YYYY-MM") from None
    with session_scope(settings()) as session:
        report = month_close(session, month)
    if as_csv:
        click.echo(month_close_csv(report), nl=False)
        return
    for figure, value in report.rows():
        click.echo(f"{figure}\t{value}")


ERRORS = (FinanceCommandError,)
