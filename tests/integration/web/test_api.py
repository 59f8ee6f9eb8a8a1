"""The /api/v1 read side and the catalogue over real HTTP, on SQLite and PostgreSQL.

Rows are seeded straight through the models (the writers are other modules' business),
then the JSON is compared whole, so a renamed or dropped field fails here first.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest
import yaml
from sqlalchemy import select

from gateway.catalogue.items import QUALIFIERS
from gateway.platform.db import session_scope
from gateway.operations.exception_queue import KINDS
from gateway.models import (
    AuditEvent,
    CatalogueItem,
    Message,
    OperationalException,
    PurchaseOrder,
    PurchaseOrderLine,
    X12Group,
    X12Set,
)
from gateway.access.tokens import ROLES, create_token
from gateway.partners.registry import add_partner, set_organisation
from gateway.web import create_app
from tests.fixtures import REPOSITORY
from tests.support.servers import serve_in_thread

CONTRACT = REPOSITORY / "docs" / "gateway-api.yaml"
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
PROBLEM = "application/problem+json"


@dataclass
class Api:
    url: str
    settings: object
    tokens: dict[str, str]
    partner_id: int

    def get(self, path: str, role: str | None = "admin", **params) -> httpx.Response:
        return httpx.get(self.url + path, params=params, headers=self.auth(role), timeout=10)

    def put(self, path: str, body, role: str = "admin") -> httpx.Response:
        return httpx.put(self.url + path, json=body, headers=self.auth(role), timeout=10)

    def auth(self, role: str | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}


def start_api(settings) -> Iterator[Api]:
    """The gateway's app on real HTTP with a partner and one token per role."""
    with session_scope(settings) as session:
        set_organisation(session, name="Brand", as2_id="BRAND", x12_id="BRAND")
        partner = add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON", as2={})
        tokens = {role: create_token(session, role) for role in ROLES}
        partner_id = partner.id
    with serve_in_thread(create_app(settings)) as url:
        yield Api(url, settings, tokens, partner_id)


@pytest.fixture
def api(settings) -> Iterator[Api]:
    yield from start_api(settings)


def add_po(session, partner_id: int, po_number: str, received_at: datetime, *, status: str = "received",
           vendor_code: str = "BRAND1", lines: list[PurchaseOrderLine] | None = None) -> PurchaseOrder:
    po = PurchaseOrder(
        partner_id=partner_id, vendor_code=vendor_code, po_number=po_number, order_type="SA",
        order_date=received_at.date(), ship_not_before=date(2026, 11, 24), ship_not_after=date(2026, 11, 28),
        ship_to="RIC2", backorder_allowed=False, status=status, content_sha256="0" * 64,
        received_at=received_at, updated_at=received_at, lines=lines or [],
    )
    session.add(po)
    session.flush()
    return po


def add_exception(session, kind: str, po_number: str | None, *, status: str = "open", last_seen: datetime = T0,
                  **detail) -> OperationalException:
    row = OperationalException(
        fingerprint=f"{kind}-{po_number}-{detail}", kind=kind, severity="high", subject_type="purchase_order",
        subject_id=po_number, po_number=po_number, message=f"{kind} on {po_number}", detail=detail, status=status,
        notes=[], count=1, first_seen=T0, last_seen=last_seen,
    )
    session.add(row)
    session.flush()
    return row


def add_855(session, partner_id: int, po_number: str, *, mdn_status: str | None, ack_status: str | None,
            status: str = "delivered", attempts: int = 1, error: str | None = None,
            processed_at: datetime | None = None) -> Message:
    """An 855 we sent for the PO, with the partner's MDN and 997 results, as the tracker keeps them."""
    message = Message(direction="outbound", partner_id=partner_id, document_type="855", po_number=po_number,
                      status=status, attempts=attempts, error=error, body_sha256="0" * 64, body_size=0,
                      mdn_status=mdn_status, processed_at=processed_at)
    session.add(message)
    session.flush()
    session.add(X12Group(message_id=message.id, partner_id=partner_id, direction="outbound",
                         interchange_control_number="000000001", functional_id="PR", control_number="1",
                         version="004010", ack_status=ack_status,
                         sets=[X12Set(set_id="855", control_number="0001", reference=po_number,
                                      ack_status=ack_status, errors=[])]))
    return message


def seed_full_po(api: Api) -> None:
    with session_scope(api.settings) as session:
        po = add_po(session, api.partner_id, "5PLK33ZD", T0, status="acknowledged", lines=[
            PurchaseOrderLine(line_number="1", qualifier="EN", identifier="5012345678900", quantity=Decimal("10"),
                              unit="EA", unit_cost=Decimal("12.5"), acknowledged_unit_cost=Decimal("12.5"),
                              sku="MUG-RED", eaches=10, allocated=6,
                              backordered=4, backorder_ship_date=date(2026, 11, 26), status="allocated",
                              outcomes=[{"code": "accepted", "quantity": 6, "reason": None},
                                        {"code": "backordered", "quantity": 4, "reason": None}]),
            PurchaseOrderLine(line_number="2", qualifier="BP", identifier="B000UNKNWN", quantity=Decimal("2"),
                              unit="CA", pack_size=12, unit_cost=Decimal("30.1234"), sku=None, status="open",
                              outcomes=None),
        ])
        po.ims_order_id = "SO-77"
        po.ack_message_id = add_855(session, api.partner_id, "5PLK33ZD", mdn_status="processed", ack_status="A",
                                    processed_at=T0 + timedelta(hours=3, minutes=6)).id
        po.ack_due_at, po.ack_sent_at = T0 + timedelta(hours=24), T0 + timedelta(hours=3, minutes=5)
        po.updated_at = po.ack_sent_at
        add_exception(session, "sku_mismatch", "5PLK33ZD", line_number="2")
        add_exception(session, "ack_deadline_approaching", "5PLK33ZD", last_seen=T0 + timedelta(hours=1))
        add_exception(session, "cost_mismatch", "5PLK33ZD", status="resolved", line_number="1")
        add_exception(session, "sku_mismatch", "OTHERPO1", line_number="2")

        # Written out of order on purpose: the timeline is sorted by time, not by insertion.
        for minutes, action in ((3, "po.sales_order_created"), (0, "po.received"), (1, "po.997_sent")):
            session.add(AuditEvent(at=T0 + timedelta(minutes=minutes), actor="system", action=action,
                                   subject_type="purchase_order", subject_id="5PLK33ZD", detail={"step": minutes}))
        session.add(AuditEvent(at=T0, actor="system", action="po.received", subject_type="purchase_order",
                               subject_id="OTHERPO1", detail={}))


def exception_of(kind: str, id_: int, *, last_seen: str = "2026-11-20T08:00:00+00:00", **detail) -> dict:
    return {
        "id": id_, "kind": kind, "severity": "high", "status": "open", "message": f"{kind} on 5PLK33ZD",
        "po_number": "5PLK33ZD", "subject_type": "purchase_order", "subject_id": "5PLK33ZD", "detail": detail,
        "count": 1, "owner": None, "first_seen": "2026-11-20T08:00:00+00:00", "last_seen": last_seen,
        "resolved_at": None, "replay": None,
    }


def test_a_purchase_order_with_lines_outcomes_exceptions_and_timeline(api):
    seed_full_po(api)
    with session_scope(api.settings) as session:
        ids = {row.kind: row.id for row in session.scalars(select(OperationalException).where(
            OperationalException.po_number == "5PLK33ZD", OperationalException.status == "open"))}
    sku_mismatch = exception_of("sku_mismatch", ids["sku_mismatch"], line_number="2")
    deadline = exception_of("ack_deadline_approaching", ids["ack_deadline_approaching"],
                            last_seen="2026-11-20T09:00:00+00:00")

    response = api.get("/api/v1/purchase-orders/5PLK33ZD", role="ops")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "po_number": "5PLK33ZD",
        "vendor_code": "BRAND1",
        "order_type": "SA",
        "order_date": "2026-11-20",
        "status": "acknowledged",
        "ship_window": {"not_before": "2026-11-24", "not_after": "2026-11-28"},
        "ship_to": "RIC2",
        "backorder_allowed": False,
        "received_at": "2026-11-20T08:00:00+00:00",
        "updated_at": "2026-11-20T11:05:00+00:00",
        "ims_order_id": "SO-77",
        "acknowledgement": {"due_at": "2026-11-21T08:00:00+00:00", "sent_at": "2026-11-20T11:05:00+00:00",
                            "delivered_at": "2026-11-20T11:06:00+00:00", "delivery": "delivered", "attempts": 1,
                            "error": None, "mdn_status": "processed", "functional_ack_status": "A"},
        "lines": [
            {"line_number": "1", "identifier": {"qualifier": "EN", "value": "5012345678900"}, "quantity": "10",
             "unit": "EA", "pack_size": None, "unit_cost": "12.50", "acknowledged_unit_cost": "12.50",
             "sku": "MUG-RED", "eaches": 10, "allocated": 6, "backordered": 4, "backorder_ship_date": "2026-11-26",
             "shipped": "0", "invoiced": "0",
             # What the 855 told Amazon, not the IMS's "allocated": 6 accepted and 4 backordered.
             "status": "partially_accepted",
             "outcomes": [{"code": "accepted", "quantity": 6, "reason": None, "ship_date": None,
                           "delivery_date": None},
                          {"code": "backordered", "quantity": 4, "reason": None, "ship_date": None,
                           "delivery_date": None}],
             "exceptions": []},
            {"line_number": "2", "identifier": {"qualifier": "BP", "value": "B000UNKNWN"}, "quantity": "2",
             "unit": "CA", "pack_size": 12, "unit_cost": "30.1234", "acknowledged_unit_cost": None, "sku": None,
             "eaches": None, "allocated": None, "backordered": None, "backorder_ship_date": None, "shipped": "0",
             "invoiced": "0", "status": "open", "outcomes": [],
             "exceptions": [sku_mismatch]},
        ],
        "shipments": [],
        "invoices": [],
        "exceptions": [deadline, sku_mismatch],
        "timeline": [
            # Actions without a sentence of their own read as words made from the key.
            {"at": "2026-11-20T08:00:00+00:00", "action": "po.received", "detail": {"step": 0}, "text": "Received"},
            {"at": "2026-11-20T08:01:00+00:00", "action": "po.997_sent", "detail": {"step": 1}, "text": "997 sent"},
            {"at": "2026-11-20T08:03:00+00:00", "action": "po.sales_order_created", "detail": {"step": 3},
             "text": "Sales order created"},
        ],
    }


def test_a_purchase_order_not_yet_acknowledged_has_nulls_there(api):
    with session_scope(api.settings) as session:
        add_po(session, api.partner_id, "NEW00001", T0)

    body = api.get("/api/v1/purchase-orders/NEW00001", role="finance").json()

    assert body["acknowledgement"] == {"due_at": None, "sent_at": None, "delivered_at": None, "delivery": None,
                                       "attempts": 0, "error": None, "mdn_status": None,
                                       "functional_ack_status": None}
    assert (body["lines"], body["exceptions"], body["timeline"]) == ([], [], [])


def test_an_unknown_purchase_order_is_a_404_problem(api):
    response = api.get("/api/v1/purchase-orders/NOSUCHPO", role="ops")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {"type": "about:blank", "title": "Not Found", "status": 404,
                               "detail": "no purchase order NOSUCHPO"}


def test_a_po_number_under_two_vendor_codes_needs_the_vendor_code(api):
    with session_scope(api.settings) as session:
        add_po(session, api.partner_id, "TWICE001", T0, vendor_code="BRAND1")
        add_po(session, api.partner_id, "TWICE001", T0, vendor_code="BRAND2", status="cancelled")

    ambiguous = api.get("/api/v1/purchase-orders/TWICE001")
    chosen = api.get("/api/v1/purchase-orders/TWICE001", vendor_code="BRAND2")

    assert (ambiguous.status_code, ambiguous.headers["content-type"]) == (409, PROBLEM)
    assert "BRAND1, BRAND2" in ambiguous.json()["detail"]
    assert (chosen.json()["vendor_code"], chosen.json()["status"]) == ("BRAND2", "cancelled")


def seed_list(api: Api) -> None:
    """Seven POs an hour apart, two of them received at the same instant (ties go by id)."""
    with session_scope(api.settings) as session:
        for hour, po_number in enumerate(["PO000001", "PO000002", "PO000003", "PO000004", "PO000005"]):
            status = "received" if hour % 2 else "acknowledged"
            add_po(session, api.partner_id, po_number, T0 + timedelta(hours=hour), status=status)
        add_po(session, api.partner_id, "PO000006", T0 + timedelta(hours=9))
        add_po(session, api.partner_id, "PO000007", T0 + timedelta(hours=9))


def walk(api: Api, **params) -> list[list[str]]:
    """The PO numbers page by page, following next_cursor to the end."""
    pages, cursor = [], None
    while True:
        body = api.get("/api/v1/purchase-orders", role="ops", **params, **({"cursor": cursor} if cursor else {})).json()
        pages.append([item["po_number"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_the_list_is_newest_first_and_pages_without_gaps_or_repeats(api):
    seed_list(api)

    assert walk(api, limit=2) == [["PO000007", "PO000006"], ["PO000005", "PO000004"], ["PO000003", "PO000002"],
                                  ["PO000001"]]
    assert walk(api) == [["PO000007", "PO000006", "PO000005", "PO000004", "PO000003", "PO000002", "PO000001"]]
    assert walk(api, limit=7) == walk(api)


def test_the_list_item_is_the_summary_of_a_po(api):
    seed_list(api)

    body = api.get("/api/v1/purchase-orders", role="finance", limit=1, status="acknowledged").json()

    assert body["items"] == [{
        "po_number": "PO000005", "vendor_code": "BRAND1", "order_type": "SA", "order_date": "2026-11-20",
        "status": "acknowledged", "ship_window": {"not_before": "2026-11-24", "not_after": "2026-11-28"},
        "ship_to": "RIC2", "backorder_allowed": False, "received_at": "2026-11-20T12:00:00+00:00",
        "acknowledgement": {"due_at": None, "sent_at": None, "delivered_at": None, "delivery": None,
                            "attempts": 0, "error": None},
    }]
    assert isinstance(body["next_cursor"], str)


def test_the_list_filters_by_how_the_855_delivery_stands(api):
    seed_list(api)
    with session_scope(api.settings) as session:
        pos = {po.po_number: po for po in session.scalars(select(PurchaseOrder))}
        for po_number, status, attempts, error in (
                ("PO000001", "delivered", 1, None), ("PO000002", "queued", 0, None),
                ("PO000003", "queued", 2, "HTTP 200, no MDN came back"), ("PO000004", "awaiting-mdn", 1, None),
                ("PO000005", "failed", 7, "gave up after 7 attempts: HTTP 503"),
                ("PO000006", "mdn-failed", 1, "processed/error: decryption-failed")):
            pos[po_number].ack_message_id = add_855(session, api.partner_id, po_number, mdn_status=None,
                                                    ack_status=None, status=status, attempts=attempts,
                                                    error=error).id

    assert walk(api, delivery="delivered") == [["PO000001"]]
    assert walk(api, delivery="pending") == [["PO000004", "PO000002"]]
    assert walk(api, delivery="retrying") == [["PO000003"]]
    assert walk(api, delivery="failed") == [["PO000006", "PO000005"]]
    retrying = api.get("/api/v1/purchase-orders", role="ops", delivery="retrying").json()["items"][0]
    assert retrying["acknowledgement"]["delivery"] == "retrying"
    assert retrying["acknowledgement"]["error"] == "HTTP 200, no MDN came back"
    refused = api.get("/api/v1/purchase-orders", role="ops", delivery="sent")
    assert refused.status_code == 400 and "delivery" in refused.json()["detail"]


def test_the_list_filters_by_status_and_since(api):
    seed_list(api)

    assert walk(api, status="received") == [["PO000007", "PO000006", "PO000004", "PO000002"]]
    assert walk(api, status="acknowledged", limit=2) == [["PO000005", "PO000003"], ["PO000001"]]
    assert walk(api, status="nothing_like_it") == [[]]
    # 12:00+02:00 is 10:00 UTC: PO000003 was received at exactly that instant.
    assert walk(api, since="2026-11-20T12:00:00+02:00") == [["PO000007", "PO000006", "PO000005", "PO000004",
                                                              "PO000003"]]
    assert walk(api, since="2026-11-20T16:59:59.5Z", status="received") == [["PO000007", "PO000006"]]
    assert walk(api, since="2026-11-21") == [[]]


BAD_PARAMETERS = [
    ("/api/v1/purchase-orders", {"since": "yesterday"}, "since"),
    ("/api/v1/purchase-orders", {"since": "2026-11-20T08:00:00"}, "since"),
    ("/api/v1/purchase-orders", {"since": "2026-02-30"}, "since"),
    ("/api/v1/purchase-orders", {"limit": "0"}, "limit"),
    ("/api/v1/purchase-orders", {"limit": "201"}, "limit"),
    ("/api/v1/purchase-orders", {"limit": "ten"}, "limit"),
    ("/api/v1/purchase-orders", {"cursor": "not-a-cursor"}, "cursor"),
    ("/api/v1/purchase-orders", {"status": "Not A Status"}, "status"),
    ("/api/v1/exceptions", {"kind": "gremlins"}, "kind"),
    ("/api/v1/exceptions", {"status": "closed"}, "status"),
]


def test_a_bad_query_parameter_is_a_400_problem_naming_it(api):
    for path, params, parameter in BAD_PARAMETERS:
        response = api.get(path, role="ops", **params)

        assert (response.status_code, response.headers["content-type"]) == (400, PROBLEM), params
        body = response.json()
        assert (body["status"], body["title"], body["parameter"]) == (400, "Bad Request", parameter)
        assert body["detail"].startswith(f"{parameter}: ")


ENDPOINTS = {
    "list POs": ("GET", "/api/v1/purchase-orders"),
    "one PO": ("GET", "/api/v1/purchase-orders/5PLK33ZD"),
    "catalogue": ("GET", "/api/v1/catalogue"),
    "catalogue item": ("GET", "/api/v1/catalogue/EN/5012345678900"),
    "put catalogue": ("PUT", "/api/v1/catalogue"),
    "exceptions": ("GET", "/api/v1/exceptions"),
}
ALLOWED = {
    "ims": set(),
    "ops": {"list POs", "one PO", "catalogue", "catalogue item", "exceptions"},
    "finance": {"list POs", "one PO", "exceptions"},
    "admin": set(ENDPOINTS),
}


def test_each_role_reaches_only_its_endpoints(api):
    seed_full_po(api)
    with session_scope(api.settings) as session:
        session.add(CatalogueItem(qualifier="EN", identifier="5012345678900", sku="MUG-RED"))

    for role, allowed in ALLOWED.items():
        for name, (method, path) in ENDPOINTS.items():
            response = httpx.request(method, api.url + path, headers=api.auth(role), timeout=10,
                                     json=[] if method == "PUT" else None)
            if name in allowed:
                assert response.status_code == 200, (role, name, response.text)
            else:
                assert (response.status_code, response.headers["content-type"]) == (403, PROBLEM), (role, name)
                assert response.json()["detail"].startswith(f"a {role} token may not do this")


def test_without_a_valid_token_every_endpoint_is_401_with_www_authenticate(api):
    for headers in ({}, {"Authorization": "Bearer edigw_not-a-real-token"}, {"Authorization": "Basic YWRtaW46YWRtaW4="}):
        for method, path in ENDPOINTS.values():
            response = httpx.request(method, api.url + path, headers=headers, timeout=10,
                                     json=[] if method == "PUT" else None)

            assert (response.status_code, response.headers["content-type"]) == (401, PROBLEM), (headers, path)
            assert response.headers["WWW-Authenticate"].startswith('Bearer realm="edi-gateway"')


def test_unknown_paths_and_methods_under_the_api_are_problems_too(api):
    missing = httpx.get(api.url + "/api/v1/nothing-here", timeout=10)
    wrong_method = httpx.post(api.url + "/api/v1/purchase-orders", timeout=10)
    outside = httpx.get(api.url + "/nothing-here", timeout=10)

    assert (missing.status_code, missing.headers["content-type"], missing.json()["title"]) == (404, PROBLEM,
                                                                                                "Not Found")
    assert (wrong_method.status_code, wrong_method.headers["content-type"]) == (405, PROBLEM)
    assert set(wrong_method.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert (outside.status_code, outside.headers["content-type"].split(";")[0]) == (404, "text/html")


MUG = {"qualifier": "EN", "identifier": "5012345678900", "sku": "MUG-RED", "unit_cost": "12.50", "case_pack": 6,
       "critical": True, "discontinued": False, "perishable": False, "safety_stock": 4}
BOOK = {"qualifier": "IB", "identifier": "9780306406157", "sku": "BOOK-1", "unit_cost": None, "case_pack": None,
        "critical": False, "discontinued": True, "perishable": True, "safety_stock": None}


def test_the_catalogue_is_upserted_and_read_back(api):
    first = api.put("/api/v1/catalogue", [MUG, BOOK])
    second = api.put("/api/v1/catalogue", [{**MUG, "unit_cost": "13.0001", "sku": "MUG-RED-2"}])

    assert (first.status_code, first.json()) == (200, {"created": 2, "updated": 0})
    assert (second.status_code, second.json()) == (200, {"created": 0, "updated": 1})
    assert api.get("/api/v1/catalogue", role="ops").json() == {"items": [
        {**MUG, "unit_cost": "13.0001", "sku": "MUG-RED-2"},
        BOOK,
    ]}
    assert api.get("/api/v1/catalogue/IB/9780306406157", role="ops").json() == BOOK
    with session_scope(api.settings) as session:
        actors = session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "catalogue.imported")).all()
    assert actors == ["api:admin", "api:admin"]


def test_perishable_and_safety_stock_may_be_left_out_by_clients_written_before_them(api):
    older = {name: value for name, value in MUG.items() if name not in ("perishable", "safety_stock")}
    assert api.put("/api/v1/catalogue", [older]).status_code == 200
    shown = api.get("/api/v1/catalogue/EN/5012345678900", role="ops").json()
    assert (shown["perishable"], shown["safety_stock"]) == (False, None), "none: the partner's default"


def test_an_entry_a_replacing_import_removed_is_not_listed(api):
    api.put("/api/v1/catalogue", [MUG, BOOK])
    with session_scope(api.settings) as session:  # what `catalogue import --replace` does to an entry left out
        session.scalars(select(CatalogueItem).where(CatalogueItem.sku == BOOK["sku"])).one().removed_at = T0

    assert api.get("/api/v1/catalogue", role="ops").json() == {"items": [MUG]}
    assert api.get(f"/api/v1/catalogue/{BOOK['qualifier']}/{BOOK['identifier']}", role="ops").status_code == 404


def test_an_identifier_with_a_slash_can_be_read_back(api):
    item = {**MUG, "qualifier": "VN", "identifier": "MUG/RED/12"}
    api.put("/api/v1/catalogue", [item])

    assert api.get("/api/v1/catalogue/VN/MUG/RED/12", role="ops").json() == item


def test_an_unknown_catalogue_identifier_is_a_404_problem(api):
    response = api.get("/api/v1/catalogue/EN/0000000000000", role="ops")

    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    assert response.json()["detail"] == "EN 0000000000000 is not in the catalogue"


def test_a_bad_catalogue_body_changes_nothing_and_says_where(api):
    api.put("/api/v1/catalogue", [MUG])
    body = [
        {**MUG, "unit_cost": "99.99"},
        {**BOOK, "qualifier": "XX", "unit_cost": 12.5, "case_pack": 0, "critical": "yes", "safety_stock": -1},
        {"qualifier": "EN", "identifier": "has space", "sku": "", "unit_cost": "1.23456", "case_pack": True,
         "critical": False, "discontinued": None, "colour": "red"},
        {key: value for key, value in MUG.items() if key != "critical"},
        {**MUG, "sku": "MUG\x00RED"},
        {**MUG, "sku": "MUG-BLUE"},
        BOOK,
        {**BOOK},
        "not an object",
    ]

    response = api.put("/api/v1/catalogue", body)

    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert response.json()["errors"] == [
        {"pointer": "/1/qualifier", "detail": "must be one of BP, EN, UP, IB, VN, VP"},
        {"pointer": "/1/unit_cost", "detail": 'must be null or an amount as a string, such as "12.50" (at most 4 decimals)'},
        {"pointer": "/1/case_pack", "detail": "must be null or a whole number from 1 to 1000000"},
        {"pointer": "/1/safety_stock",
         "detail": "must be null (the partner's default) or a whole number of eaches from 0 to 1000000000"},
        {"pointer": "/1/critical", "detail": "must be true or false"},
        {"pointer": "/2/colour", "detail": "is not a catalogue field"},
        {"pointer": "/3/critical", "detail": "is required"},
        {"pointer": "/4/sku", "detail": "must be 1 to 64 printable ASCII characters without spaces"},
        {"pointer": "/5", "detail": "EN 5012345678900 is also item 0"},
        {"pointer": "/7", "detail": "IB 9780306406157 is also item 6"},
        {"pointer": "/8", "detail": "expected an object"},
    ]
    assert api.get("/api/v1/catalogue", role="ops").json() == {"items": [MUG]}


def test_a_catalogue_body_that_is_not_a_json_list_is_refused(api):
    not_json = httpx.put(api.url + "/api/v1/catalogue", content=b"[{", timeout=10,
                         headers={**api.auth("admin"), "Content-Type": "application/json"})
    not_a_list = api.put("/api/v1/catalogue", {"items": [MUG]})
    form = httpx.put(api.url + "/api/v1/catalogue", data={"qualifier": "EN"}, headers=api.auth("admin"), timeout=10)

    assert (not_json.status_code, not_json.headers["content-type"]) == (400, PROBLEM)
    assert (not_a_list.status_code, not_a_list.json()["errors"]) == (
        422, [{"pointer": "", "detail": "expected a JSON array of catalogue items"}])
    assert (form.status_code, form.headers["content-type"]) == (415, PROBLEM)


def test_exceptions_are_listed_most_recent_first_and_filtered(api):
    with session_scope(api.settings) as session:
        add_exception(session, "sku_mismatch", "PO000001", last_seen=T0, line_number="1")
        add_exception(session, "cost_mismatch", "PO000002", last_seen=T0 + timedelta(hours=2))
        add_exception(session, "sku_mismatch", "PO000003", last_seen=T0 + timedelta(hours=1), status="resolved")
        add_exception(session, "ims_call_failed", "PO000004", last_seen=T0 - timedelta(hours=1), status="acknowledged")

    def listed(**params) -> list[tuple[str, str]]:
        body = api.get("/api/v1/exceptions", role="finance", **params).json()
        return [(item["kind"], item["po_number"]) for item in body["items"]]

    assert listed() == [("cost_mismatch", "PO000002"), ("sku_mismatch", "PO000003"), ("sku_mismatch", "PO000001"),
                        ("ims_call_failed", "PO000004")]
    assert listed(status="open") == [("cost_mismatch", "PO000002"), ("sku_mismatch", "PO000001")]
    assert listed(status="unresolved") == [("cost_mismatch", "PO000002"), ("sku_mismatch", "PO000001"),
                                           ("ims_call_failed", "PO000004")]
    assert listed(kind="sku_mismatch", status="resolved") == [("sku_mismatch", "PO000003")]
    assert listed(kind="certificate_expiring") == []
    item = api.get("/api/v1/exceptions", role="ops", kind="cost_mismatch").json()["items"][0]
    assert {key: value for key, value in item.items() if key != "id"} == {
        "kind": "cost_mismatch", "severity": "high", "status": "open", "message": "cost_mismatch on PO000002",
        "po_number": "PO000002", "subject_type": "purchase_order", "subject_id": "PO000002", "detail": {},
        "count": 1, "owner": None, "first_seen": "2026-11-20T08:00:00+00:00",
        "last_seen": "2026-11-20T10:00:00+00:00", "resolved_at": None, "replay": None,
    }


def test_the_contract_lists_the_kinds_and_qualifiers_the_code_knows():
    schemas = yaml.safe_load(CONTRACT.read_text())["components"]["schemas"]

    assert schemas["ExceptionKind"]["enum"] == list(KINDS)
    assert tuple(schemas["Qualifier"]["enum"]) == QUALIFIERS
