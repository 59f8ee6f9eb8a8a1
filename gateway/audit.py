"""The audit trail: one row per state change, carrying the request id that caused it."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gateway.logging import current_request_id
from gateway.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    actor: str = "system",
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        request_id=current_request_id(),
        detail=detail,
    )
    session.add(event)
    return event
