"""How the gateway talks to its task queue: the Celery configuration, the lanes and ``enqueue``.

The web process and the workers share this configuration. The web side only sends tasks
by name (``workers.tasks.*``), so ``gateway`` never imports ``workers``: dependencies
point one way, workers -> gateway -> edi_maps.

Tasks travel in lanes, one queue each, and a worker always takes its next task from the
first lane that has one (Redis: kombu's ``priority`` queue order; the embedded broker:
``gateway.platform.embedded_broker``). So the later steps of POs already started (their
sales orders, 855s and sends) go ahead of POs not started yet, and bulk work (846 feeds,
invoicing, reports) never holds up a PO. Throughput comes from worker processes, not from
the order (``bench/pipeline_bench.py``; README "Lanes, throughput and more workers").
"""
from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Any

from celery import Celery, signals
from kombu import Connection

from gateway.platform import embedded_broker
from gateway.platform.config import Settings
from gateway.platform.logging import current_request_id, new_request_id
from gateway.platform.private_files import private_folder


class Lane(StrEnum):
    """The task lanes, first served first."""

    # Messages to partners (the 997, the 855, MDNs: a partner or a deadline waits) and the
    # cheap watches that raise what is about to be missed.
    URGENT = "urgent"
    # A PO's way through the IMS to its 855.
    ORDERS = "orders"
    # Validating and taking in what partners sent (starts a PO's work).
    INBOUND = "inbound"
    # Everything else: 846 feeds, stock pulls, invoicing, reports (the default queue).
    BULK = "bulk"


LANE_OF_TASK: dict[str, Lane] = {
    **dict.fromkeys(("send_as2_message", "send_async_mdn", "watch_ack_deadlines", "raise_overdue_acks",
                     "watch_ship_notices", "send_alerts", "heartbeat", "requeue_stalled_work",
                     "requeue_stalled_sales_orders"), Lane.URGENT),
    **dict.fromkeys(("create_sales_order", "update_sales_order", "acknowledge_purchase_order"), Lane.ORDERS),
    "process_inbound_message": Lane.INBOUND,
}


def queue_of_lane(settings: Settings, lane: Lane) -> str:
    """The queue name of ``lane``: the bulk lane is the installation's default queue, so a task
    no lane names (or one queued before lanes existed) is still taken."""
    return settings.queue if lane is Lane.BULK else f"{settings.queue}.{lane}"


def worker_queues(settings: Settings) -> list[str]:
    """The queues a worker consumes, in the order it serves them."""
    return [queue_of_lane(settings, lane) for lane in Lane]


def celery_config(settings: Settings) -> dict[str, Any]:
    return {
        # The embedded broker is kombu's filesystem transport as tuned here.
        "broker_url": (settings.broker_url.replace("filesystem://", f"{embedded_broker.SCHEME}://", 1)
                       if settings.uses_filesystem_broker else settings.broker_url),
        "broker_transport_options": broker_transport_options(settings),
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 5,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        # Acknowledged after it ran, re-delivered if its worker died mid-way.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": settings.queue,
        "task_routes": {f"workers.tasks.{task}": {"queue": queue_of_lane(settings, lane)}
                        for task, lane in LANE_OF_TASK.items()},
        "worker_hijack_root_logger": False,
        # The filesystem broker's broadcast channel costs polling and buys nothing here.
        "worker_enable_remote_control": not settings.uses_filesystem_broker,
        "timezone": "UTC",
    }


# The embedded broker's folders: messages being written, waiting, claimed by a worker.
BROKER_FOLDERS = ("writing", "queue", "claimed", "control")


def broker_transport_options(settings: Settings) -> dict[str, Any]:
    if not settings.uses_filesystem_broker:
        # Redis: the first queue of a worker's list that has a task gives it (see Lane).
        return {"queue_order_strategy": "priority"}
    folder = settings.broker_folder
    # One folder in and out: producers (web, beat) and the workers share one queue folder.
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "writing_folder": str(folder / "writing"),
        "claimed_folder": str(folder / "claimed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def prepare_broker(settings: Settings) -> None:
    """Create the filesystem broker's folders (a no-op for a server broker)."""
    if settings.uses_filesystem_broker:
        for name in BROKER_FOLDERS:
            private_folder(settings.broker_folder / name)


def check_broker(settings: Settings) -> None:
    """Raise when the broker cannot be reached (or its folder cannot be written)."""
    if settings.uses_filesystem_broker:
        queue = settings.broker_folder / "queue"
        probe = queue / ".probe"
        probe.write_bytes(b"")
        probe.unlink()
        return
    with Connection(settings.broker_url, connect_timeout=3) as connection:
        connection.ensure_connection(max_retries=1, timeout=3)


@lru_cache(maxsize=4)
def _producer(settings: Settings) -> Celery:
    prepare_broker(settings)
    return Celery("edi_gateway_producer", config_source=celery_config(settings))


def enqueue(settings: Settings, task_name: str, **kwargs: Any) -> str:
    """Queue ``task_name`` with keyword arguments; returns the task id."""
    return _producer(settings).send_task(task_name, kwargs=kwargs).id


@signals.before_task_publish.connect
def _carry_request_id(headers: dict | None = None, **_kwargs: Any) -> None:
    """Copy the current request id into the message so the task logs under it."""
    if headers is not None and "request_id" not in headers:
        headers["request_id"] = current_request_id() or new_request_id()
