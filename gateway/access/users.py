"""People who sign in to the operations pages: made with a role, checked by password.

Passwords are kept only as werkzeug's salted scrypt hash. A failed sign-in says nothing
about which of name or password was wrong, and an unknown name costs the same hash
check as a known one, so the answer time does not reveal which names exist.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gateway.platform import audit
from gateway.models import User

ROLES = ("ops", "finance", "admin")
MIN_PASSWORD_LENGTH = 12
# Checked against when the name is unknown, so that case takes as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("no such user", method="scrypt")


class UserError(ValueError):
    """A user cannot be made as asked (role, name taken, password too short)."""


def create_user(session: Session, username: str, password: str, role: str, *, actor: str = "system") -> User:
    """Store a new active user with a hashed password; ``actor`` is who made them (audit)."""
    username = username.strip()
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if not username or len(username) > 64 or not username.isprintable():
        raise UserError("a username is 1 to 64 printable characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise UserError(f"user {username!r} already exists")
    user = User(username=username, password_hash=generate_password_hash(password, method="scrypt"), role=role,
                active=True)
    session.add(user)
    session.flush()
    audit.record(session, "user.created", actor=actor, subject_type="user", subject_id=user.id, username=username,
                 role=role)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None."""
    user = session.scalars(select(User).where(User.username == username.strip())).first()
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))
