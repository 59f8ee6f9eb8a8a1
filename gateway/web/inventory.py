"""Inventory over HTTP: the IMS posts its stock (the source of the 846); people and tools
read and release zero-stock holds, held snapshots, the feeds and the drift report.

``POST /api/v1/ims/stock`` (role ims; docs/ims-api.yaml ``receiveStockReport``): 202 with
``outcome`` applied, unchanged, stale or held; 422 with every problem. The rest
(``/api/v1/inventory/...``: holds, snapshots, feeds, drift) is in docs/gateway-api.yaml.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import select

from gateway.inventory.drift import DriftRow, drift_report
from gateway.inventory.feeds import FeedInProgress, InventoryNotEnabled, request_feed
from gateway.inventory.holds import HoldStatus, holds_of, release_sku
from gateway.inventory.read_model import drift_csv, feed_json, hold_json, list_feeds, list_snapshots, snapshot_json
from gateway.inventory.stock import ReportOutcome, decide_held_report, receive_stock_report
from gateway.models import InventoryFeed, TradingPartner
from gateway.platform.db import session_scope
from gateway.platform.queue import enqueue
from gateway.web import settings_of
from gateway.web.auth import problem, requires_token_role
from gateway.web.ims_documents import accept_document

blueprint = Blueprint("inventory", __name__)

INVENTORY = "/api/v1/inventory"
NEXT_FEED = "sent in the partner's next 846 (changes feed, at most inventory.changes_every_minutes away)"
MAX_TEXT = 500  # a note, an AS2 id, a ship-from code or a SKU longer than this is a mistake


@blueprint.post("/api/v1/ims/stock")
@requires_token_role("ims")
def receive() -> Response:
    return accept_document("stock report", receive_stock_report)


# --- holds ---------------------------------------------------------------------------------

@blueprint.get(f"{INVENTORY}/holds")
@requires_token_role("ops", "ims")
def holds() -> Response:
    """Zero-stock holds, oldest first: ``?status=held|released|cleared`` (default held), ``?sku=``."""
    status = request.args.get("status", HoldStatus.HELD.value)
    if status not in {s.value for s in HoldStatus}:
        return problem(400, "Bad Request", f"status must be one of {', '.join(s.value for s in HoldStatus)}")
    sku = request.args.get("sku")
    if sku is not None and not 1 <= len(sku) <= 64:
        return problem(400, "Bad Request", "sku must be 1 to 64 characters")
    with session_scope(settings_of(current_app)) as session:
        partners = {p.id: p for p in session.scalars(select(TradingPartner))}
        rows = holds_of(session, sku=sku, status=(HoldStatus(status),))
        return jsonify(items=[hold_json(hold, partners[hold.partner_id]) for hold in rows])


@blueprint.post(f"{INVENTORY}/holds/<sku>/release")
@requires_token_role("ops")
def release(sku: str) -> Response:
    """Let a held zero through: it goes out in the partner's next feed (nothing is queued now)."""
    body, refused = _body(("note", "partner", "ship_from"))
    if refused is not None:
        return refused
    with session_scope(settings_of(current_app)) as session:
        partner_id = None
        if body.get("partner") is not None:
            partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == body["partner"])).first()
            if partner is None:
                return problem(404, "Not Found", f"no partner {body['partner']}")
            partner_id = partner.id
        released = release_sku(session, sku, actor=f"api:{g.api_role}", note=body.get("note") or "",
                               partner_id=partner_id, ship_from=body.get("ship_from"))
        if not released:
            return problem(404, "Not Found", f"nothing of SKU {sku} is held")
        partners = {p.id: p for p in session.scalars(select(TradingPartner))}
        return jsonify(items=[hold_json(hold, partners[hold.partner_id]) for hold in released], next=NEXT_FEED)


# --- held snapshots ------------------------------------------------------------------------

@blueprint.get(f"{INVENTORY}/snapshots")
@requires_token_role("ops")
def snapshots() -> Response:
    """The newest 100 stock reports; ``?outcome=held`` those waiting for a person."""
    outcome = request.args.get("outcome")
    if outcome is not None and outcome not in {o.value for o in ReportOutcome}:
        return problem(400, "Bad Request", f"outcome must be one of {', '.join(o.value for o in ReportOutcome)}")
    with session_scope(settings_of(current_app)) as session:
        rows = list_snapshots(session, outcome=ReportOutcome(outcome) if outcome else None)
        return jsonify(items=[snapshot_json(row) for row in rows])


@blueprint.post(f"{INVENTORY}/snapshots/<int:report_id>/release")
@requires_token_role("ops")
def release_snapshot(report_id: int) -> Response:
    return _decide(report_id, release=True)


@blueprint.post(f"{INVENTORY}/snapshots/<int:report_id>/discard")
@requires_token_role("ops")
def discard_snapshot(report_id: int) -> Response:
    return _decide(report_id, release=False)


def _decide(report_id: int, *, release: bool) -> Response:
    body, refused = _body(("note",))
    if refused is not None:
        return refused
    try:
        row = decide_held_report(settings_of(current_app), report_id, release=release, actor=f"api:{g.api_role}",
                                 note=body.get("note") or "")
    except LookupError as error:
        return problem(404, "Not Found", str(error))
    return jsonify(snapshot_json(row))


# --- feeds ---------------------------------------------------------------------------------

@blueprint.get(f"{INVENTORY}/feeds")
@requires_token_role("ops", "ims")
def feeds() -> Response:
    """The newest 100 feeds, without their batches; ``?partner=`` one partner's (AS2 id)."""
    key = request.args.get("partner")
    with session_scope(settings_of(current_app)) as session:
        partner_id = None
        if key is not None:
            partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == key)).first()
            if partner is None:
                return problem(404, "Not Found", f"no partner {key}")
            partner_id = partner.id
        return jsonify(items=[feed_json(session, feed, batches=False)
                              for feed in list_feeds(session, partner_id=partner_id)])


@blueprint.get(f"{INVENTORY}/feeds/<int:feed_id>")
@requires_token_role("ops", "ims")
def feed(feed_id: int) -> Response:
    with session_scope(settings_of(current_app)) as session:
        row = session.get(InventoryFeed, feed_id)
        if row is None:
            return problem(404, "Not Found", f"no feed {feed_id}")
        return jsonify(feed_json(session, row))


@blueprint.post(f"{INVENTORY}/feeds")
@requires_token_role("ops")
def push_feed() -> Response:
    """Plan a feed for one partner now and queue its sending: 202 with the feed."""
    body, refused = _body(("partner", "full"), required=("partner",))
    if refused is not None:
        return refused
    full = body.get("full", False)
    if not isinstance(full, bool):
        return problem(400, "Bad Request", "full must be true (every SKU) or false (the changes)")
    settings = settings_of(current_app)
    try:
        planned = request_feed(settings, body["partner"], full=full, requested_by=f"api:{g.api_role}")
    except (InventoryNotEnabled, FeedInProgress) as error:
        return problem(409, "Conflict", str(error))
    except LookupError as error:
        return problem(404, "Not Found", str(error))
    enqueue(settings, "workers.tasks.send_inventory_feed", feed_id=planned.id)
    with session_scope(settings) as session:
        answer = jsonify(feed_json(session, session.get(InventoryFeed, planned.id) or planned))
    answer.status_code = 202
    return answer


# --- drift ---------------------------------------------------------------------------------

@blueprint.get(f"{INVENTORY}/drift")
@requires_token_role("ops", "finance")
def drift() -> Response:
    """Where Amazon's belief and the IMS's stock differ, per partner and SKU."""
    rows = _drift_rows()
    if isinstance(rows, Response):
        return rows
    return jsonify(items=[row.as_json() for row in rows], drifting=sum(1 for row in rows if row.drifts))


@blueprint.get(f"{INVENTORY}/drift.csv")
@requires_token_role("ops", "finance")
def drift_sheet() -> Response:
    rows = _drift_rows()
    if isinstance(rows, Response):
        return rows
    response = Response(drift_csv(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="inventory-drift.csv"'
    return response


def _drift_rows() -> list[DriftRow] | Response:
    """The report, ``?only_drifting=true`` the rows that drift; or a 400 for a bad flag."""
    only_drifting = _flag("only_drifting")
    if isinstance(only_drifting, Response):
        return only_drifting
    with session_scope(settings_of(current_app)) as session:
        return drift_report(session, only_drifting=only_drifting)


# --- reading the request -------------------------------------------------------------------

def _body(fields: tuple[str, ...], required: tuple[str, ...] = ()) -> tuple[dict[str, Any], Response | None]:
    """The JSON object sent (empty when nothing was sent and nothing is required), or a 400:
    only ``fields``, each a string (or null) of at most MAX_TEXT characters, except ``full``."""
    if not request.get_data() and not required:
        return {}, None
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return {}, problem(400, "Bad Request", "the body must be a JSON object (Content-Type: application/json)")
    unknown = sorted(name for name in body if name not in fields)
    if unknown:
        return {}, problem(400, "Bad Request", f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(fields)}")
    missing = [name for name in required if body.get(name) is None]
    if missing:
        return {}, problem(400, "Bad Request", f"{', '.join(missing)} is required")
    for name, value in body.items():
        if name != "full" and value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT
                                                     or "\x00" in value):
            return {}, problem(400, "Bad Request", f"{name} must be text of at most {MAX_TEXT} characters "
                                                   "(no NUL)")
    return body, None


def _flag(name: str) -> bool | Response:
    value = request.args.get(name, "false").lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        return problem(400, "Bad Request", f"{name} must be true or false")
    return value in ("true", "1", "yes")
