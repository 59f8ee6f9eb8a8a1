"""Liveness and readiness probes for load balancers, compose health checks and people.

``/healthz`` says the process answers; ``/readyz`` says it can do its work: the database
answers at the current schema, the broker accepts connections and the data folder has
more free space than its floor (below it ``/as2`` turns messages away).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from gateway.platform import db
from gateway.platform.disk_space import check_free_disk
from gateway.platform.queue import check_broker
from gateway.web import settings_of

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():
    settings = settings_of(current_app)
    checks = {
        "database": _check(lambda: _database_at_head(settings)),
        "broker": _check(lambda: check_broker(settings)),
        "disk": _check(lambda: check_free_disk(settings)),
    }
    ready = all(check["ok"] for check in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def _database_at_head(settings) -> None:
    current, head = db.schema_revision(settings), db.head_revision(settings)
    if current != head:
        raise RuntimeError(f"schema at {current}, code expects {head}: run `edi-gateway migrate`")


def _check(probe) -> dict:
    try:
        probe()
    except Exception as error:  # a readiness probe reports every failure, whatever its type
        return {"ok": False, "error": f"{type(error).__name__}: {error}".splitlines()[0][:300]}
    return {"ok": True}
