"""The shipments pages: every shipment (or a PO's) with where its 856 stands, one shipment
with its pallets, cartons and history, and its labels to print.

Signed-in people read them like the other pages; the labels (the same files as the API's,
``gateway.web.shipments.label_file``) are for the roles that may print them.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, render_template

from gateway.platform.db import session_scope
from gateway.shipping.read_model import find_shipment, list_shipments, shipment_detail, shipment_history
from gateway.shipping.report import SHIPMENT_ID
from gateway.shipping.warehouses import find_warehouse
from gateway.web import login, settings_of
from gateway.web.pages import filtered_by_po_number, found, history_in_words, shipment_words
from gateway.web.shipments import label_file

blueprint = Blueprint("shipment_pages", __name__)
login.protect(blueprint)

SHIPMENT_ROWS = 100


@blueprint.get("/shipments")
def shipments():
    """The newest shipments first; ``po_number`` keeps those carrying that PO."""
    now = datetime.now(timezone.utc)

    def listed(po_number: str | None) -> str:
        with session_scope(settings_of(current_app)) as db:
            rows = list_shipments(db, po_number=po_number, limit=SHIPMENT_ROWS)
            return render_template("shipments.html", shipments=rows, po_number=po_number,
                                   words=lambda shipment: shipment_words(db, shipment, now))

    return filtered_by_po_number(listed)


@blueprint.get("/shipments/<shipment_id>")
def shipment(shipment_id: str):
    """One shipment: where it goes and how, its 856 with Amazon, what was packed, its history."""
    now = datetime.now(timezone.utc)
    with session_scope(settings_of(current_app)) as db:
        row = found(lambda number: find_shipment(db, number), shipment_id, SHIPMENT_ID, "shipment")
        status, functional_ack = shipment_words(db, row, now)
        return render_template("shipment.html", shipment=row, detail=shipment_detail(db, row), status=status,
                               functional_ack=functional_ack, warehouse=find_warehouse(db, row.ship_from),
                               history=history_in_words(shipment_history(db, row)))


@blueprint.get("/shipments/<shipment_id>/labels.<any(pdf, zpl):kind>")
@login.requires_permission("print_labels")
def labels(shipment_id: str, kind: str):
    """The labels to print: a PDF for any printer, ZPL for Zebra printers."""
    response = label_file(shipment_id, kind)
    if response.status_code == 404:
        abort(404, description=f"No shipment {shipment_id} reached the gateway.")
    return response
