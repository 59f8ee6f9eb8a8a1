"""Shipments over HTTP: the IMS posts the confirmed pack, people and tools read it and print its labels.

``POST /api/v1/ims/shipments`` (role ims) is the source of the 856 (docs/ims-api.yaml
``receiveShipment``): 202 once stored and its 856 queued (or already had), 422 with every
problem, 409 when a known shipment cannot be replaced. ``GET /api/v1/shipments[/<id>]``
and the labels (PDF for any printer, ZPL for Zebra printers) are in docs/gateway-api.yaml.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from gateway.models import Warehouse
from gateway.platform.db import session_scope
from gateway.shipping.labels import labels_pdf, labels_zpl
from gateway.shipping.read_model import find_shipment, list_shipments, shipment_detail, shipment_summary
from gateway.shipping.report import PO_NUMBER, SHIPMENT_ID
from gateway.shipping.ship_notices import receive_shipment
from gateway.shipping.shipment_labels import shipment_labels
from gateway.web import settings_of
from gateway.web.auth import problem, requires_token_role
from gateway.web.ims_documents import accept_document

blueprint = Blueprint("shipments", __name__)


@blueprint.post("/api/v1/ims/shipments")
@requires_token_role("ims")
def receive() -> Response:
    return accept_document("shipment", receive_shipment)


@blueprint.get("/api/v1/shipments")
@requires_token_role("ops", "finance", "ims")
def shipments() -> Response:
    po_number = request.args.get("po_number")
    if po_number is not None and not PO_NUMBER.fullmatch(po_number):
        return problem(400, "Bad Request", "po_number must be 1 to 22 letters or digits")
    with session_scope(settings_of(current_app)) as session:
        return jsonify(items=[shipment_summary(session, row) for row in list_shipments(session, po_number=po_number)])


@blueprint.get("/api/v1/shipments/<shipment_id>")
@requires_token_role("ops", "finance", "ims")
def shipment(shipment_id: str) -> Response:
    with session_scope(settings_of(current_app)) as session:
        row = find_shipment(session, shipment_id) if SHIPMENT_ID.fullmatch(shipment_id) else None
        if row is None:
            return problem(404, "Not Found", f"no shipment {shipment_id}")
        return jsonify(shipment_detail(session, row))


@blueprint.get("/api/v1/shipments/<shipment_id>/labels.<kind>")
@requires_token_role("ops", "ims")
def labels(shipment_id: str, kind: str) -> Response:
    if kind not in ("pdf", "zpl"):
        return problem(404, "Not Found", f"labels come as labels.pdf or labels.zpl, not labels.{kind}")
    return label_file(shipment_id, kind)


def label_file(shipment_id: str, kind: str) -> Response:
    """The shipment's labels as a download (also what the shipment page links to)."""
    with session_scope(settings_of(current_app)) as session:
        row = find_shipment(session, shipment_id) if SHIPMENT_ID.fullmatch(shipment_id) else None
        if row is None:
            return problem(404, "Not Found", f"no shipment {shipment_id}")
        warehouse = session.scalars(select(Warehouse).where(Warehouse.code == row.ship_from)).first()
        printed = shipment_labels(row, warehouse)
    if kind == "pdf":
        response = Response(labels_pdf(printed), mimetype="application/pdf")
    else:
        response = Response(labels_zpl(printed), mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="labels-{shipment_id}.{kind}"'
    return response
