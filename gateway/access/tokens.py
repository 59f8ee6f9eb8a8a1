"""Bearer tokens for the REST API: made once, shown once, stored only as a SHA-256.

Roles scope what a token may do: ``ims`` (the IMS pushing allocations, stock,
shipments, invoices), ``ops`` and ``finance`` (reading, acting on their queues) and
``admin`` (everything). A token is 32 random bytes, so a plain SHA-256 (no salt, no
slow hash) is enough to make a stolen table useless.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.platform import audit
from gateway.models import ApiToken

ROLES = ("ims", "ops", "finance", "admin")
PREFIX = "edigw_"


class TokenError(ValueError):
    pass


def create_token(session: Session, role: str, label: str = "") -> str:
    """Store a new token for ``role`` and return it: the only time it exists in clear."""
    if role not in ROLES:
        raise TokenError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(token_sha256=_digest(token), role=role, label=label)
    session.add(row)
    session.flush()
    audit.record(session, "token.created", subject_type="api_token", subject_id=row.id, role=role, label=label)
    return token


def role_of(session: Session, token: str) -> str | None:
    """The role a presented token carries, or None when it is unknown or revoked."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_sha256 == _digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return row.role


def revoke_token(session: Session, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenError(f"no token {token_id}")
    row.revoked_at = datetime.now(timezone.utc)
    audit.record(session, "token.revoked", subject_type="api_token", subject_id=token_id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
