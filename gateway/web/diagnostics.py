"""A round trip through the queue, for operators checking that workers run.

``POST /diagnostics/heartbeat`` queues the heartbeat task; the worker writes an audit event
carrying this request's id, which ``GET /diagnostics/heartbeat/<request_id>`` then finds.
Only loopback callers may use it until API tokens exist.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, request
from sqlalchemy import select

from gateway.platform.db import session_scope
from gateway.models import AuditEvent
from gateway.platform.queue import enqueue
from gateway.web import settings_of

blueprint = Blueprint("diagnostics", __name__, url_prefix="/diagnostics")


@blueprint.before_request
def loopback_only() -> None:
    if request.remote_addr not in ("127.0.0.1", "::1"):
        abort(403)


@blueprint.post("/heartbeat")
def queue_heartbeat():
    task_id = enqueue(settings_of(current_app), "workers.tasks.heartbeat", source="web")
    return jsonify(task_id=task_id, request_id=g.request_id), 202


@blueprint.get("/heartbeat/<request_id>")
def heartbeat_result(request_id: str):
    with session_scope(settings_of(current_app)) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "worker.heartbeat", AuditEvent.request_id == request_id)
        ).first()
        if event is None:
            return jsonify(ran=False), 404
        return jsonify(ran=True, worker=event.detail.get("worker"), at=event.at.isoformat())
