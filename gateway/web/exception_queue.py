"""The exception queue: filter it, open one, act on it.

Every action is a form post (CSRF-checked by :func:`gateway.web.login.protect`) that
calls one function of ``gateway.operations.exception_queue`` or ``gateway.recovery.replay``, which write the
audit row, then redirects back to the exception (post/redirect/get).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from gateway.operations import exception_queue as exceptions
from gateway.operations.exception_queue import ExceptionStatus, Severity, replay_outcome
from gateway.platform.db import session_scope
from gateway.models import AuditEvent, OperationalException
from gateway.recovery.replay import NotReplayable, failed_step, replay_exception
from gateway.web import login, settings_of

blueprint = Blueprint("exception_queue", __name__)
login.protect(blueprint)

STATUSES = ("unresolved", *(status.value for status in ExceptionStatus))
SEVERITIES = tuple(severity.value for severity in Severity)
MAX_NOTE = 2000


@blueprint.get("/exceptions")
def queue():
    filters = {name: request.args.get(name, "").strip() for name in ("kind", "severity", "owner", "po_number")}
    status = request.args.get("status", "unresolved")
    with session_scope(settings_of(current_app)) as db:
        rows = exceptions.find_exceptions(
            db, status=status if status in STATUSES else None, kind=filters["kind"],
            severity=filters["severity"], owner=filters["owner"], po_number=filters["po_number"])
        return render_template("exceptions.html", rows=rows, status=status, filters=filters, statuses=STATUSES,
                               severities=SEVERITIES, kinds=sorted(exceptions.KINDS))


@blueprint.get("/exceptions/<int:exception_id>")
def detail(exception_id: int):
    with session_scope(settings_of(current_app)) as db:
        row = db.get(OperationalException, exception_id)
        if row is None:
            abort(404)
        history = list(db.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == "exception", AuditEvent.subject_id == str(row.id))
            .order_by(AuditEvent.at, AuditEvent.id)))
        return render_template("exception.html", row=row, history=history, step=failed_step(db, row),
                               replay=replay_outcome(row))


@blueprint.post("/exceptions/<int:exception_id>/acknowledge")
@login.requires_permission("act_on_exceptions")
def acknowledge(exception_id: int):
    return _act(exception_id, "Acknowledged.", exceptions.acknowledge_exception)


@blueprint.post("/exceptions/<int:exception_id>/assign")
@login.requires_permission("act_on_exceptions")
def assign(exception_id: int):
    owner = request.form.get("owner", "").strip()[:64]
    return _act(exception_id, f"Assigned to {owner}." if owner else "Owner cleared.", exceptions.assign_exception,
                owner=owner)


@blueprint.post("/exceptions/<int:exception_id>/note")
@login.requires_permission("act_on_exceptions")
def note(exception_id: int):
    return _act(exception_id, "Note added.", exceptions.add_note, note=_required_note())


@blueprint.post("/exceptions/<int:exception_id>/resolve")
@login.requires_permission("act_on_exceptions")
def resolve(exception_id: int):
    return _act(exception_id, "Resolved.", exceptions.resolve_exception, note=_required_note())


@blueprint.post("/exceptions/<int:exception_id>/replay")
@login.requires_permission("replay")
def replay(exception_id: int):
    try:
        done = replay_exception(settings_of(current_app), exception_id, actor=current_user.actor)
    except LookupError:
        abort(404)
    except NotReplayable as error:
        flash(str(error), "error")
    else:
        flash(f"{done.subject[:1].upper()}{done.subject[1:]} queued again ({done.task.rsplit('.', 1)[1]}).", "info")
    return redirect(url_for(".detail", exception_id=exception_id))


def _act(exception_id: int, done: str, action, **arguments):
    with session_scope(settings_of(current_app)) as db:
        try:
            action(db, exception_id, actor=current_user.actor, **arguments)
        except LookupError:
            abort(404)
    flash(done, "info")
    return redirect(url_for(".detail", exception_id=exception_id))


def _required_note() -> str:
    text = request.form.get("note", "").strip()
    if not text:
        abort(400, description="a note is required")
    return text[:MAX_NOTE]
