"""Celery tasks: thin wrappers that load settings and call a gateway service.

I/O tasks derive from :class:`IOTask`, whose default is to retry on connection and
timeout errors with exponential backoff and jitter, so a flaky IMS or partner does not
need per-task retry code.
"""
from __future__ import annotations

import socket

from celery import Task

from gateway import audit
from gateway.db import session_scope
from workers.celery_app import app


class IOTask(Task):
    autoretry_for = (ConnectionError, TimeoutError, OSError)
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8


@app.task(base=IOTask, name="workers.tasks.heartbeat")
def heartbeat(source: str = "manual") -> int:
    """Prove a worker runs tasks: writes an audit event naming the worker and returns its id."""
    settings = app.conf.gateway_settings
    with session_scope(settings) as session:
        event = audit.record(session, "worker.heartbeat", actor="worker", source=source, worker=socket.gethostname())
        session.flush()
        return event.id
