"""The Celery application the workers and beat run.

``celery -A workers.celery_app worker`` and ``edi-gateway worker`` both use the ``app``
made here; its configuration is shared with the web process in ``gateway.platform.queue``. Task
modules are imported at the bottom so their tasks register.
"""
from __future__ import annotations

from celery import Celery, signals

from gateway.platform.config import Settings, load_settings
from gateway.platform.logging import bind_request_id, configure_logging, new_request_id
from gateway.operations.metrics import start_task_timing
from gateway.platform.queue import celery_config, prepare_broker
from workers.schedule import beat_schedule


def make_celery(settings: Settings) -> Celery:
    prepare_broker(settings)
    celery = Celery("edi_gateway", config_source=celery_config(settings))
    celery.conf.beat_schedule = beat_schedule()
    celery.conf.gateway_settings = settings
    return celery


@signals.setup_logging.connect
def _setup_logging(**_kwargs) -> None:
    configure_logging(app.conf.gateway_settings)


@signals.task_prerun.connect
def _bind_request_id(task=None, **_kwargs) -> None:
    """Log the task under the request id of whoever queued it."""
    bind_request_id(getattr(task.request, "request_id", None) or new_request_id())


@signals.worker_init.connect
def _time_tasks(**_kwargs) -> None:
    """Task latency for ``GET /metrics``, written where the web process reads it."""
    start_task_timing(app.conf.gateway_settings)


app = make_celery(load_settings())

import workers.tasks  # noqa: E402,F401  (registers the tasks)
