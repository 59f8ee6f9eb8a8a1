"""Remittances and the month close over HTTP: what finance reads of Amazon's 820 payments.

``GET /api/v1/remittances[.csv]`` (the newest 100, ``?since=YYYY-MM-DD`` on their payment
date), ``GET /api/v1/remittances/<trace_number>`` and ``GET /api/v1/finance/month-close[.csv]``
(``?month=YYYY-MM``, default the current month): roles finance and ops, documented in
docs/gateway-api.yaml. Reading only: remittances come in as 820s (``gateway.finance.remittances``).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timezone

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from gateway.finance.month_close import MonthClose, checked_month, month_close, month_close_csv
from gateway.finance.read_model import find_remittance, list_remittances, remittance_json, remittances_csv
from gateway.models import Remittance
from gateway.platform.db import session_scope
from gateway.web import settings_of
from gateway.web.auth import problem, requires_token_role
from gateway.web.invoices import csv_download

blueprint = Blueprint("remittances", __name__)

REMITTANCES = "/api/v1/remittances"
REMITTANCE_ROWS = 100
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@blueprint.get(REMITTANCES)
@requires_token_role("finance", "ops")
def remittances() -> Response:
    """The newest 100 remittances with their lines; ``?since=`` those paid on or after a day."""
    return _with_remittances(lambda session, rows: jsonify(items=[remittance_json(session, row) for row in rows]))


@blueprint.get(f"{REMITTANCES}.csv")
@requires_token_role("finance", "ops")
def remittances_sheet() -> Response:
    """The same remittances as a CSV download: one row per line."""
    return _with_remittances(lambda session, rows: csv_download(remittances_csv(session, rows), "remittances.csv"))


@blueprint.get(f"{REMITTANCES}/<trace_number>")
@requires_token_role("finance", "ops")
def remittance(trace_number: str) -> Response:
    with session_scope(settings_of(current_app)) as session:
        row = find_remittance(session, trace_number) if len(trace_number) <= 50 else None
        if row is None:
            return problem(404, "Not Found", f"no remittance with trace number {trace_number}")
        return jsonify(remittance_json(session, row))


@blueprint.get("/api/v1/finance/month-close")
@requires_token_role("finance", "ops")
def month_close_figures() -> Response:
    """The month's figures (``MonthClose.rows``) as one object, each value a string."""
    report = _month_close()
    return report if isinstance(report, Response) else jsonify(dict(report.rows()))


@blueprint.get("/api/v1/finance/month-close.csv")
@requires_token_role("finance", "ops")
def month_close_sheet() -> Response:
    report = _month_close()
    if isinstance(report, Response):
        return report
    return csv_download(month_close_csv(report), f"month-close-{report.month}.csv")


def remittances_since(session: Session, since: date | None) -> list[Remittance]:
    """The newest 100 remittances, or the newest 100 paid on or after ``since`` (a remittance
    without a payment date by the day it was received, as the month close counts it)."""
    if since is None:
        return list_remittances(session, limit=REMITTANCE_ROWS)
    paid_on = func.coalesce(Remittance.payment_date, func.date(Remittance.received_at))
    return list(session.scalars(select(Remittance).options(selectinload(Remittance.lines)).where(paid_on >= since)
                                .order_by(Remittance.received_at.desc(), Remittance.id.desc())
                                .limit(REMITTANCE_ROWS)))


def current_month() -> str:
    return f"{datetime.now(timezone.utc):%Y-%m}"


def _with_remittances(answer: Callable[[Session, list[Remittance]], Response]) -> Response:
    text = request.args.get("since")
    since = None
    if text is not None:
        try:
            if not DAY.fullmatch(text):
                raise ValueError(text)
            since = date.fromisoformat(text)
        except ValueError:
            return problem(400, "Bad Request", "since must be a day written YYYY-MM-DD", parameter="since")
    with session_scope(settings_of(current_app)) as session:
        return answer(session, remittances_since(session, since))


def _month_close() -> MonthClose | Response:
    try:
        month = checked_month(request.args.get("month") or current_month())
    except ValueError:
        return problem(400, "Bad Request", "month must be a month written YYYY-MM (2000-01 to 2999-12)",
                       parameter="month")
    with session_scope(settings_of(current_app)) as session:
        return month_close(session, month)
