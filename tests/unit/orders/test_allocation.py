"""Reading the IMS's sales order, and the PO status its allocation gives."""
import pytest

from gateway.orders.allocation import InvalidAllocation, SalesOrderAllocation


def order(*lines, status="open"):
    return {"po_number": "2XK7QP9M", "vendor_code": "ACMEB", "status": status, "revision": 3, "lines": [
        {"line_number": str(n), "sku": "S", "ordered": ordered, "allocated": allocated, "backordered": backordered,
         "backorder_ship_date": "2026-12-20" if backordered else None, "status": line_status}
        for n, (ordered, allocated, backordered, line_status) in enumerate(lines, 1)]}


@pytest.mark.parametrize(("lines", "status", "expected"), [
    ([(24, 24, 0, "allocated"), (10, 0, 0, "cancelled")], "open", "allocated"),
    ([(24, 20, 4, "partially_allocated")], "open", "partially_allocated"),
    ([(24, 0, 24, "backordered")], "open", "backordered"),
    ([(24, 0, 0, "unavailable")], "open", "unavailable"),
    ([(24, 0, 0, "cancelled")], "open", "cancelled"),
    ([(24, 0, 0, "cancelled")], "cancelled", "cancelled"),
])
def test_the_po_status_follows_the_live_lines(lines, status, expected):
    assert SalesOrderAllocation.from_json(order(*lines, status=status)).order_status == expected


def test_a_line_keeps_its_backorder_date():
    line = SalesOrderAllocation.from_json(order((24, 20, 4, "partially_allocated"))).lines[0]
    assert (line.allocated, line.backordered, str(line.backorder_ship_date)) == (20, 4, "2026-12-20")


@pytest.mark.parametrize(("change", "named"), [
    ({"revision": 0}, "/revision"),
    ({"lines": "none"}, "/lines must be an array"),
    ({"po_number": ""}, "/po_number"),
])
def test_a_body_breaking_the_contract_is_named(change, named):
    with pytest.raises(InvalidAllocation, match=named):
        SalesOrderAllocation.from_json({**order((1, 1, 0, "allocated")), **change})


def test_a_bad_line_is_named_by_its_pointer():
    body = order((1, 1, 0, "allocated"))
    body["lines"][0]["backorder_ship_date"] = "soon"
    with pytest.raises(InvalidAllocation, match="/lines/0/backorder_ship_date"):
        SalesOrderAllocation.from_json(body)


@pytest.mark.parametrize("change, pointer", [
    ({"po_number": "PO\x00"}, "/po_number"),
    ({"vendor_code": "V\x00"}, "/vendor_code"),
    ({"revision": 2**31}, "/revision"),
])
def test_what_the_database_cannot_take_is_an_invalid_allocation(change, pointer):
    body = {"po_number": "PO1", "status": "open", "revision": 1, "lines": [], **change}
    with pytest.raises(InvalidAllocation, match=pointer):
        SalesOrderAllocation.from_json(body)
