"""The reference IMS as a Flask application: the IMS side of docs/ims-api.yaml.

Every answer is JSON; every error is ``application/problem+json`` (RFC 9457) with a
``detail`` the gateway can show to operations as is. All of ``/api/v1`` and
``/_faults`` need ``Authorization: Bearer <token>``; ``/healthz`` does not, so a
supervisor can wait for the service without knowing the token.

``/api/v1/sales-orders/{po_number}/shipments`` is a SANDBOX extension, not part of the
contract the gateway relies on: POST ships the order's allocated eaches (reference_ims/
shipments.py) and answers 201 with the ``Shipment`` exactly as it is posted to the
gateway, 409 when nothing is left to ship; GET lists the order's shipments with what the
gateway answered to each.
"""
from __future__ import annotations

import hmac
from http import HTTPStatus
from pathlib import Path

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException

from reference_ims.autoship import AutoShipper
from reference_ims.callbacks import AllocationNotifier
from reference_ims.faults import install_faults
from reference_ims.payloads import (
    InvalidPayload,
    canonical_json,
    order_json,
    parse_new_order,
    parse_order_change,
    parse_stock_update,
    shipment_record_json,
    stock_json,
)
from reference_ims.shipments import Shipper, ShippingSettings
from reference_ims.stock import read_stock_csv
from reference_ims.store import (
    IdempotencyConflict,
    NothingToShip,
    OrderClosed,
    OrderNotFound,
    SkuNotFound,
    Store,
    UnknownLine,
)

def create_app(
    database_path: Path,
    *,
    token: str,
    stock_csv: Path | None = None,
    callback_url: str | None = None,
    callback_token: str | None = None,
    shipment_url: str | None = None,
    shipping: ShippingSettings = ShippingSettings(),
    auto_ship_seconds: float = 0,
    faults: bool = False,
) -> Flask:
    """The reference IMS on its own SQLite file.

    ``stock_csv`` sets the stock of the SKUs it names at every start (the file is the
    truth at start-up) and re-allocates. With ``callback_url``, orders whose allocation
    changes after creation are posted there with ``callback_token``; with ``shipment_url``,
    shipments too (sandbox extension). ``auto_ship_seconds`` > 0 ships orders whose
    allocation has not changed for that long. ``faults`` adds the test-only ``/_faults``
    endpoint; never enable it outside tests and demos.
    """
    if not token:
        raise ValueError("the reference IMS needs a bearer token")
    if (callback_url or shipment_url) and not callback_token:
        raise ValueError("posting to the gateway (--callback-url, --shipment-url) needs its token (--callback-token)")
    app = Flask(__name__)
    store = Store(database_path)
    if callback_url and callback_token:  # one without the other was refused above
        store.on_change = AllocationNotifier(callback_url, callback_token, lambda po: order_json(store.order(po))).notify
    shipper = Shipper(store, shipping, shipment_url, callback_token)
    if stock_csv is not None:
        for sku, update in read_stock_csv(stock_csv):
            store.set_stock(sku, update)
    if faults:
        install_faults(app, problem)
    _require_token(app, token)
    _answer_errors(app)
    _routes(app, store)
    _sandbox_routes(app, store, shipper)
    if auto_ship_seconds > 0:  # last: it ships from the stock the file has just set
        auto_shipper = AutoShipper(shipper, auto_ship_seconds)
        app.extensions["reference_ims.auto_ship"] = auto_shipper  # tests stop it with the server
        auto_shipper.start()
    return app


def problem(status: int, detail: str, errors: list[tuple[str, str]] | None = None) -> Response:
    """An RFC 9457 problem response."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors:
        body["errors"] = [{"pointer": pointer, "detail": text} for pointer, text in errors]
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _require_token(app: Flask, token: str) -> None:
    expected = token.encode()

    @app.before_request
    def check_token() -> Response | None:
        if request.path == "/healthz":
            return None
        scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(supplied.strip().encode(), expected):
            return None
        response = problem(401, "a valid bearer token is required (Authorization: Bearer <token>)")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response


def _answer_errors(app: Flask) -> None:
    @app.errorhandler(InvalidPayload)
    def invalid(error: InvalidPayload) -> Response:
        return problem(422, f"the request breaks the IMS contract: {error}", error.errors)

    statuses = {UnknownLine: 422, OrderNotFound: 404, SkuNotFound: 404, IdempotencyConflict: 409, OrderClosed: 409,
                NothingToShip: 409}
    for kind, status in statuses.items():
        app.register_error_handler(kind, lambda error, status=status: problem(status, str(error)))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        return problem(code, error.description or HTTPStatus(code).phrase)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("request failed")
        return problem(500, f"the reference IMS failed: {type(error).__name__}: {error}")


def _json_body() -> object:
    body = request.get_json(silent=True)
    if body is None:
        raise BadRequest("the body must be JSON (Content-Type: application/json)")
    return body


def _routes(app: Flask, store: Store) -> None:
    @app.get("/healthz")
    def health() -> Response:
        return jsonify(status="ok")

    @app.post("/api/v1/sales-orders")
    def create_sales_order() -> Response:
        body = _json_body()
        order = parse_new_order(body, request.headers.get("Idempotency-Key"))
        created, is_new = store.create_order(order, canonical_json(body))
        response = jsonify(order_json(created))
        if is_new:
            response.status_code = 201
            response.headers["Location"] = f"/api/v1/sales-orders/{created.po_number}"
        return response

    @app.get("/api/v1/sales-orders/<po_number>")
    def get_sales_order(po_number: str) -> Response:
        return jsonify(order_json(store.order(po_number)))

    @app.patch("/api/v1/sales-orders/<po_number>")
    def change_sales_order(po_number: str) -> Response:
        change = parse_order_change(_json_body())
        return jsonify(order_json(store.change_order(po_number, change)))

    @app.post("/api/v1/sales-orders/<po_number>/cancel")
    def cancel_sales_order(po_number: str) -> Response:
        return jsonify(order_json(store.cancel_order(po_number)))

    @app.get("/api/v1/stock")
    def list_stock() -> Response:
        return jsonify(items=[stock_json(level) for level in store.stock_levels()])

    @app.get("/api/v1/stock/<sku>")
    def get_stock(sku: str) -> Response:
        return jsonify(stock_json(store.stock_level(sku)))

    @app.put("/api/v1/stock/<sku>")
    def set_stock(sku: str) -> Response:
        if len(sku) > 64:
            raise InvalidPayload([("", "a SKU has at most 64 characters")])
        return jsonify(stock_json(store.set_stock(sku, parse_stock_update(_json_body()))))


def _sandbox_routes(app: Flask, store: Store, shipper: Shipper) -> None:
    """Paths only the reference IMS has (docs/ims-api.yaml tags them reference-ims-sandbox): the gateway never calls them."""

    @app.post("/api/v1/sales-orders/<po_number>/shipments")
    def ship_sales_order(po_number: str) -> Response:
        body = request.get_json(silent=True)
        if body is None and request.get_data():
            raise BadRequest("the body, when there is one, must be JSON (Content-Type: application/json)")
        record = shipper.ship(po_number, body)
        response = jsonify(record.body)
        response.status_code = 201
        response.headers["Location"] = f"/api/v1/sales-orders/{po_number}/shipments"
        return response

    @app.get("/api/v1/sales-orders/<po_number>/shipments")
    def list_shipments(po_number: str) -> Response:
        return jsonify(items=[shipment_record_json(record) for record in store.shipments(po_number)])
