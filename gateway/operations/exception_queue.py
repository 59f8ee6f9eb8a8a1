"""Operational exceptions: every problem ops must see, in one table, kept by one module.

"Exception" is meant in the EDI-operations sense (an SKU that does not map, a 997 that
rejected our 856, an MDN that never came), not a Python exception. Each kind has a
severity; the same problem seen again is the same row (``fingerprint``), with its count
and last-seen time bumped, and a resolved problem that comes back is opened again.

An exception whose cause is gone resolves itself: the code that sees the cause go (a
delivery confirmed by its MDN, the IMS taking an order, a certificate renewed) calls
:func:`resolve_cause_gone`, which leaves a note and an audit entry saying what resolved
it. A person resolves the rest.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from enum import StrEnum
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from gateway.platform import audit
from gateway.models import OperationalException


class ExceptionStatus(StrEnum):
    OPEN = "open"  # new, or back after it was resolved
    ACKNOWLEDGED = "acknowledged"  # someone has seen it and is on it
    RESOLVED = "resolved"


# The statuses of an exception still waiting for someone (the queue's default filter).
UNRESOLVED = (ExceptionStatus.OPEN, ExceptionStatus.ACKNOWLEDGED)


class Severity(StrEnum):
    CRITICAL = "critical"  # a chargeback or a lost document is near: alerts at once
    HIGH = "high"  # alerts too
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Kind:
    name: str
    severity: Severity
    title: str


KINDS = {kind.name: kind for kind in (
    Kind("sku_mismatch", Severity.HIGH, "Identifier not in the catalogue"),
    Kind("cost_mismatch", Severity.HIGH, "PO cost differs from the catalogue cost"),
    Kind("unit_mismatch", Severity.MEDIUM, "Cases ordered for a SKU without a case pack"),
    Kind("quantity_mismatch", Severity.HIGH, "Quantity differs between documents"),
    Kind("duplicate_po", Severity.LOW, "Purchase order received again with different content"),
    Kind("unknown_po_change", Severity.HIGH, "PO change (860) for a purchase order never received"),
    Kind("po_change_not_applied", Severity.HIGH, "PO change (860) the gateway could not apply"),
    Kind("ack_deadline_approaching", Severity.HIGH, "855 due soon"),
    Kind("ack_late", Severity.CRITICAL, "855 not delivered within the window"),
    Kind("ack_997_overdue", Severity.HIGH, "No 997 from the partner for a document we sent"),
    Kind("ack_997_rejected", Severity.CRITICAL, "The partner's 997 rejected a document we sent"),
    Kind("mdn_failed", Severity.CRITICAL, "MDN reported an error or could not be verified"),
    # Opened at a send's first failed attempt (high, while it is retried), critical once
    # the attempts are spent or the document's deadline is near.
    Kind("as2_send_failed", Severity.CRITICAL, "AS2 message not delivered"),
    # Amazon waits for the MDN and resends; a person decides whether the URL was right.
    Kind("async_mdn_not_sent", Severity.HIGH, "Asynchronous MDN not delivered (URL refused or retries spent)"),
    Kind("inbound_rejected", Severity.HIGH, "Inbound message rejected (AS2 or X12)"),
    # Critical: the partner believes it sent the orders in it, and no 855 will answer them.
    Kind("interchange_refused", Severity.CRITICAL, "Interchange refused with a TA1: nothing in it was taken in"),
    Kind("ims_call_failed", Severity.HIGH, "IMS call failed"),
    Kind("certificate_expiring", Severity.HIGH, "Certificate expires soon"),
    Kind("shipped_without_asn", Severity.CRITICAL, "Shipped but no ASN sent"),
    # Amazon charges 2-6% of the shipment's cost for an ASN that is late, missing or wrong.
    Kind("asn_late", Severity.CRITICAL, "856 not delivered and accepted within 30 minutes of shipping"),
    # Goods Amazon received but was never billed for: unpaid until someone invoices them.
    Kind("shipped_not_invoiced", Severity.HIGH, "Shipped but not invoiced"),
    # Merchandising decides: a zero may suppress the listing, and undoing that is manual.
    Kind("stock_zero_held", Severity.HIGH, "Zero stock held back from the 846"),
    # Sent as it is, it would tell Amazon that every SKU it lost is unavailable.
    Kind("stock_snapshot_held", Severity.CRITICAL, "IMS stock snapshot held: it left out many SKUs"),
    Kind("inventory_feed_failed", Severity.HIGH, "846 feed stopped: a batch could not be written"),
    Kind("ims_sku_not_in_catalogue", Severity.MEDIUM, "IMS SKU with no Amazon identifier"),
    Kind("catalogue_sku_not_in_ims", Severity.HIGH, "Catalogue SKU missing from the IMS stock snapshot"),
    # Phantom stock: what Amazon believes differs from what the IMS holds.
    Kind("stock_drift", Severity.MEDIUM, "Amazon's view of stock differs from the IMS"),
    Kind("unreconciled_payment", Severity.MEDIUM, "Remittance does not match the invoice"),
    # Amazon owes it and has paid none of it: finance chases it in Vendor Central.
    Kind("invoice_overdue", Severity.HIGH, "Invoice unpaid past its terms"),
    # A burst of refused sign-ins across the site (gateway.access.throttle): someone is guessing.
    Kind("login_attack", Severity.HIGH, "Many refused sign-ins: passwords are being guessed"),
)}


class UnknownKind(ValueError):
    pass


def record_exception(
    session: Session,
    kind: str,
    message: str,
    *,
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    po_number: str | None = None,
    key: str = "",
    detail: dict[str, Any] | None = None,
    severity: Severity | None = None,
) -> OperationalException:
    """Open (or bump) the exception of ``kind`` about a subject.

    ``key`` separates problems of one kind about one subject (e.g. two lines of a PO);
    the fingerprint is kind + subject + key, never the message, so rewording a message
    does not split one problem into two. ``severity`` overrides the kind's for a problem
    that is not yet as bad as it gets (a send still being retried); seen again with a
    higher one (or with none: the kind's), the row is escalated, never lowered.
    """
    if kind not in KINDS:
        raise UnknownKind(f"unknown exception kind {kind!r}")
    fingerprint = hashlib.sha256(f"{kind}|{subject_type}|{subject_id}|{po_number}|{key}".encode()).hexdigest()
    now = datetime.now(timezone.utc)
    # Locked: the same problem is often seen by requests in parallel (a flood of refusals),
    # and each must add its one to the count, not write back a count another has read too.
    row = session.scalars(select(OperationalException).where(OperationalException.fingerprint == fingerprint)
                          .with_for_update()).first()
    if row is None:
        row = OperationalException(
            fingerprint=fingerprint, kind=kind, severity=severity or KINDS[kind].severity, subject_type=subject_type,
            subject_id=None if subject_id is None else str(subject_id), po_number=po_number, message=message,
            detail=detail or {}, status=ExceptionStatus.OPEN.value, count=1, first_seen=now, last_seen=now, notes=[],
        )
        session.add(row)
        session.flush()
        audit.record(session, "exception.opened", subject_type="exception", subject_id=row.id, kind=kind,
                     message=message)
        return row
    row.count += 1
    row.last_seen = now
    row.message = message
    row.detail = {**row.detail, **(detail or {})}
    if row.status == ExceptionStatus.RESOLVED:
        # Reopened: a problem that came back is news again, so it alerts again.
        row.status, row.resolved_at, row.emailed_at, row.webhook_posted_at = ExceptionStatus.OPEN.value, None, None, None
        row.severity = severity or KINDS[kind].severity
        audit.record(session, "exception.reopened", subject_type="exception", subject_id=row.id, kind=kind)
    else:
        escalate(session, row, severity or KINDS[kind].severity, reason=message)
    return row


def escalate(session: Session, row: OperationalException, severity: Severity, *, reason: str) -> bool:
    """Raise ``row``'s severity (never lower it); a raised exception alerts again. True if raised."""
    if _RANK[severity] <= _RANK[Severity(row.severity)]:
        return False
    previous, row.severity = row.severity, severity.value
    row.emailed_at, row.webhook_posted_at = None, None
    audit.record(session, "exception.escalated", subject_type="exception", subject_id=row.id, kind=row.kind,
                 previous=previous, severity=severity.value, reason=reason)
    return True


_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


def resolve_cause_gone(session: Session, kinds: tuple[str, ...], *, cause: str, subject_type: str | None = None,
                       subject_id: str | int | None = None, po_number: str | None = None) -> list[OperationalException]:
    """Resolve the unresolved exceptions of ``kinds`` about a subject (or a PO) whose cause is gone.

    ``cause`` says in words what resolved them ("delivered: the MDN came back processed");
    it goes on the exception's notes and in the audit trail, by the gateway.
    """
    if session.autoflush:  # as before an ORM query: what this transaction recorded is found too
        session.flush()
    query = _unresolved_query(subject_type is not None, subject_id is not None, po_number is not None)
    ids = session.connection().execute(query, {
        "kinds": list(kinds), "subject_type": subject_type, "po_number": po_number,
        "subject_id": None if subject_id is None else str(subject_id)}).scalars().all()
    return [resolve_exception(session, exception_id, actor="gateway", note=cause) for exception_id in ids]


@cache
def _unresolved_query(by_subject: bool, by_subject_id: bool, by_po: bool) -> Select[int]:
    """The ids of the unresolved exceptions of some kinds, about a subject and a PO, as
    ``resolve_cause_gone`` is asked. Built once for each shape: resolving is asked for
    every delivered message and every answered PO, nearly always finding nothing, and
    building the query cost more than running it."""
    table = OperationalException
    query = select(table.id).where(table.kind.in_(bindparam("kinds", expanding=True)),
                                   table.status.in_([status.value for status in UNRESOLVED]))
    if by_subject:
        query = query.where(table.subject_type == bindparam("subject_type"),
                            table.subject_id == bindparam("subject_id") if by_subject_id else table.subject_id.is_(None))
    if by_po:
        query = query.where(table.po_number == bindparam("po_number"))
    return query


def resolve_exception(session: Session, exception_id: int, *, actor: str, note: str) -> OperationalException:
    row = session.get(OperationalException, exception_id)
    if row is None:
        raise LookupError(f"no exception {exception_id}")
    row.status, row.resolved_at = ExceptionStatus.RESOLVED.value, datetime.now(timezone.utc)
    row.notes = [*row.notes, {"at": row.resolved_at.isoformat(), "by": actor, "note": note}]
    audit.record(session, "exception.resolved", actor=actor, subject_type="exception", subject_id=row.id, note=note)
    return row


def open_exceptions(session: Session, *, po_number: str | None = None) -> list[OperationalException]:
    query = select(OperationalException).where(OperationalException.status.in_(UNRESOLVED))
    if po_number is not None:
        query = query.where(OperationalException.po_number == po_number)
    return list(session.scalars(query.order_by(OperationalException.last_seen.desc())))


def note_replay(session: Session, row: OperationalException, *, actor: str, what: str) -> None:
    """Remember the latest replay on the exception, so its outcome can be told (:func:`replay_outcome`)."""
    row.detail = {**row.detail, "replay": {"at": datetime.now(timezone.utc).isoformat(), "by": actor, "what": what}}


def replay_outcome(row: OperationalException) -> dict[str, str] | None:
    """How the latest replay went: ``succeeded`` (the exception resolved since), ``failed``
    (the problem was seen again since), or ``pending``; None if it was never replayed."""
    replay = row.detail.get("replay")
    if not replay:
        return None
    at = datetime.fromisoformat(replay["at"])
    if row.status == ExceptionStatus.RESOLVED and row.resolved_at is not None and row.resolved_at >= at:
        outcome, said = "succeeded", row.notes[-1]["note"] if row.notes else ""
    elif row.last_seen > at:
        outcome, said = "failed", row.message
    else:
        outcome, said = "pending", f"{replay['what']} queued again"
    return {"at": replay["at"], "by": replay["by"], "outcome": outcome, "detail": said}


def acknowledge_exception(session: Session, exception_id: int, *, actor: str) -> OperationalException:
    """Someone has seen it and is on it: it stays in the queue, no longer as new."""
    row = _get(session, exception_id)
    if row.status == ExceptionStatus.OPEN:
        row.status = ExceptionStatus.ACKNOWLEDGED.value
        audit.record(session, "exception.acknowledged", actor=actor, subject_type="exception", subject_id=row.id)
    return row


def assign_exception(session: Session, exception_id: int, *, actor: str, owner: str | None) -> OperationalException:
    """Give it an owner (``None`` or blank to leave it unowned)."""
    row = _get(session, exception_id)
    row.owner = (owner or "").strip() or None
    audit.record(session, "exception.assigned", actor=actor, subject_type="exception", subject_id=row.id,
                 owner=row.owner)
    return row


def add_note(session: Session, exception_id: int, *, actor: str, note: str) -> OperationalException:
    row = _get(session, exception_id)
    row.notes = [*row.notes, {"at": datetime.now(timezone.utc).isoformat(), "by": actor, "note": note}]
    audit.record(session, "exception.noted", actor=actor, subject_type="exception", subject_id=row.id, note=note)
    return row


def find_exceptions(
    session: Session, *, status: str | None = None, kind: str | None = None, severity: str | None = None,
    owner: str | None = None, po_number: str | None = None, limit: int = 200,
) -> list[OperationalException]:
    """The queue as ops filter it; ``status="unresolved"`` means open or acknowledged."""
    query = select(OperationalException)
    if status == "unresolved":
        query = query.where(OperationalException.status.in_(UNRESOLVED))
    elif status:
        query = query.where(OperationalException.status == status)
    for column, value in ((OperationalException.kind, kind), (OperationalException.severity, severity),
                          (OperationalException.owner, owner), (OperationalException.po_number, po_number)):
        if value:
            query = query.where(column == value)
    return list(session.scalars(query.order_by(OperationalException.last_seen.desc()).limit(limit)))


def _get(session: Session, exception_id: int) -> OperationalException:
    row = session.get(OperationalException, exception_id)
    if row is None:
        raise LookupError(f"no exception {exception_id}")
    return row
