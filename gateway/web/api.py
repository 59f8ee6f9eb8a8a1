"""The REST API for people and their tools (``/api/v1``): purchase orders, catalogue, exceptions.

Reading is for ops and finance (the catalogue for ops); writing the catalogue is for
admins. Every answer is JSON and every error an RFC 9457 problem, including the ones
Flask raises itself (unknown path, wrong method, a body that is not JSON), so a client
never has to parse an HTML error page. The contract is ``docs/gateway-api.yaml``.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timezone
from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from gateway.catalogue.items import QUALIFIERS, CatalogueRow, current_items, find_item, import_catalogue, money_text
from gateway.platform.db import session_scope
from gateway.operations.exception_queue import KINDS, ExceptionStatus, find_exceptions
from gateway.exchange.outbound import Delivery
from gateway.models import CatalogueItem
from gateway.orders.read_model import (
    BadCursor,
    exception_json,
    find_purchase_orders,
    list_purchase_orders,
    purchase_order_detail,
)
from gateway.invoicing.read_model import invoice_json, list_invoices
from gateway.shipping.read_model import list_shipments, shipment_summary
from gateway.web import settings_of
from gateway.web.auth import problem, requires_token_role

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?")
STATUS_WORD = re.compile(r"[a-z][a-z0-9_-]{0,23}")
# Printable ASCII without spaces: what PO1 identifiers and IMS SKUs are made of; it keeps
# control characters (PostgreSQL refuses NUL) out of the catalogue.
CODE = re.compile(r"[!-~]+")
CATALOGUE_FIELDS = ("qualifier", "identifier", "sku", "unit_cost", "case_pack", "critical", "discontinued")
# Added after the fields above: optional, so clients written before it keep working.
OPTIONAL_CATALOGUE_FIELDS = ("perishable", "safety_stock")
EXCEPTION_STATUSES = (*(status.value for status in ExceptionStatus), "unresolved")  # unresolved: open or acknowledged
EXCEPTIONS_SHOWN = 200
MAX_CASE_PACK = 1_000_000
MAX_SAFETY_STOCK = 1_000_000_000  # eaches; fits the integer column
MONEY = re.compile(r"[0-9]{1,8}(\.[0-9]{1,4})?")  # fits Numeric(12, 4): 8 digits before the point, 4 after


class BadParameter(ValueError):
    """A query parameter that cannot be used; the message starts with its name."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


@blueprint.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return problem(400, "Bad Request", str(error), parameter=error.name)


@blueprint.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Flask's own errors under /api/ as problems; elsewhere (AS2, probes) as Flask makes them."""
    if not request.path.startswith("/api/"):
        return error
    response = problem(error.code or 500, error.name, error.description or error.name)
    allow = dict(error.get_headers()).get("Allow")
    if allow:
        response.headers["Allow"] = allow
    return response


# --- purchase orders ---------------------------------------------------------------------


@blueprint.get("/purchase-orders")
@requires_token_role("ops", "finance")
def purchase_orders():
    status = _po_status_parameter()
    delivery = _delivery_parameter()
    since = _since_parameter()
    limit = _int_parameter("limit", default=50, low=1, high=200)
    cursor = request.args.get("cursor")
    with session_scope(settings_of(current_app)) as session:
        try:
            page = list_purchase_orders(session, status=status, delivery=delivery, since=since, limit=limit,
                                        cursor=cursor)
        except BadCursor as error:
            raise BadParameter("cursor", str(error)) from None
    return jsonify(items=page.items, next_cursor=page.next_cursor)


@blueprint.get("/purchase-orders/<po_number>")
@requires_token_role("ops", "finance")
def purchase_order(po_number: str):
    vendor_code = request.args.get("vendor_code")
    with session_scope(settings_of(current_app)) as session:
        found = find_purchase_orders(session, po_number, vendor_code)
        if not found:
            return problem(404, "Not Found", f"no purchase order {po_number}")
        if len(found) > 1:
            codes = ", ".join(po.vendor_code for po in found)
            return problem(409, "Conflict", f"PO {po_number} exists for vendor codes {codes}; add ?vendor_code=")
        detail = purchase_order_detail(session, found[0])
        detail["shipments"] = [shipment_summary(session, row) for row in list_shipments(session, po_number=po_number)]
        detail["invoices"] = [invoice_json(session, row) for row in list_invoices(session, po_number=po_number)]
        return jsonify(detail)


# --- catalogue ---------------------------------------------------------------------------


@blueprint.get("/catalogue")
@requires_token_role("ops")
def catalogue():
    with session_scope(settings_of(current_app)) as session:
        items = current_items(session)  # entries a replacing import removed are no longer the catalogue
        return jsonify(items=[_catalogue_json(item) for item in items])


@blueprint.get("/catalogue/<qualifier>/<path:identifier>")
@requires_token_role("ops")
def catalogue_item(qualifier: str, identifier: str):
    with session_scope(settings_of(current_app)) as session:
        item = find_item(session, qualifier, identifier)
        if item is None:
            return problem(404, "Not Found", f"{qualifier} {identifier} is not in the catalogue")
        return jsonify(_catalogue_json(item))


@blueprint.put("/catalogue")
@requires_token_role("admin")
def put_catalogue():
    """Upsert the items sent (on qualifier + identifier); items not sent stay as they are.

    The whole body is checked before anything is written, so a bad item leaves the
    catalogue untouched, as the CSV import does.
    """
    body = request.get_json()
    rows, errors = _catalogue_rows(body)
    if errors:
        return problem(422, "Unprocessable Content", f"{len(errors)} problem(s) in the items; see errors",
                       errors=errors)
    try:
        with session_scope(settings_of(current_app)) as session:
            result = import_catalogue(session, rows, actor=f"api:{g.api_role}")
    except IntegrityError:
        return problem(409, "Conflict", "the catalogue changed while this request ran; send it again")
    return jsonify(created=result.created, updated=result.updated)


def _catalogue_json(item: CatalogueItem) -> dict[str, Any]:
    return {
        "qualifier": item.qualifier,
        "identifier": item.identifier,
        "sku": item.sku,
        "unit_cost": None if item.unit_cost is None else money_text(item.unit_cost),
        "case_pack": item.case_pack,
        "critical": item.critical,
        "discontinued": item.discontinued,
        "perishable": item.perishable,
        "safety_stock": item.safety_stock,
    }


def _catalogue_rows(body: Any) -> tuple[list[CatalogueRow], list[dict[str, str]]]:
    """The body as catalogue rows, or one error per problem with a JSON Pointer to it."""
    if not isinstance(body, list):
        return [], [{"pointer": "", "detail": "expected a JSON array of catalogue items"}]
    rows: list[CatalogueRow] = []
    errors: list[dict[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(body):
        row, item_errors = _catalogue_row(raw, f"/{index}")
        errors += item_errors
        if row is None:
            continue
        key = (row.qualifier, row.identifier)
        if key in seen:
            errors.append({"pointer": f"/{index}", "detail": f"{row.qualifier} {row.identifier} is also item {seen[key]}"})
        seen.setdefault(key, index)
        rows.append(row)
    return rows, errors


def _catalogue_row(raw: Any, where: str) -> tuple[CatalogueRow | None, list[dict[str, str]]]:
    if not isinstance(raw, dict):
        return None, [{"pointer": where, "detail": "expected an object"}]
    errors = [{"pointer": f"{where}/{name}", "detail": "is required"} for name in CATALOGUE_FIELDS if name not in raw]
    errors += [{"pointer": f"{where}/{_escape(name)}", "detail": "is not a catalogue field"}
               for name in raw if name not in CATALOGUE_FIELDS + OPTIONAL_CATALOGUE_FIELDS]
    if errors:
        return None, errors

    def fail(name: str, detail: str) -> None:
        errors.append({"pointer": f"{where}/{name}", "detail": detail})

    qualifier, identifier, sku = raw["qualifier"], raw["identifier"], raw["sku"]
    if qualifier not in QUALIFIERS:
        fail("qualifier", f"must be one of {', '.join(QUALIFIERS)}")
    if not _is_code(identifier, 48):
        fail("identifier", "must be 1 to 48 printable ASCII characters without spaces")
    if not _is_code(sku, 64):
        fail("sku", "must be 1 to 64 printable ASCII characters without spaces")
    try:
        unit_cost = _cost(raw["unit_cost"])
    except ValueError:
        unit_cost = None
        fail("unit_cost", 'must be null or an amount as a string, such as "12.50" (at most 4 decimals)')
    case_pack = raw["case_pack"]
    if case_pack is not None and (type(case_pack) is not int or not 1 <= case_pack <= MAX_CASE_PACK):
        fail("case_pack", f"must be null or a whole number from 1 to {MAX_CASE_PACK}")
    perishable = raw.get("perishable", False)
    safety_stock = raw.get("safety_stock")
    if safety_stock is not None and (type(safety_stock) is not int or not 0 <= safety_stock <= MAX_SAFETY_STOCK):
        fail("safety_stock", f"must be null (the partner's default) or a whole number of eaches from 0 to "
                             f"{MAX_SAFETY_STOCK}")
    for flag, value in (("critical", raw["critical"]), ("discontinued", raw["discontinued"]), ("perishable", perishable)):
        if not isinstance(value, bool):
            fail(flag, "must be true or false")
    if errors:
        return None, errors
    return CatalogueRow(qualifier, identifier, sku, unit_cost, case_pack, raw["critical"], raw["discontinued"],
                        perishable, safety_stock), []


def _is_code(value: Any, longest: int) -> bool:
    return isinstance(value, str) and len(value) <= longest and CODE.fullmatch(value) is not None


def _cost(value: Any) -> Decimal | None:
    """The amount, or None for null; ValueError when it is not a usable amount."""
    if value is None:
        return None
    if not isinstance(value, str) or MONEY.fullmatch(value) is None:
        raise ValueError(f"not an amount: {value!r}")
    return Decimal(value)


def _escape(name: str) -> str:
    """A member name as a JSON Pointer token (RFC 6901)."""
    return name.replace("~", "~0").replace("/", "~1")


# --- exceptions --------------------------------------------------------------------------


@blueprint.get("/exceptions")
@requires_token_role("ops", "finance")
def exceptions():
    """The exception queue, most recently seen first, at most ``EXCEPTIONS_SHOWN`` of them."""
    status = request.args.get("status")
    if status is not None and status not in EXCEPTION_STATUSES:
        raise BadParameter("status", f"one of {', '.join(EXCEPTION_STATUSES)}")
    kind = request.args.get("kind")
    if kind is not None and kind not in KINDS:
        raise BadParameter("kind", f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    with session_scope(settings_of(current_app)) as session:
        rows = find_exceptions(session, status=status, kind=kind, limit=EXCEPTIONS_SHOWN)
        return jsonify(items=[exception_json(row) for row in rows])


# --- query parameters --------------------------------------------------------------------


def _po_status_parameter() -> str | None:
    """A PO status is checked for its shape only: intake and the 855 engine own the list."""
    value = request.args.get("status")
    if value is not None and STATUS_WORD.fullmatch(value) is None:
        raise BadParameter("status", "a status is a lower-case word, e.g. received")
    return value


def _delivery_parameter() -> Delivery | None:
    """``delivery``: how the PO's latest 855 stands (pending, retrying, delivered, failed)."""
    value = request.args.get("delivery")
    if value is None:
        return None
    if value not in {delivery.value for delivery in Delivery}:
        raise BadParameter("delivery", f"one of {', '.join(Delivery)}")
    return Delivery(value)


def _since_parameter() -> datetime | None:
    """``since`` as an instant: an RFC 3339 date-time with offset, or a date (midnight UTC)."""
    value = request.args.get("since")
    if value is None:
        return None
    if RFC3339.fullmatch(value) is None:
        raise BadParameter("since", f"{value!r} is not a date-time with offset, e.g. 2026-11-27T08:00:00Z")
    try:
        if len(value) == 10:
            return datetime.combine(datetime.fromisoformat(value).date(), time(), tzinfo=timezone.utc)
        return datetime.fromisoformat(value.upper().replace(" ", "T")).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise BadParameter("since", f"{value!r} is not a valid date-time") from None


def _int_parameter(name: str, *, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    # The length first: int() of thousands of digits raises ValueError (Python's int_max_str_digits).
    if not value.isascii() or not value.isdigit() or len(value) > len(str(high)) or not low <= int(value) <= high:
        raise BadParameter(name, f"must be a whole number from {low} to {high}")
    return int(value)
