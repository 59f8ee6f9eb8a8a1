"""Prometheus metrics: counts only, never payloads or partners' document identifiers.

What the database knows (messages by type and status, unresolved exceptions by kind,
overdue 997s) is counted at scrape time, so every web process answers the same and
nothing is lost when a process restarts. Task latency is known only to the workers:
each worker process writes its histogram into a folder of its own under
``<data dir>/metrics`` (prometheus-client's multiprocess mode) and the web process sums
those files when scraped. The data folder is shared by web and workers (one machine, or
one volume in docker-compose).
"""
from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from gateway.platform.config import Settings
from gateway.platform.db import session_scope
from gateway.platform.private_files import private_folder
from gateway.models import Direction, Message, OperationalException, X12Group
from gateway.operations.exception_queue import UNRESOLVED

log = structlog.get_logger("gateway.operations.metrics")

TASK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, float("inf"))


def task_metrics_dir(settings: Settings) -> Path:
    return settings.data_dir / "metrics"


def render(settings: Settings) -> bytes:
    """The text exposition for ``GET /metrics``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(settings))
    registry.register(TaskTimingCollector(task_metrics_dir(settings)))
    return generate_latest(registry)


class TaskTimingCollector(Collector):
    """The workers' histograms, summed over every worker's folder."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def collect(self) -> Iterator[Metric]:
        return MultiProcessCollector.merge([str(path) for path in self._directory.glob("*/*.db")], accumulate=True)


class DatabaseCollector(Collector):
    """Counts read from the database at each scrape; ``edi_gateway_database_up`` 0 when it cannot be read."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("edi_gateway_database_up", "1 when the counts below could be read from the database")
        try:
            families = list(self._counts())
        except SQLAlchemyError as error:
            log.warning("metrics: database not readable", error=str(error).splitlines()[0])
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _counts(self) -> Iterator[Metric]:
        now = datetime.now(timezone.utc)
        with session_scope(self._settings) as db:
            messages = GaugeMetricFamily("edi_gateway_messages", "Stored messages by direction, document type and status",
                                         labels=["direction", "document_type", "status"])
            for direction, document_type, status, count in db.execute(
                    select(Message.direction, Message.document_type, Message.status, func.count())
                    .group_by(Message.direction, Message.document_type, Message.status)):
                messages.add_metric([direction, document_type or "unknown", status], count)
            exceptions = GaugeMetricFamily("edi_gateway_open_exceptions",
                                           "Unresolved operational exceptions (open or acknowledged) by kind",
                                           labels=["kind", "severity", "status"])
            for kind, severity, status, count in db.execute(
                    select(OperationalException.kind, OperationalException.severity, OperationalException.status,
                           func.count())
                    .where(OperationalException.status.in_(UNRESOLVED))
                    .group_by(OperationalException.kind, OperationalException.severity, OperationalException.status)):
                exceptions.add_metric([kind, severity, status], count)
            overdue = db.scalar(select(func.count()).select_from(X12Group).where(
                X12Group.direction == Direction.OUTBOUND.value, X12Group.ack_status.is_(None),
                X12Group.ack_due_at < now))
        yield messages
        yield exceptions
        yield GaugeMetricFamily("edi_gateway_functional_acks_overdue",
                                "Groups we sent whose 997 from the partner is past due", value=overdue)


def start_task_timing(settings: Settings) -> None:
    """In a worker: time every task into ``edi_gateway_task_duration_seconds``.

    Called once from the worker's main process before it forks its pool; each pool
    process then writes its own file into the worker's folder. The folders of this host's
    earlier workers are removed first: each pool process leaves a file behind, and kept
    forever they would make every scrape slower. Their counts go with them, which
    Prometheus reads as a counter reset, as after any restart.
    """
    from celery import signals
    from prometheus_client import Histogram, values

    directory = task_metrics_dir(settings)
    remove_ended_workers_files(directory)
    folder = directory / f"{socket.gethostname()}-{os.getpid()}"
    private_folder(folder)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    # prometheus-client picks its value class when first imported, which may have been
    # before this worker knew its data folder: pick the multiprocess one explicitly.
    values.ValueClass = values.MultiProcessValue()
    durations = Histogram("edi_gateway_task_duration_seconds", "Time a worker spent running a task",
                          ["task", "state"], buckets=TASK_BUCKETS, registry=None)
    started: dict[str | None, float] = {}  # by task id

    def before(task_id: str | None = None, **_: Any) -> None:
        started[task_id] = time.perf_counter()

    def after(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
        began = started.pop(task_id, None)
        if began is not None:
            durations.labels(getattr(task, "name", "unknown"), state or "unknown").observe(time.perf_counter() - began)

    signals.task_prerun.connect(before, weak=False)
    signals.task_postrun.connect(after, weak=False)


def remove_ended_workers_files(directory: Path) -> list[str]:
    """Remove the metrics folders of this host's workers that are no longer running;
    returns their names.

    Only this host's folders (``<hostname>-<pid>``) are judged, since a process id means
    something only on its own host: other hosts sharing the data folder clean up their own.
    """
    prefix = f"{socket.gethostname()}-"
    removed = []
    for folder in directory.glob(f"{prefix}*"):
        pid = folder.name[len(prefix):]
        if folder.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running, as another user
    return True
