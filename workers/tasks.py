"""Celery tasks: thin wrappers that take the settings and call one gateway service each.

I/O tasks derive from :class:`IOTask`: on connection errors and timeouts they retry
with exponential backoff and jitter, so a flaky partner or IMS needs no retry code of
its own. Tasks are idempotent: each one looks at the stored state before acting, so a
re-delivered task (``acks_late``) or a sweep that re-queues it does no harm.
"""
from __future__ import annotations

import random
import socket

import httpx
from celery import Task

from gateway import routing
from gateway.exchange import tracker
from gateway.ims.client import ImsError
from gateway.orders import acknowledgement, intake, po_changes
from gateway.partners import certificate_watch
from gateway.platform import audit
from gateway.platform.db import session_scope
from gateway.invoicing import invoices
from gateway.invoicing import watch as invoicing_watch
from gateway.finance import watch as finance_watch
from gateway.inventory import drift, feeds, stock
from gateway.recovery import sweep
from gateway.shipping import watch
from gateway.transport.as2 import receiver, sender
from workers.celery_app import app


class IOTask(Task):
    autoretry_for = (ConnectionError, TimeoutError, OSError, httpx.TransportError, httpx.HTTPStatusError)
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8


def settings():
    return app.conf.gateway_settings


@app.task(base=IOTask, name="workers.tasks.heartbeat")
def heartbeat(source: str = "manual") -> int:
    """Prove a worker runs tasks: writes an audit event naming the worker and returns its id."""
    with session_scope(settings()) as session:
        return audit.record(session, "worker.heartbeat", actor="worker", source=source, worker=socket.gethostname())


@app.task(base=IOTask, name="workers.tasks.send_async_mdn")
def send_async_mdn(message_id: int) -> None:
    receiver.send_async_mdn(settings(), message_id)


# The message counts its attempts (EDI_GATEWAY_SEND_ATTEMPTS), across retries, sweeps and
# replays; Celery's own count would start again with each of those.
@app.task(bind=True, base=IOTask, name="workers.tasks.send_as2_message", max_retries=None)
def send_as2_message(self: Task, message_id: int) -> str:
    """Send a queued outbound message; after its last attempt the sender marks it failed."""
    current = settings()
    try:
        return sender.send(current, message_id)
    except sender.TransientSendError as error:
        if error.attempts_left <= 0:
            return "failed"
        delay = backoff(current.retry_base_seconds, self.request.retries)
        sender.note_retry(current, message_id, delay)
        raise self.retry(exc=error, countdown=delay)


def backoff(base_seconds: float, retries: int, cap: float = 3600.0) -> float:
    """Exponential backoff with jitter: base, 2x base, 4x base ..., each cut by up to half."""
    return min(cap, base_seconds * 2**retries) * random.uniform(0.5, 1.0)


@app.task(base=IOTask, name="workers.tasks.process_inbound_message")
def process_inbound_message(message_id: int) -> str:
    return routing.process_inbound_message(settings(), message_id)


@app.task(name="workers.tasks.requeue_stalled_work")
def requeue_stalled_work() -> dict:
    """Beat's safety net: re-queue stored work whose task was lost (broker outage, killed worker)."""
    return sweep.requeue_stalled_work(settings())


@app.task(name="workers.tasks.check_certificates")
def check_certificates() -> list[int]:
    return certificate_watch.check_certificates(settings())


@app.task(name="workers.tasks.raise_overdue_acks")
def raise_overdue_acks() -> list[int]:
    return tracker.raise_overdue(settings())


# IMS task retries: the in-call retries (ims_client) cover seconds; these cover an IMS that is
# down for longer. Capped below the stalled-work sweep's window so that the sweep only
# re-queues orders whose task has given up or was lost.
IMS_RETRY_CAP_SECONDS = 300.0
IMS_TASK_RETRIES = 30


@app.task(bind=True, base=IOTask, name="workers.tasks.create_sales_order", max_retries=IMS_TASK_RETRIES)
def create_sales_order(self: Task, purchase_order_id: int) -> str:
    current = settings()
    try:
        return intake.create_sales_order(current, purchase_order_id)
    except ImsError as error:
        raise self.retry(exc=error, countdown=backoff(current.retry_base_seconds, self.request.retries,
                                                      cap=IMS_RETRY_CAP_SECONDS))


@app.task(bind=True, base=IOTask, name="workers.tasks.update_sales_order", max_retries=IMS_TASK_RETRIES)
def update_sales_order(self: Task, purchase_order_id: int) -> str:
    current = settings()
    try:
        return po_changes.update_sales_order(current, purchase_order_id)
    except ImsError as error:
        raise self.retry(exc=error, countdown=backoff(current.retry_base_seconds, self.request.retries,
                                                      cap=IMS_RETRY_CAP_SECONDS))


@app.task(name="workers.tasks.requeue_stalled_sales_orders")
def requeue_stalled_sales_orders() -> dict:
    """Beat's safety net for POs still waiting for the IMS after their task gave up or was lost."""
    return intake.requeue_stalled_sales_orders(settings())


@app.task(name="workers.tasks.send_alerts")
def send_alerts() -> list[int]:
    """Beat, every minute: one digest of new critical and high exceptions (e-mail, webhook)."""
    from gateway.operations import alerts

    return alerts.send_alerts(settings())


@app.task(base=IOTask, name="workers.tasks.acknowledge_purchase_order")
def acknowledge_purchase_order(purchase_order_id: int) -> str:
    """Send (or re-send) the PO's 855 when its allocation is complete."""
    return acknowledgement.acknowledge_purchase_order(settings(), purchase_order_id)


@app.task(name="workers.tasks.watch_ship_notices")
def watch_ship_notices() -> dict:
    """Beat: raise 856s not through 30 minutes after the truck left, and shipments the IMS never sent."""
    return watch.watch_ship_notices(settings())


@app.task(name="workers.tasks.invoice_delivered_shipments")
def invoice_delivered_shipments() -> list[str]:
    """Beat: invoice what each delivered 856 shipped, for partners whose profile asks for it."""
    return invoices.invoice_delivered_shipments(settings())


@app.task(name="workers.tasks.watch_uninvoiced")
def watch_uninvoiced() -> list[str]:
    """Beat: raise goods shipped and not invoiced after the partner's set number of days."""
    return invoicing_watch.watch_uninvoiced(settings())


@app.task(name="workers.tasks.watch_ack_deadlines")
def watch_ack_deadlines() -> dict:
    """Beat: warn before 855 deadlines and, by policy, acknowledge what is known at the margin."""
    return acknowledgement.watch_deadlines(settings())


@app.task(name="workers.tasks.run_inventory_schedule")
def run_inventory_schedule() -> list[int]:
    """Beat, every minute: plan the 846 feeds each partner is owed, and send every feed still
    owed batches (new ones, and any a crash or the rate limit interrupted)."""
    feed_ids = feeds.run_schedule(settings())
    for feed_id in feed_ids:
        send_inventory_feed.delay(feed_id)
    return feed_ids


@app.task(name="workers.tasks.send_inventory_feed")
def send_inventory_feed(feed_id: int) -> dict:
    """Send a feed's owed batches at the partner's rate; when the bucket is empty, come back
    when it has a token (the beat's run each minute is the safety net)."""
    progress = feeds.send_feed(settings(), feed_id)
    if progress.remaining and progress.wait_seconds > 0:
        send_inventory_feed.apply_async((feed_id,), countdown=progress.wait_seconds)
    return {"feed": feed_id, "queued": progress.queued, "remaining": progress.remaining}


@app.task(base=IOTask, name="workers.tasks.pull_stock")
def pull_stock() -> str | None:
    """Beat: read the IMS's stock for an IMS that does not push (EDI_GATEWAY_STOCK_PULL_MINUTES)."""
    current = settings()
    if not stock.pull_due(current):
        return None
    try:
        return stock.pull_stock(current).outcome.value
    except ImsError as error:
        stock.note_pull_failed(current, error)
        return "failed"


@app.task(name="workers.tasks.watch_stock_drift")
def watch_stock_drift() -> int:
    """Beat, daily: raise (or resolve) the drift between what Amazon believes and what the IMS holds."""
    return drift.watch_drift(settings())


@app.task(name="workers.tasks.watch_overdue_invoices")
def watch_overdue_invoices() -> list[str]:
    """Beat, every 6 hours: raise invoices unpaid past their terms."""
    return finance_watch.watch_overdue(settings())
