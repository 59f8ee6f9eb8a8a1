"""The operations pages: home (what needs action now), the 997 tracker, a purchase order.

Server-rendered templates, read-only here; the exception queue, the message archive and
the users page live in their own blueprints. :func:`init_app` registers them all.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, Flask, abort, current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gateway.exchange.outbound import Delivery, delivered_at, delivery_of
from gateway.orders.read_model import an_855_delivered
from gateway.orders.status import NOT_ACKNOWLEDGED
from gateway.platform.db import session_scope
from gateway.transport.status import MessageStatus
from gateway.operations.alerts import ALERT_SEVERITIES
from gateway.operations.exception_queue import KINDS, UNRESOLVED, Severity
from gateway.models import (
    AuditEvent,
    Direction,
    Message,
    OperationalException,
    PurchaseOrder,
    X12Group,
    X12Set,
)
from gateway.web import login, settings_of

blueprint = Blueprint("pages", __name__)
login.protect(blueprint)

# A PO whose 855 is due within this long is listed on the home page.
ACK_DUE_SOON = timedelta(hours=6)
ACK_STATES = {"A": "accepted", "E": "accepted with errors", "P": "partially accepted", "R": "rejected"}
TRACKER_ROWS = 200
# The home page lists every critical exception and at most this many high ones, newest
# first, with a link to the whole queue when there are more.
HOME_LESSER_ROWS = 100


def init_app(app: Flask) -> None:
    """Register the page blueprints and the template helpers they share."""
    from gateway.web import archive, exception_queue, people

    app.jinja_env.filters["when"] = when
    app.jinja_env.globals["delivery"] = delivery_words
    app.jinja_env.globals["delivery_state"] = lambda message: "none" if message is None else delivery_of(message).value
    app.jinja_env.globals["kind_title"] = lambda kind: KINDS[kind].title if kind in KINDS else kind
    for module in (archive, exception_queue, people):
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
    if group.ack_status:
        return ACK_STATES.get(group.ack_status, group.ack_status)
    if group.direction == Direction.OUTBOUND.value and group.ack_due_at is not None and group.ack_due_at < now:
        return "overdue"
    return "waiting"


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
            .where(~an_855_delivered(), PurchaseOrder.status.not_in(NOT_ACKNOWLEDGED),
                   PurchaseOrder.ack_due_at.is_not(None), PurchaseOrder.ack_due_at < now + ACK_DUE_SOON)
            .order_by(PurchaseOrder.ack_due_at).limit(100)))
        return render_template("home.html", urgent=urgent, lesser_capped=len(lesser) > HOME_LESSER_ROWS,
                               overdue=overdue, due_soon=due_soon, now=now)


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


@blueprint.get("/purchase-orders/<po_number>")
def purchase_order(po_number: str):
    """One PO: its header and lines, the documents that carried it, its exceptions and timeline."""
    now = datetime.now(timezone.utc)
    with session_scope(settings_of(current_app)) as db:
        orders = list(db.scalars(select(PurchaseOrder).options(selectinload(PurchaseOrder.lines),
                                                               selectinload(PurchaseOrder.ack_message))
                                 .where(PurchaseOrder.po_number == po_number).order_by(PurchaseOrder.id)))
        documents = db.execute(
            select(X12Set, X12Group, Message).join(X12Group, X12Set.group_id == X12Group.id)
            .join(Message, X12Group.message_id == Message.id)
            .where(X12Set.reference == po_number).order_by(Message.created_at, X12Set.id)).all()
        problems = list(db.scalars(select(OperationalException).where(OperationalException.po_number == po_number)
                                   .order_by(OperationalException.last_seen.desc())))
        timeline = list(db.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == "purchase_order", AuditEvent.subject_id == po_number)
            .order_by(AuditEvent.at, AuditEvent.id)))
        if not (orders or documents or problems):
            abort(404)
        return render_template("purchase_order.html", po_number=po_number, orders=orders, documents=documents,
                               problems=problems, timeline=timeline, state=lambda group: ack_state(group, now))
