"""A new sales order is allocated alone (``Store._allocate_new``, with the held totals the
store keeps between orders) exactly as settling every line of its SKUs again would allocate
it, whatever came before: orders, stock changes, line changes, cancellations and shipments,
on a real SQLite file."""
from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reference_ims.orders import LineChange, NewLine, NewOrder, OrderChange, ShipWindow
from reference_ims.shipping import DeliveryState, ShipOptions
from reference_ims.stock import StockUpdate
from reference_ims.store import LineRow, NothingToShip, OrderClosed, Store, UnknownLine

SKUS = ("A", "B", "C")
WINDOW = ShipWindow(date(2026, 12, 1), date(2026, 12, 8))

lines = st.lists(st.tuples(st.sampled_from(SKUS + ("UNKNOWN",)), st.integers(1, 30)), min_size=1, max_size=4)
steps = st.lists(st.one_of(
    st.tuples(st.just("order"), lines, st.booleans()),
    st.tuples(st.just("stock"), st.sampled_from(SKUS), st.integers(0, 60), st.integers(0, 10)),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("change"), st.integers(0, 20), st.integers(0, 30)),
    st.tuples(st.just("ship"), st.integers(0, 20)),
), min_size=1, max_size=14)
SHIP = ShipOptions(ship_from="WH1", carrier_scac="UPSN", pallets=False, shipped_at=datetime(2026, 12, 2, tzinfo=UTC))


def allocations(store: Store) -> dict:
    with store._sessions() as session:
        return {(line.order_id, line.line_number): line.allocation for line in session.query(LineRow)}


def settled_again(store: Store) -> dict:
    """Every line as a full settle of every SKU would leave it (nothing is kept)."""
    with store._sessions() as session:
        store._settle(session, set(SKUS) | {"UNKNOWN"})
        result = {(line.order_id, line.line_number): line.allocation for line in session.query(LineRow)}
        session.rollback()
    return result


@settings(max_examples=40, deadline=None)
@given(initial=st.tuples(*(st.integers(0, 60) for _ in SKUS)), steps=steps)
def test_a_new_order_gets_what_a_full_settle_would_give_it(initial, steps):
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "ims.sqlite3")
        for sku, on_hand in zip(SKUS, initial):
            store.set_stock(sku, StockUpdate(on_hand=on_hand, reserved=0))
        created: list[str] = []
        for step in steps:
            if step[0] == "order":
                _, order_lines, backorder = step
                number = f"PO{len(created)}"
                store.create_order(NewOrder(
                    number, None, "SA", "RNO1", WINDOW, backorder,
                    tuple(NewLine(str(index), sku, quantity, Decimal("1"))
                          for index, (sku, quantity) in enumerate(order_lines, 1))), number)
                created.append(number)
                assert allocations(store) == settled_again(store), f"after {number}"
            elif step[0] == "stock":
                _, sku, on_hand, reserved = step
                store.set_stock(sku, StockUpdate(on_hand=on_hand, reserved=reserved))
            elif created and step[0] == "cancel":
                try:
                    store.cancel_order(created[step[1] % len(created)])
                except OrderClosed:  # already cancelled: the IMS refuses, as it should
                    pass
            elif created and step[0] == "ship":
                try:
                    store.ship_order(created[step[1] % len(created)], SHIP, company_prefix="0614141",
                                     state=DeliveryState.NOT_SENT)
                except NothingToShip:  # cancelled, shipped already, or nothing allocated
                    pass
            elif created:
                try:
                    store.change_order(created[step[1] % len(created)],
                                       OrderChange(None, (LineChange("1", step[2], step[2] == 0),)))
                except (OrderClosed, UnknownLine):  # a closed order or a cancelled line is refused
                    pass


def new_order(number: str, sku: str, quantity: int) -> NewOrder:
    return NewOrder(number, None, "SA", "RNO1", WINDOW, False, (NewLine("1", sku, quantity, Decimal("1")),))


def allocated(order) -> int:
    return order.lines[0].allocation.allocated


def test_each_new_order_gets_what_the_orders_before_it_leave(tmp_path):
    """The held totals the store keeps grow with each new order."""
    store = Store(tmp_path / "ims.sqlite3")
    store.set_stock("A", StockUpdate(on_hand=10, reserved=0))
    assert allocated(store.create_order(new_order("PO0", "A", 6), "PO0")[0]) == 6
    assert allocated(store.create_order(new_order("PO1", "A", 6), "PO1")[0]) == 4
    assert allocated(store.create_order(new_order("PO2", "A", 6), "PO2")[0]) == 0


def test_a_new_order_after_a_shipment_gets_the_stock_the_shipment_left(tmp_path):
    """A shipped order holds nothing any more: the held totals forget it (its SKUs are settled again)."""
    store = Store(tmp_path / "ims.sqlite3")
    store.set_stock("A", StockUpdate(on_hand=20, reserved=0))
    assert allocated(store.create_order(new_order("PO0", "A", 10), "PO0")[0]) == 10
    store.ship_order("PO0", SHIP, company_prefix="0614141", state=DeliveryState.NOT_SENT)
    assert store.stock_level("A").on_hand == 10
    assert allocated(store.create_order(new_order("PO1", "A", 5), "PO1")[0]) == 5
