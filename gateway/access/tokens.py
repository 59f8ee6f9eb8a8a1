"""Bearer tokens for the REST API: made once, shown once, stored only as a SHA-256.

Roles scope what a token may do: ``ims`` (the IMS pushing allocations, stock,
shipments, invoices), ``ops`` and ``finance`` (reading, acting on their queues) and
``admin`` (everything). A token is 32 random bytes, so a plain SHA-256 (no salt, no
slow hash) is enough to make a stolen table useless.

A token may carry an expiry; an expired or revoked token is refused exactly like an
unknown one. Its id (never the token) names it in logs and audit entries.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.platform import audit
from gateway.models import ApiToken

ROLES = ("ims", "ops", "finance", "admin")
PREFIX = "edigw_"


class TokenError(ValueError):
    pass


# How stale ``last_used_at`` may be: a busy IMS then costs one write a minute, not one per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Grant:
    """What a presented token may do, and which token it was (for the request's log line)."""

    token_id: int
    role: str


def create_token(session: Session, role: str, label: str = "", *, expires_in_days: int | None = None,
                 actor: str = "system") -> str:
    """Store a new token for ``role`` and return it: the only time it exists in clear."""
    if role not in ROLES:
        raise TokenError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if expires_in_days is not None and expires_in_days < 1:
        raise TokenError("--expires-in-days must be at least 1")
    token = PREFIX + secrets.token_urlsafe(32)
    expires_at = None if expires_in_days is None else datetime.now(timezone.utc) + timedelta(days=expires_in_days)
    row = ApiToken(token_sha256=_digest(token), role=role, label=label, expires_at=expires_at)
    session.add(row)
    session.flush()
    audit.record(session, "token.created", actor=actor, subject_type="api_token", subject_id=row.id, role=role,
                 label=label, expires_at=None if expires_at is None else expires_at.isoformat())
    return token


def authorise(session: Session, token: str, now: datetime | None = None) -> Grant | None:
    """The grant of a presented token, or None when it is unknown, revoked or expired.

    Marks the token used (to the minute), so ``tokens list`` shows which ones are idle.
    """
    now = now or datetime.now(timezone.utc)
    row = session.scalars(select(ApiToken).where(ApiToken.token_sha256 == _digest(token))).first()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return Grant(row.id, row.role)


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(session: Session, token_id: int, *, actor: str = "system") -> ApiToken:
    """Refuse the token from now on; revoking twice keeps the first time."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenError(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(timezone.utc)
        audit.record(session, "token.revoked", actor=actor, subject_type="api_token", subject_id=token_id)
    return row


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
