"""How the gateway talks to its task queue: the Celery configuration and ``enqueue``.

The web process and the workers share this configuration. The web side only sends tasks
by name (``workers.tasks.*``), so ``gateway`` never imports ``workers``: dependencies
point one way, workers -> gateway -> edi_maps.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from celery import Celery, signals
from kombu import Connection

from gateway.platform.config import Settings
from gateway.platform.logging import current_request_id, new_request_id
from gateway.platform.private_files import private_folder


def celery_config(settings: Settings) -> dict[str, Any]:
    return {
        "broker_url": settings.broker_url,
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
        "worker_hijack_root_logger": False,
        # The filesystem broker's broadcast channel costs polling and buys nothing here.
        "worker_enable_remote_control": not settings.uses_filesystem_broker,
        "timezone": "UTC",
    }


def broker_transport_options(settings: Settings) -> dict[str, Any]:
    if not settings.uses_filesystem_broker:
        return {}
    folder = settings.broker_folder
    # One folder in and out: producers (web, beat) and the workers share one queue folder.
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def prepare_broker(settings: Settings) -> None:
    """Create the filesystem broker's folders (a no-op for a server broker)."""
    if settings.uses_filesystem_broker:
        for name in ("queue", "control"):
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
