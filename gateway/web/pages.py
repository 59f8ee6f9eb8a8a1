"""The operations pages: home (what needs action now), the 997 tracker, the purchase
orders (a filtered list, and one PO with what Amazon was told of each line, its shipments
and its invoices).

Server-rendered templates, read-only here; the exception queue, the message archive, the
shipments, the invoices, the remittances (820) and the month close, the inventory (846) and
the users page live in their own blueprints. :func:`init_app` registers them all.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from flask import Blueprint, Flask, abort, current_app, render_template, request
from sqlalchemy import select
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session, selectinload

from gateway.catalogue.items import money_text
from gateway.exchange.outbound import Delivery, delivered_at, delivery_of
from gateway.inventory.read_model import held_counts
from gateway.invoicing.read_model import PAYMENT_WORDS, invoice_functional_ack_due, list_invoices, payment_status_of
from gateway.orders.read_model import (
    FILTER_LABELS,
    BadCursor,
    PurchaseOrderFilter,
    TimelineEvent,
    an_855_owed,
    find_purchase_orders,
    latest_855_functional_ack,
    line_status,
    purchase_order_rows,
    quantity_text,
    timeline,
)
from gateway.orders.timeline_words import FUNCTIONAL_ACK_WORDS, Event, describe, outcome_words
from gateway.platform.db import session_scope
from gateway.shipping.report import PO_NUMBER
from gateway.shipping.read_model import STATUS_WORDS, asn_functional_ack_due, list_shipments, shipment_status
from gateway.transport.status import MessageStatus
from gateway.operations.alerts import ALERT_SEVERITIES
from gateway.operations.exception_queue import KINDS, UNRESOLVED, Severity
from gateway.models import (
    AuditEvent,
    Direction,
    Invoice,
    Message,
    OperationalException,
    PurchaseOrder,
    Shipment,
    X12Group,
    X12Set,
)
from gateway.web import login, settings_of

blueprint = Blueprint("pages", __name__)
login.protect(blueprint)

Found = TypeVar("Found")

# A PO whose 855 is due within this long is listed on the home page, and its deadline marked.
ACK_DUE_SOON = timedelta(hours=6)
TRACKER_ROWS = 200
PO_ROWS = 50
# The home page lists every critical exception and at most this many high ones, newest
# first, with a link to the whole queue when there are more.
HOME_LESSER_ROWS = 100


def init_app(app: Flask) -> None:
    """Register the page blueprints and the template helpers they share."""
    from gateway.web import (
        archive,
        exception_queue,
        inventory_pages,
        invoice_pages,
        people,
        remittance_pages,
        shipment_pages,
    )

    app.jinja_env.filters["when"] = when
    app.jinja_env.globals["delivery"] = delivery_words
    app.jinja_env.globals["delivery_state"] = lambda message: "none" if message is None else delivery_of(message).value
    app.jinja_env.globals["kind_title"] = lambda kind: KINDS[kind].title if kind in KINDS else kind
    app.jinja_env.globals["line_status"] = line_status
    app.jinja_env.globals["money"] = money_text
    app.jinja_env.globals["outcome_words"] = outcome_words
    app.jinja_env.globals["quantity"] = quantity_text
    for module in (archive, exception_queue, people, shipment_pages, invoice_pages, remittance_pages, inventory_pages):
        app.register_blueprint(module.blueprint)
    app.register_blueprint(blueprint)


def delivery_words(message: Message | None) -> str:
    """How a sent document's delivery stands, in words: "delivered 2026-11-20 11:06 UTC",
    "retrying after attempt 2: HTTP 503", "failed: gave up after 7 attempts: ..."."""
    if message is None:
        return "not sent"
    delivery = delivery_of(message)
    if delivery is Delivery.DELIVERED:
        return f"delivered {when(delivered_at(message))}"
    if delivery is Delivery.RETRYING:
        return f"retrying after attempt {message.attempts}: {message.error}"
    if delivery is Delivery.FAILED:
        return f"failed: {message.error}"
    return "sent, waiting for the MDN" if message.status == MessageStatus.AWAITING_MDN else "queued"


def when(value: datetime | None) -> str:
    """A time as people read it in the queue: ``2024-05-01 14:05 UTC``."""
    return "" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


def ack_state(group: X12Group, now: datetime) -> str:
    """The 997 state of a group in words: accepted, rejected, overdue, waiting..."""
    return functional_ack_words(group.ack_status, group.ack_due_at if group.direction == Direction.OUTBOUND.value
                                else None, now)


def functional_ack_words(code: str | None, due: datetime | None, now: datetime) -> str:
    """A 997's AK5/AK9 code in words, or "overdue" / "waiting" until the partner's 997 comes."""
    if code:
        return FUNCTIONAL_ACK_WORDS.get(code, code)
    return "overdue" if due is not None and due < now else "waiting"


def shipment_words(session: Session, shipment: Shipment, now: datetime) -> tuple[str, str]:
    """A shipment's status and Amazon's 997 for its latest 856, in words: ("856 accepted by
    Amazon", "accepted"), ("856 delivery retrying", "waiting")."""
    assert shipment.asn_message is not None  # stored with its 856 in one transaction
    code, due = asn_functional_ack_due(session, shipment)
    return STATUS_WORDS[shipment_status(delivery_of(shipment.asn_message), code)], functional_ack_words(code, due, now)


def invoice_words(session: Session, invoice: Invoice, now: datetime) -> tuple[str, str]:
    """Where an invoice's 810 stands, in words: its delivery and Amazon's 997 for it
    ("delivered 2026-11-20 11:06 UTC", "accepted"), ("retrying after attempt 2: HTTP 503", "waiting")."""
    code, due = invoice_functional_ack_due(session, invoice)
    return delivery_words(invoice.message), functional_ack_words(code, due, now)


def filtered_by_po_number(view: Callable[[str | None], ResponseReturnValue]) -> ResponseReturnValue:
    """``view`` of the list kept to the PO the request's ``po_number`` names (None: every PO),
    or the 400 page when it is not a PO number (1 to 22 letters or digits, as Amazon's)."""
    po_number = request.args.get("po_number", "").strip() or None
    if po_number is not None and not PO_NUMBER.fullmatch(po_number):
        return render_template("error.html", title="Not a PO number",
                               detail="A PO number is 1 to 22 letters or digits."), 400
    return view(po_number)


def found(find: Callable[[str], Found | None], key: str, pattern: re.Pattern[str], what: str) -> Found:
    """The record ``find`` returns for ``key``, or the 404 page "No <what> <key> reached the
    gateway." (a ``key`` not of ``pattern`` is looked up nowhere)."""
    row = find(key) if pattern.fullmatch(key) else None
    if row is None:
        abort(404, description=f"No {what} {key} reached the gateway.")
    return row


def history_in_words(events: Iterable[AuditEvent]) -> list[TimelineEvent]:
    """A record's own audit events (a shipment's, an invoice's), each in words, for ``_events.html``."""
    return [TimelineEvent(event.at, event.actor, event.action, event.detail, None,
                          describe(Event(event.action, event.detail))) for event in events]


def deadline_state(due: datetime | None, owes_855: bool, now: datetime) -> str:
    """How an 855 deadline is marked: "late" once passed, "soon" within ``ACK_DUE_SOON``,
    "" otherwise, and always "" once Amazon has an 855 of the PO (or is owed none)."""
    if due is None or not owes_855:
        return ""
    if due < now:
        return "late"
    return "soon" if due < now + ACK_DUE_SOON else ""


@blueprint.get("/")
def home():
    now = datetime.now(timezone.utc)
    with session_scope(settings_of(current_app)) as db:
        unresolved = select(OperationalException).where(OperationalException.status.in_(UNRESOLVED)) \
            .order_by(OperationalException.last_seen.desc())
        # Every critical one, however many: a flood of lesser ones must never hide one.
        urgent = list(db.scalars(unresolved.where(OperationalException.severity == Severity.CRITICAL)))
        lesser = list(db.scalars(unresolved.where(OperationalException.severity.in_(ALERT_SEVERITIES),
                                                  OperationalException.severity != Severity.CRITICAL)
                                 .limit(HOME_LESSER_ROWS + 1)))
        urgent += lesser[:HOME_LESSER_ROWS]
        overdue = list(db.scalars(
            select(X12Group).options(selectinload(X12Group.sets))
            .where(X12Group.direction == Direction.OUTBOUND.value, X12Group.ack_status.is_(None),
                   X12Group.ack_due_at < now)
            .order_by(X12Group.ack_due_at).limit(100)))
        # Amazon has a PO acknowledged when an 855's MDN came back, not when we sent it.
        due_soon = list(db.scalars(
            select(PurchaseOrder).options(selectinload(PurchaseOrder.ack_message))
            .where(an_855_owed(), PurchaseOrder.ack_due_at.is_not(None), PurchaseOrder.ack_due_at < now + ACK_DUE_SOON)
            .order_by(PurchaseOrder.ack_due_at).limit(100)))
        held_skus, held_snapshots = held_counts(db)
        return render_template("home.html", urgent=urgent, lesser_capped=len(lesser) > HOME_LESSER_ROWS,
                               overdue=overdue, due_soon=due_soon, now=now, held_skus=held_skus,
                               held_snapshots=held_snapshots)


@blueprint.get("/tracker")
def tracker():
    now = datetime.now(timezone.utc)
    with session_scope(settings_of(current_app)) as db:
        def groups(direction: str) -> list[X12Group]:
            return list(db.scalars(
                select(X12Group).options(selectinload(X12Group.sets), selectinload(X12Group.message),
                                         selectinload(X12Group.ack_message))
                .where(X12Group.direction == direction)
                .order_by(X12Group.created_at.desc(), X12Group.id.desc()).limit(TRACKER_ROWS)))

        return render_template("tracker.html", outbound=groups(Direction.OUTBOUND.value),
                               inbound=groups(Direction.INBOUND.value), state=lambda group: ack_state(group, now))


@blueprint.get("/purchase-orders")
def purchase_orders():
    """Every PO, newest first, a page at a time; ``state`` filters by where it stands."""
    now = datetime.now(timezone.utc)
    state = request.args.get("state", "")
    try:
        which = PurchaseOrderFilter(state) if state else None
    except ValueError:
        return render_template("error.html", title="No such state",
                               detail=f"Purchase orders cannot be filtered by {state!r}."), 400
    with session_scope(settings_of(current_app)) as db:
        try:
            page = purchase_order_rows(db, which=which, now=now, limit=PO_ROWS, cursor=request.args.get("cursor"))
        except BadCursor:
            return render_template("error.html", title="Page link not valid",
                                   detail="This page link was altered: start again from the first page."), 400
        return render_template("purchase_orders.html", page=page, which=which, labels=FILTER_LABELS,
                               first_page=request.args.get("cursor") is None,
                               deadline=lambda row: deadline_state(row.po.ack_due_at, row.owes_855, now),
                               functional_ack=lambda row: "" if row.po.ack_message_id is None else
                               functional_ack_words(row.functional_ack, row.functional_ack_due, now))


@blueprint.get("/purchase-orders/<po_number>")
def purchase_order(po_number: str):
    """One PO: its header and lines (what the latest 855 told Amazon of each), the documents
    that carried it, its shipments, its invoices, its exceptions and its timeline in words."""
    now = datetime.now(timezone.utc)
    with session_scope(settings_of(current_app)) as db:
        orders = find_purchase_orders(db, po_number)
        documents = db.execute(
            select(X12Set, X12Group, Message).join(X12Group, X12Set.group_id == X12Group.id)
            .join(Message, X12Group.message_id == Message.id)
            .where(X12Set.reference == po_number).order_by(Message.created_at, X12Set.id)).all()
        problems = list(db.scalars(select(OperationalException).where(OperationalException.po_number == po_number)
                                   .order_by(OperationalException.last_seen.desc())))
        if not (orders or documents or problems):
            abort(404)

        def functional_ack(po: PurchaseOrder) -> str:
            return "" if po.ack_message_id is None else functional_ack_words(*latest_855_functional_ack(db, po), now)

        return render_template("purchase_order.html", po_number=po_number, orders=orders, documents=documents,
                               problems=problems, timeline=timeline(db, po_number), functional_ack=functional_ack,
                               state=lambda group: ack_state(group, now),
                               shipments=list_shipments(db, po_number=po_number),
                               shipment_state=lambda shipment: shipment_words(db, shipment, now)[0],
                               invoices=list_invoices(db, po_number=po_number),
                               invoice_state=lambda invoice: invoice_words(db, invoice, now),
                               invoice_payment=lambda invoice: PAYMENT_WORDS[payment_status_of(db, invoice)])
