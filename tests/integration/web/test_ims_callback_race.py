"""An IMS allocation callback that races a newer allocation being stored (PostgreSQL, where
the web process and the workers write at once): the older revision must not overwrite the
newer one, or the 855 would accept stock the IMS no longer holds for the PO."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gateway.models import PurchaseOrder, PurchaseOrderLine
from gateway.orders.allocation import SalesOrderAllocation, store_allocation
from gateway.platform.db import engine, session_scope
from tests.conftest import POSTGRES
from tests.integration.web.test_api import add_po, api  # noqa: F401 (api: the fixture)
from tests.support.processes import wait_for

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def sales_order(revision: int, allocated: int) -> dict:
    """The IMS's sales order for the PO's one line of 10 eaches, at ``revision``."""
    return {"po_number": "PO-RACE", "vendor_code": "BRAND1", "status": "open", "revision": revision,
            "lines": [{"line_number": "1", "sku": "SKU-1", "ordered": 10, "allocated": allocated,
                       "backordered": 0, "backorder_ship_date": None,
                       "status": "allocated" if allocated == 10 else "partially_allocated"}]}


def waiting_for_a_lock(settings) -> bool:
    with engine(settings).connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar())


@pytest.mark.parametrize("settings", [POSTGRES], indirect=True)
def test_an_older_callback_waits_for_the_newer_allocation_and_is_then_ignored(settings, api):
    with session_scope(settings) as session:
        po = add_po(session, api.partner_id, "PO-RACE", T0, status="sales_order_created", lines=[
            PurchaseOrderLine(line_number="1", qualifier="EN", identifier="5012345678900", quantity=Decimal(10),
                              unit="EA", unit_cost=Decimal("1.00"), sku="SKU-1", eaches=10, status="open")])
        store_allocation(session, po, SalesOrderAllocation.from_json(sales_order(1, 0)), source="create")
        po_id = po.id
    # A worker storing revision 3 holds the PO's row, as the sales-order and 855 tasks do.
    with Session(engine(settings)) as newer:
        locked = newer.get(PurchaseOrder, po_id, with_for_update=True)
        store_allocation(newer, locked, SalesOrderAllocation.from_json(sales_order(3, 10)), source="create")
        newer.flush()
        answers: list[httpx.Response] = []
        callback = threading.Thread(target=lambda: answers.append(httpx.post(
            api.url + "/api/v1/ims/allocations", json=sales_order(2, 4), headers=api.auth("ims"), timeout=60)))
        callback.start()
        wait_for(lambda: waiting_for_a_lock(settings), 30, "the callback to wait for the PO's row")
        newer.commit()
    callback.join(60)
    assert answers and answers[0].status_code == 202, answers[0].text if answers else "no answer"
    with session_scope(settings) as session:
        stored = session.get(PurchaseOrder, po_id)
        assert (stored.ims_revision, [line.allocated for line in stored.lines]) == (3, [10])
