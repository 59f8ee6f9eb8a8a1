"""The inventory pages: what the 846 feed sent and how each batch fared, the SKUs the
zero-stock guard holds back from Amazon, the stock snapshots held for a person, and the
drift between what Amazon believes and what the IMS holds (with its CSV).

Every signed-in role reads them; releasing a hold and releasing or discarding a held
snapshot are for the roles with ``release_stock`` (ops, admin). Each action is a form post
(CSRF-checked by :func:`gateway.web.login.protect`) that calls one function of
``gateway.inventory`` (which writes the audit row), then redirects back (post/redirect/get).
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.exchange.tracker import functional_ack_due
from gateway.inventory.drift import COLUMNS, drift_report
from gateway.inventory.holds import HoldStatus, holds_of, release_hold
from gateway.inventory.read_model import feed_json, held_counts, hold_json, list_feeds, list_snapshots, snapshot_json
from gateway.inventory.stock import ReportOutcome, decide_held_report
from gateway.models import InventoryHold, Message, TradingPartner
from gateway.platform.db import session_scope
from gateway.web import login, settings_of
from gateway.web.pages import delivery_words, functional_ack_words

blueprint = Blueprint("inventory_pages", __name__)
login.protect(blueprint)

FEED_ROWS = 50
HOLD_ROWS = 500
MAX_NOTE = 2000
# What the holds page lists: the SKUs held now, or those whose hold ended.
HOLD_VIEWS = {"held": (HoldStatus.HELD,), "ended": (HoldStatus.RELEASED, HoldStatus.CLEARED)}


@blueprint.get("/inventory")
def inventory():
    """The feeds, newest first, with each batch's 846 in words; the held snapshots; the held SKUs' count."""
    now = datetime.now(timezone.utc)
    with session_scope(settings_of(current_app)) as db:
        feeds = [_feed_in_words(db, feed_json(db, feed), now) for feed in list_feeds(db, limit=FEED_ROWS)]
        snapshots = [snapshot_json(row) for row in list_snapshots(db, outcome=ReportOutcome.HELD)]
        return render_template("inventory.html", feeds=feeds, snapshots=snapshots, held_skus=held_counts(db)[0])


@blueprint.get("/inventory/holds")
def holds():
    """The SKUs held back from the 846 (``show=ended``: the holds released or cleared)."""
    show = request.args.get("show", "held")
    if show not in HOLD_VIEWS:
        return render_template("error.html", title="No such list of holds",
                               detail="The holds page lists those held now (held) or those that ended (ended)."), 400
    with session_scope(settings_of(current_app)) as db:
        partners = {partner.id: partner for partner in db.scalars(select(TradingPartner))}
        rows = holds_of(db, status=HOLD_VIEWS[show])
        if show == "ended":
            rows = sorted(rows, key=lambda hold: hold.released_at or hold.held_at, reverse=True)
        return render_template("inventory_holds.html", show=show,
                               holds=[hold_json(hold, partners[hold.partner_id]) for hold in rows[:HOLD_ROWS]],
                               capped=len(rows) > HOLD_ROWS)


@blueprint.post("/inventory/holds/<int:hold_id>/release")
@login.requires_permission("release_stock")
def release(hold_id: int):
    with session_scope(settings_of(current_app)) as db:
        hold = db.get(InventoryHold, hold_id, with_for_update=True)
        if hold is None:
            abort(404, description=f"No hold {hold_id} was opened.")
        sku = hold.sku
        try:
            release_hold(db, hold, actor=current_user.actor, note=_note())
        except ValueError:
            flash(f"SKU {sku} is no longer held ({hold.status}): nothing to release.", "error")
        else:
            flash(f"Released SKU {sku}: its zero goes out in the next 846.", "info")
    return redirect(url_for(".holds"))


@blueprint.post("/inventory/snapshots/<int:report_id>/<any(release, discard):decision>")
@login.requires_permission("release_stock")
def decide(report_id: int, decision: str):
    try:
        decide_held_report(settings_of(current_app), report_id, release=decision == "release",
                           actor=current_user.actor, note=_note())
    except LookupError:
        flash(f"Stock snapshot {report_id} is not held: nothing to {decision}.", "error")
    else:
        flash(f"Stock snapshot {report_id} released: its levels are applied and go out in the next 846."
              if decision == "release" else
              f"Stock snapshot {report_id} discarded: the levels stay as they were.", "info")
    return redirect(url_for(".inventory"))


@blueprint.get("/inventory/drift")
def drift():
    """Per partner and SKU, Amazon's open units against the IMS's allocation, and the last
    846 against what is available now; ``drifting=1`` keeps the rows that drift."""
    only_drifting = request.args.get("drifting") == "1"
    with session_scope(settings_of(current_app)) as db:
        return render_template("inventory_drift.html", rows=drift_report(db, only_drifting=only_drifting),
                               only_drifting=only_drifting)


@blueprint.get("/inventory/drift.csv")
def drift_csv() -> Response:
    only_drifting = request.args.get("drifting") == "1"
    with session_scope(settings_of(current_app)) as db:
        rows = drift_report(db, only_drifting=only_drifting)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row.as_json().values()])
    return Response(text.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="inventory-drift.csv"'})


def _feed_in_words(db: Session, feed: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A feed as ``feed_json`` shows it, each batch with its 846's delivery and 997 in words."""
    for batch in feed["batches"]:
        message = db.get(Message, batch["message_id"]) if batch["message_id"] is not None else None
        code, due = functional_ack_due(db, batch["message_id"], "846")
        batch["delivery_words"] = delivery_words(message)
        batch["delivery_state"] = "none" if batch["delivery"] is None else batch["delivery"]
        batch["functional_ack_words"] = functional_ack_words(code, due, now) if message is not None else "not sent"
    return feed


def _note() -> str:
    return request.form.get("note", "").strip()[:MAX_NOTE]
