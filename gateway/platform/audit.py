"""The audit trail: one row per state change, carrying the request id that caused it."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from gateway.platform.logging import current_request_id
from gateway.models import AuditEvent

# A Core insert, built once: every AS2 message writes two events while SQLite's write
# lock is held, and an ORM object per event cost more than the insert itself.
_INSERT_EVENT = insert(AuditEvent)


def record(
    session: Session | Connection,
    action: str,
    *,
    actor: str = "system",
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    **detail: Any,
) -> int:
    """Write the event in the transaction of ``session`` (a Session, or a Connection on
    the AS2 receive path) at once, not at the next flush; returns its id."""
    connection = session.connection() if isinstance(session, Session) else session
    key = connection.execute(_INSERT_EVENT, {
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": None if subject_id is None else str(subject_id),
        "request_id": current_request_id(),
        "detail": detail,
    }).inserted_primary_key
    assert key is not None  # always set by a single-row insert
    return key[0]
