"""Server-side sign-in sessions: the cookie names a row here, and the row decides.

A captured cookie is worth only as long as its row is open: signing out, an idle spell,
the absolute lifetime, or a change to the person (disabled, new role, new password) ends
the row, and the same cookie is then refused. The cookie carries a random token (signed
by Flask besides); the table keeps only its SHA-256, so a copy of the table opens nothing.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.platform import audit
from gateway.models import LoginSession, User


class SessionEnd(StrEnum):
    """Why a session ended (``login_session.end_reason``)."""

    SIGNED_OUT = "signed_out"
    IDLE = "idle"  # no request within the idle lifetime
    EXPIRED = "expired"  # past the absolute lifetime since sign-in
    USER_CHANGED = "user_changed"  # disabled, role changed or password reset


def start_session(session: Session, user: User, address: str | None) -> str:
    """Open a session for ``user`` and return its token (for the cookie only)."""
    token = secrets.token_urlsafe(32)
    row = LoginSession(token_sha256=_digest(token), user_id=user.id, address=(address or "")[:64] or None)
    session.add(row)
    session.flush()
    return token


def resume_session(session: Session, token: str, *, idle: timedelta, lifetime: timedelta,
                   now: datetime | None = None) -> User | None:
    """The active user of an open session, or None; a session found past a lifetime is ended.

    ``last_seen_at`` moves only when it is older than a thirtieth of the idle lifetime
    (a minute of 30): a page that polls costs one write a minute, not one per request.
    """
    now = now or datetime.now(timezone.utc)
    row = session.scalars(select(LoginSession).where(LoginSession.token_sha256 == _digest(token))).first()
    if row is None or row.ended_at is not None:
        return None
    if now - row.created_at >= lifetime:
        _end(session, row, SessionEnd.EXPIRED, now)
        return None
    if now - row.last_seen_at >= idle:
        _end(session, row, SessionEnd.IDLE, now)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        _end(session, row, SessionEnd.USER_CHANGED, now)
        return None
    if now - row.last_seen_at >= idle / 30:
        row.last_seen_at = now
    return user


def end_session(session: Session, token: str, reason: SessionEnd) -> None:
    """End the session of ``token`` if it is still open."""
    row = session.scalars(select(LoginSession).where(LoginSession.token_sha256 == _digest(token))).first()
    if row is not None and row.ended_at is None:
        _end(session, row, reason, datetime.now(timezone.utc))


def end_sessions_of(session: Session, user_id: int, reason: SessionEnd) -> int:
    """End every open session of a user (their cookies stop working); returns how many."""
    now = datetime.now(timezone.utc)
    rows = list(session.scalars(select(LoginSession).where(LoginSession.user_id == user_id,
                                                            LoginSession.ended_at.is_(None))))
    for row in rows:
        _end(session, row, reason, now)
    return len(rows)


def _end(session: Session, row: LoginSession, reason: SessionEnd, now: datetime) -> None:
    row.ended_at, row.end_reason = now, reason.value
    audit.record(session, "session.ended", subject_type="login_session", subject_id=row.id, user_id=row.user_id,
                 reason=reason.value)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
