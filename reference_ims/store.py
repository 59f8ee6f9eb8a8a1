"""The reference IMS's own SQLite database: stock, sales orders and their allocation.

A test and demo double, not the product: its tables are made with ``create_all`` and it
has no migrations. Every change runs under one lock, in one transaction, and ends by
re-allocating the SKUs it touched, so the allocation rule always holds. Orders whose
allocation changed get a new revision and are handed to ``on_change`` after the commit
(the callback to the gateway).

Shipping (a sandbox extension, reference_ims/shipping.py) takes the shipped eaches off
the shelf and closes the order: a shipped order is final, as the contract says, so its
lines leave the allocation and hold nothing any more.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint, create_engine, event, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload, sessionmaker

from reference_ims.allocation import (
    CANCELLED_LINE,
    allocatable_quantity,
    Demand,
    LineAllocation,
    LineStatus,
    StockPosition,
    UnavailableReason,
    reallocate,
    settle_line,
)
from reference_ims.orders import LineChange, NewOrder, OrderChange, OrderLine, SalesOrder, ShipWindow
from reference_ims.payloads import shipment_json
from reference_ims.shipping import (
    DeliveryState,
    ShipLine,
    ShipmentRecord,
    ShipOptions,
    build_shipment,
    pack,
    serial_capacity,
)
from reference_ims.stock import LocationStock, StockLevel, StockUpdate

OPEN = "open"
CANCELLED = "cancelled"
SHIPPED = "shipped"
SHIPMENT_NUMBERS = 10**9  # shipment numbers wrap here, long after any demo


class OrderNotFound(LookupError):
    pass


class SkuNotFound(LookupError):
    pass


class IdempotencyConflict(Exception):
    """The PO number was used before with a different body."""


class OrderClosed(Exception):
    """The order or line is cancelled and cannot change."""


class UnknownLine(ValueError):
    """A change names a line the order does not have."""


class NothingToShip(Exception):
    """The order has no allocated eaches that have not shipped."""


class OutdatedDatabase(ValueError):
    """The SQLite file was made by an older reference IMS and lacks a column this one needs."""


class Base(DeclarativeBase):
    pass


class SkuRow(Base):
    __tablename__ = "skus"

    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    discontinued: Mapped[bool] = mapped_column(default=False)
    restock_date: Mapped[date | None] = mapped_column(Date)
    case_pack: Mapped[int] = mapped_column(default=1)  # eaches per shipping carton
    locations: Mapped[list[StockRow]] = relationship(order_by="StockRow.location")


class StockRow(Base):
    __tablename__ = "stock_levels"

    sku: Mapped[str] = mapped_column(ForeignKey("skus.sku"), primary_key=True)
    location: Mapped[str] = mapped_column(String(32), primary_key=True)
    on_hand: Mapped[int]
    reserved: Mapped[int]


class CounterRow(Base):
    """A number that only goes up: SSCC serials and shipment numbers are never given twice."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_value: Mapped[int]


class ShipmentRow(Base):
    """A shipment as posted to the gateway (sandbox extension), and the gateway's last answer."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(30), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    body: Mapped[str] = mapped_column(Text)  # the Shipment JSON, exactly as posted
    created_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    gateway_status: Mapped[int | None]
    gateway_answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    order: Mapped[OrderRow] = relationship()


class OrderRow(Base):
    __tablename__ = "sales_orders"

    id: Mapped[int] = mapped_column(primary_key=True)  # creation order: oldest is served first
    po_number: Mapped[str] = mapped_column(String(22), unique=True)
    request_body: Mapped[str]  # canonical JSON of the create, to tell a retry from a conflict
    vendor_code: Mapped[str | None]
    order_type: Mapped[str] = mapped_column(String(2))
    ship_to: Mapped[str]
    not_before: Mapped[date] = mapped_column(Date)
    not_after: Mapped[date] = mapped_column(Date)
    backorder_allowed: Mapped[bool]
    status: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    lines: Mapped[list[LineRow]] = relationship(back_populates="order", order_by="LineRow.position")


class LineRow(Base):
    """An order line with the allocation last reported for it."""

    __tablename__ = "sales_order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"))
    position: Mapped[int]
    line_number: Mapped[str] = mapped_column(String(20))
    sku: Mapped[str] = mapped_column(String(64), index=True)
    unit_cost: Mapped[str]  # decimal text, exactly as ordered
    quantity: Mapped[int]
    cancelled: Mapped[bool] = mapped_column(default=False)
    allocated: Mapped[int] = mapped_column(default=0)
    shipped: Mapped[int] = mapped_column(default=0)  # of the allocated eaches
    backordered: Mapped[int] = mapped_column(default=0)
    unavailable: Mapped[int] = mapped_column(default=0)
    backorder_ship_date: Mapped[date | None] = mapped_column(Date)
    unavailable_reason: Mapped[str | None]
    status: Mapped[str] = mapped_column(String(24), default=LineStatus.UNAVAILABLE)
    order: Mapped[OrderRow] = relationship(back_populates="lines")

    @property
    def allocation(self) -> LineAllocation:
        return LineAllocation(
            allocated=self.allocated,
            backordered=self.backordered,
            unavailable=self.unavailable,
            backorder_ship_date=self.backorder_ship_date,
            unavailable_reason=UnavailableReason(self.unavailable_reason) if self.unavailable_reason else None,
            status=LineStatus(self.status),
        )

    def record(self, allocation: LineAllocation) -> bool:
        """Keep ``allocation``; True when it differs from what the line had."""
        if allocation == self.allocation:
            return False
        self.allocated = allocation.allocated
        self.backordered = allocation.backordered
        self.unavailable = allocation.unavailable
        self.backorder_ship_date = allocation.backorder_ship_date
        self.unavailable_reason = allocation.unavailable_reason
        self.status = allocation.status
        return True


class Store:
    """Stock and sales orders in one SQLite file."""

    def __init__(self, database_path: Path) -> None:
        database_path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(f"sqlite:///{database_path}", connect_args={"timeout": 30})
        event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        _check_columns(self.engine, database_path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()  # one writer at a time: allocation reads, then writes
        # The eaches each SKU's open lines hold, as committed: kept up to date by create_order,
        # forgotten for the SKUs any other write settles again (_settle), summed again when needed.
        self._held: dict[str, int] = {}
        self.on_change: Callable[[list[str]], None] = lambda po_numbers: None  # e.g. AllocationNotifier.notify

    # --- orders -----------------------------------------------------------------------

    def create_order(self, order: NewOrder, request_body: str) -> tuple[SalesOrder, bool]:
        """Create and allocate ``order``; True when it was created, False when this is a
        repeat of the same request (then the order is answered as it stands now)."""
        with self._write_lock, self._sessions() as session:
            existing = session.scalar(select(OrderRow).where(OrderRow.po_number == order.po_number))
            if existing is not None:
                if existing.request_body != request_body:
                    raise IdempotencyConflict(
                        f"sales order {order.po_number} exists and was created from a different body; "
                        "send changes with PATCH"
                    )
                return _sales_order(existing), False
            now = _now()
            row = OrderRow(
                po_number=order.po_number, request_body=request_body, vendor_code=order.vendor_code,
                order_type=order.order_type, ship_to=order.ship_to, not_before=order.ship_window.not_before,
                not_after=order.ship_window.not_after, backorder_allowed=order.backorder_allowed, status=OPEN,
                revision=1, created_at=now, updated_at=now,
                lines=[
                    LineRow(position=position, line_number=line.line_number, sku=line.sku,
                            unit_cost=format(line.unit_cost, "f"), quantity=line.quantity)
                    for position, line in enumerate(order.lines)
                ],
            )
            session.add(row)
            session.flush()
            changed, held = self._allocate_new(session, row)
            self._commit(session, changed, now, held=held)
            return _sales_order(row), True

    def order(self, po_number: str) -> SalesOrder:
        with self._sessions() as session:
            return _sales_order(_find_order(session, po_number))

    def change_order(self, po_number: str, change: OrderChange) -> SalesOrder:
        """Apply a PO change (absolute quantities, cancelled lines, a new ship window)."""
        with self._write_lock, self._sessions() as session:
            row = _find_order(session, po_number)
            if row.status != OPEN:
                raise OrderClosed(f"sales order {po_number} is {row.status} and cannot change")
            lines = {line.line_number: line for line in row.lines}
            changed = set()
            for line_change in change.lines:
                if _apply_line_change(po_number, lines, line_change):
                    changed.add(row)
            if change.ship_window is not None:
                window = (change.ship_window.not_before, change.ship_window.not_after)
                if window != (row.not_before, row.not_after):
                    row.not_before, row.not_after = window
                    changed.add(row)
            changed |= self._settle(session, {line.sku for line in row.lines})
            self._commit(session, changed, _now())
            return _sales_order(row)

    def cancel_order(self, po_number: str) -> SalesOrder:
        """Cancel every line and release the stock to other orders; a second cancel is a no-op."""
        with self._write_lock, self._sessions() as session:
            row = _find_order(session, po_number)
            if row.status == CANCELLED:
                return _sales_order(row)
            if row.status == SHIPPED:
                raise OrderClosed(f"sales order {po_number} has shipped and can no longer be cancelled")
            row.status = CANCELLED
            for line in row.lines:
                line.cancelled = True
            changed = self._settle(session, {line.sku for line in row.lines}) | {row}
            self._commit(session, changed, _now())
            return _sales_order(row)

    # --- shipments (sandbox extension) -------------------------------------------------

    def ship_order(self, po_number: str, options: ShipOptions, *, company_prefix: str,
                   state: DeliveryState) -> ShipmentRecord:
        """Pack and ship every allocated each of the order that has not shipped; the order is then shipped.

        The eaches leave the shelf (on_hand goes down) and the order's revision goes up,
        so the allocation callback tells the gateway it shipped.
        """
        with self._write_lock, self._sessions() as session:
            row = _find_order(session, po_number)
            lines = [line for line in row.lines if not line.cancelled and line.allocated > line.shipped]
            if row.status != OPEN or not lines:
                why = {SHIPPED: "has shipped already (GET its /shipments)", CANCELLED: "is cancelled"}.get(
                    row.status, "holds no allocated eaches that have not shipped")
                raise NothingToShip(f"sales order {po_number} {why}: there is nothing to ship")
            cartons, pallet_count = pack(
                [ShipLine(line.line_number, line.sku, line.allocated - line.shipped, _case_pack(session, line.sku))
                 for line in lines],
                pallets=options.pallets)
            first_serial = _take_numbers(session, "sscc", len(cartons) + pallet_count, serial_capacity(company_prefix))
            number = _take_numbers(session, "shipment", 1, SHIPMENT_NUMBERS)
            shipment = build_shipment(row.po_number, row.ship_to, number, options, cartons, pallet_count,
                                      company_prefix=company_prefix, first_serial=first_serial)
            now = _now()
            stored = ShipmentRow(shipment_id=shipment.shipment_id, order=row, body=json.dumps(shipment_json(shipment)),
                                 created_at=now, state=state, attempts=0)
            session.add(stored)
            for line in lines:
                _take_off_shelf(session, line.sku, line.allocated - line.shipped)
                line.shipped = line.allocated
            row.status = SHIPPED
            session.flush()
            changed = self._settle(session, {line.sku for line in lines}) | {row}
            self._commit(session, changed, now)
            return _shipment_record(stored)

    def shipments(self, po_number: str) -> list[ShipmentRecord]:
        with self._sessions() as session:
            row = _find_order(session, po_number)
            stored = session.scalars(select(ShipmentRow).where(ShipmentRow.order_id == row.id).order_by(ShipmentRow.id))
            return [_shipment_record(item) for item in stored]

    def shipment_body(self, shipment_id: str) -> dict[str, Any]:
        with self._sessions() as session:
            return json.loads(_find_shipment(session, shipment_id).body)

    def record_answer(self, shipment_id: str, state: DeliveryState, status: int | None, answer: str) -> None:
        """Keep the gateway's answer to one attempt at posting the shipment."""
        with self._write_lock, self._sessions() as session:
            stored = _find_shipment(session, shipment_id)
            stored.state, stored.gateway_status, stored.gateway_answer = state, status, answer
            stored.attempts += 1
            stored.answered_at = _now()
            session.commit()

    def orders_to_ship(self, unchanged_since: datetime) -> list[str]:
        """Open orders holding allocated eaches, unchanged since ``unchanged_since`` (naive UTC), oldest first."""
        with self._sessions() as session:
            return list(session.scalars(
                select(OrderRow.po_number).join(LineRow)
                .where(OrderRow.status == OPEN, OrderRow.updated_at <= unchanged_since,
                       LineRow.cancelled.is_(False), LineRow.allocated > LineRow.shipped)
                .group_by(OrderRow.id).order_by(OrderRow.id)))

    # --- stock ------------------------------------------------------------------------

    def set_stock(self, sku: str, update: StockUpdate) -> StockLevel:
        """Replace the SKU's quantities at ``update.location`` and its attributes, then re-allocate."""
        with self._write_lock, self._sessions() as session:
            item = session.get(SkuRow, sku) or SkuRow(sku=sku)
            item.discontinued = update.discontinued
            item.restock_date = update.restock_date
            item.case_pack = update.case_pack
            session.add(item)
            place = session.get(StockRow, (sku, update.location)) or StockRow(sku=sku, location=update.location)
            place.on_hand, place.reserved = update.on_hand, update.reserved
            session.add(place)
            session.flush()
            changed = self._settle(session, {sku})
            self._commit(session, changed, _now())
            return _stock_level(session, item)

    def stock_levels(self) -> list[StockLevel]:
        with self._sessions() as session:
            return [_stock_level(session, item) for item in session.scalars(select(SkuRow).order_by(SkuRow.sku))]

    def stock_level(self, sku: str) -> StockLevel:
        with self._sessions() as session:
            item = session.get(SkuRow, sku)
            if item is None:
                raise SkuNotFound(f"no SKU {sku!r} in the IMS")
            return _stock_level(session, item)

    # --- allocation -------------------------------------------------------------------

    def _settle(self, session: Session, skus: set[str]) -> set[OrderRow]:
        """Re-allocate every line of ``skus`` and return the orders whose allocation changed."""
        for sku in skus:  # forgotten first, so also when the write fails after this
            self._held.pop(sku, None)
        changed: set[OrderRow] = set()
        for sku in sorted(skus):
            item = session.get(SkuRow, sku)
            position = _position(item) if item is not None else None
            lines = session.scalars(
                select(LineRow).join(OrderRow).where(LineRow.sku == sku).order_by(OrderRow.id, LineRow.position)
            ).all()
            lines = [line for line in lines if line.order.status != SHIPPED]  # final: they hold nothing any more
            open_lines = [line for line in lines if not line.cancelled]
            allocated = reallocate(
                position or StockPosition(on_hand=0, reserved=0),
                [Demand(line.id, line.quantity, line.allocated) for line in open_lines],
            )
            for line in lines:
                if line.cancelled:
                    outcome = CANCELLED_LINE
                else:
                    outcome = settle_line(line.quantity, allocated[line.id], position, line.order.backorder_allowed)
                if line.record(outcome):
                    changed.add(line.order)
        return changed

    def _allocate_new(self, session: Session, order: OrderRow) -> tuple[set[OrderRow], dict[str, int] | None]:
        """Allocate a new order, the newest, from what the other orders leave free; returns the
        other orders whose allocation changed (none, unless stock is short of what they hold)
        and what its SKUs hold now (None when every line of its SKUs was settled again).

        The same as settling every line of its SKUs (``_settle``, which the tests compare it
        with): every change to stock or orders is settled at once, and free stock goes to
        the oldest lines first, so no older line can take more now and the newest gets what
        is left. Settling every line of the SKUs for each new order cost time in proportion
        to every order ever taken: a burst of POs slowed the sandbox IMS to a crawl.
        """
        skus = {line.sku for line in order.lines}
        held = self._held_by_sku(session, skus)
        # The SKUs and their stock in two queries, not two per line: a sales order is created for every PO.
        items = session.scalars(select(SkuRow).where(SkuRow.sku.in_(skus)).options(selectinload(SkuRow.locations)))
        positions = {item.sku: _position(item) for item in items}
        if any(held[sku] > position.capacity for sku, position in positions.items()):
            return self._settle(session, skus) - {order}, None  # stock went from under older orders
        for line in sorted(order.lines, key=lambda line: line.position):
            position = positions.get(line.sku)
            allocated = 0 if position is None else allocatable_quantity(line.quantity, 0, position, held[line.sku])
            held[line.sku] += allocated
            line.record(settle_line(line.quantity, allocated, position, order.backorder_allowed))
        return set(), held

    def _held_by_sku(self, session: Session, skus: set[str]) -> dict[str, int]:
        """The eaches held per SKU of ``skus`` by the open lines of orders not shipped (an
        allocation never counts past its line's quantity). Summed once per SKU, then kept by
        create_order: summing the SKUs' lines for each new order cost time in proportion to
        the orders taken, so a burst of 1,000 slowed as it went."""
        missing = skus - self._held.keys()
        if missing:
            summed = dict(session.execute(
                select(LineRow.sku, func.sum(func.min(LineRow.allocated, LineRow.quantity))).join(OrderRow)
                .where(LineRow.sku.in_(missing), OrderRow.status != SHIPPED, LineRow.cancelled.is_(False))
                .group_by(LineRow.sku)).all())
            self._held.update({sku: summed.get(sku, 0) for sku in missing})
        return {sku: self._held[sku] for sku in skus}

    def _commit(self, session: Session, changed: set[OrderRow], now: datetime,
                held: dict[str, int] | None = None) -> None:
        """Commit a write. ``held`` is what a new order's SKUs hold after ``_allocate_new``
        allocated it alone, kept once the commit succeeded."""
        for row in changed:
            row.revision += 1
            row.updated_at = now
        po_numbers = sorted(row.po_number for row in changed)
        session.commit()
        if held is not None:
            self._held.update(held)
        if po_numbers:
            self.on_change(po_numbers)


def _apply_line_change(po_number: str, lines: dict[str, LineRow], change: LineChange) -> bool:
    """Apply one line change; True when it changed the line (a repeated change does not)."""
    line = lines.get(change.line_number)
    if line is None:
        raise UnknownLine(f"sales order {po_number} has no line {change.line_number!r}")
    if line.cancelled:
        raise OrderClosed(f"line {change.line_number} of sales order {po_number} is cancelled and cannot change")
    before = (line.cancelled, line.quantity)
    if change.cancelled:
        line.cancelled = True
    else:
        assert change.quantity is not None, "a change that does not cancel the line gives its quantity"
        line.quantity = change.quantity
    return (line.cancelled, line.quantity) != before


def _find_order(session: Session, po_number: str) -> OrderRow:
    row = session.scalar(select(OrderRow).where(OrderRow.po_number == po_number))
    if row is None:
        raise OrderNotFound(f"no sales order for PO {po_number}")
    return row


def _find_shipment(session: Session, shipment_id: str) -> ShipmentRow:
    stored = session.scalar(select(ShipmentRow).where(ShipmentRow.shipment_id == shipment_id))
    if stored is None:
        raise LookupError(f"no shipment {shipment_id}")
    return stored


def _case_pack(session: Session, sku: str) -> int:
    item = session.get(SkuRow, sku)
    return item.case_pack if item is not None else 1


def _take_numbers(session: Session, name: str, count: int, capacity: int) -> int:
    """The first of ``count`` numbers never given before under ``name``, all below ``capacity``.

    A new database starts from the clock rather than from 1, so a demo whose database was
    deleted does not hand out again the SSCCs, bills of lading and shipment ids the gateway
    has already seen (it refuses an SSCC reused within a year).
    """
    counter = session.get(CounterRow, name)
    if counter is None:
        counter = CounterRow(name=name, next_value=int(time.time() * 10) % capacity)
        session.add(counter)
    first = counter.next_value
    if first + count > capacity:
        first = 0  # wrapped: the numbers of long ago are free again
    counter.next_value = first + count
    return first


def _take_off_shelf(session: Session, sku: str, quantity: int) -> None:
    """Lower on_hand by the shipped eaches, from stock not reserved for other channels first."""
    places = session.scalars(select(StockRow).where(StockRow.sku == sku).order_by(StockRow.location)).all()
    for free_only in (True, False):
        for place in places:
            taken = min(quantity, max(0, place.on_hand - place.reserved) if free_only else place.on_hand)
            place.on_hand -= taken
            quantity -= taken
    if quantity:
        raise RuntimeError(f"shipping {sku} took more than its on_hand stock: the allocation rule was broken")


def _position(item: SkuRow) -> StockPosition:
    return StockPosition(
        on_hand=sum(place.on_hand for place in item.locations),
        reserved=sum(place.reserved for place in item.locations),
        discontinued=item.discontinued,
        restock_date=item.restock_date,
    )


def _stock_level(session: Session, item: SkuRow) -> StockLevel:
    position = _position(item)
    allocated = session.execute(
        select(func.coalesce(func.sum(LineRow.allocated), 0)).join(OrderRow)
        .where(LineRow.sku == item.sku, OrderRow.status != SHIPPED)).scalar_one()
    return StockLevel(
        sku=item.sku,
        on_hand=position.on_hand,
        reserved=position.reserved,
        allocated=allocated,
        discontinued=item.discontinued,
        restock_date=item.restock_date,
        locations=tuple(LocationStock(place.location, place.on_hand, place.reserved) for place in item.locations),
    )


def _sales_order(row: OrderRow) -> SalesOrder:
    return SalesOrder(
        po_number=row.po_number,
        vendor_code=row.vendor_code,
        order_type=row.order_type,
        ship_to=row.ship_to,
        ship_window=ShipWindow(row.not_before, row.not_after),
        backorder_allowed=row.backorder_allowed,
        status=row.status,
        revision=row.revision,
        created_at=row.created_at.replace(tzinfo=UTC),
        updated_at=row.updated_at.replace(tzinfo=UTC),
        lines=tuple(
            OrderLine(line.line_number, line.sku, Decimal(line.unit_cost), line.quantity, line.allocation)
            for line in row.lines
        ),
    )


def _shipment_record(stored: ShipmentRow) -> ShipmentRecord:
    return ShipmentRecord(
        shipment_id=stored.shipment_id,
        po_number=stored.order.po_number,
        created_at=stored.created_at.replace(tzinfo=UTC),
        body=json.loads(stored.body),
        state=DeliveryState(stored.state),
        attempts=stored.attempts,
        gateway_status=stored.gateway_status,
        gateway_answer=stored.gateway_answer,
        answered_at=stored.answered_at.replace(tzinfo=UTC) if stored.answered_at else None,
    )


def _check_columns(engine: Engine, database_path: Path) -> None:
    """create_all makes missing tables, never missing columns: say so rather than fail on the first query."""
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column.name for column in table.columns if column.name not in present]
        if missing:
            raise OutdatedDatabase(
                f"{database_path} was made by an older reference IMS: table {table.name} has no "
                f"{', '.join(missing)}; delete the file (it is a sandbox) and start again")


def _now() -> datetime:
    """UTC without tzinfo: SQLite's DateTime keeps no offset, so it is added back on the way out."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers go on while the writer works; with it, synchronous=NORMAL cannot corrupt
    # the file and spares a disk flush per commit (a double may lose its last order on power loss).
    # Foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
