"""People who sign in to the operations pages: made with a role, checked by password.

Passwords are kept only as werkzeug's salted scrypt hash. A failed sign-in says nothing
about which of name or password was wrong, and an unknown name costs the same hash
check as a known one, so the answer time does not reveal which names exist.

Disabling a person, changing their role or resetting their password ends their open
sessions (their cookies stop working at once); the last active admin cannot be disabled or
demoted, so the site always has someone who can manage people.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gateway.platform import audit
from gateway.access.sessions import SessionEnd, end_sessions_of
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
    _check_password(password)
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
    """The active user with this name and password, or None (a name no user could have,
    such as one with a NUL byte that PostgreSQL cannot even compare, is never looked up)."""
    name = username.strip()
    valid = 0 < len(name) <= 64 and name.isprintable()
    user = session.scalars(select(User).where(User.username == name)).first() if valid else None
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def name_as_given(username: str) -> str:
    """What someone typed as a name, fit for the audit trail and the throttle's counts:
    printable characters only (no NUL, no line breaks), at most 64."""
    return "".join(character for character in username.strip() if character.isprintable())[:64]


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def find_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username.strip())).first()
    if user is None:
        raise UserError(f"no user {username.strip()!r}")
    return user


def set_active(session: Session, user: User, active: bool, *, actor: str) -> None:
    """Enable or disable ``user``; disabling ends their sessions and they cannot sign in."""
    if user.active == active:
        return
    if not active:
        _keep_an_admin(session, user)
    user.active = active
    audit.record(session, "user.enabled" if active else "user.disabled", actor=actor, subject_type="user",
                 subject_id=user.id, username=user.username)
    if not active:
        end_sessions_of(session, user.id, SessionEnd.USER_CHANGED)


def set_role(session: Session, user: User, role: str, *, actor: str) -> None:
    """Give ``user`` another role; their sessions end, so the new role applies from their next sign-in."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if user.role == role:
        return
    if role != "admin":
        _keep_an_admin(session, user)
    audit.record(session, "user.role_changed", actor=actor, subject_type="user", subject_id=user.id,
                 username=user.username, old_role=user.role, role=role)
    user.role = role
    end_sessions_of(session, user.id, SessionEnd.USER_CHANGED)


def reset_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """Set a new password for ``user``; their sessions end (whoever held the old one is out)."""
    _check_password(password)
    user.password_hash = generate_password_hash(password, method="scrypt")
    audit.record(session, "user.password_reset", actor=actor, subject_type="user", subject_id=user.id,
                 username=user.username)
    end_sessions_of(session, user.id, SessionEnd.USER_CHANGED)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to take away the last active admin (nobody could manage people after)."""
    if user.role != "admin" or not user.active:
        return
    admins = session.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True)))
    if admins is not None and admins <= 1:
        raise UserError(f"{user.username!r} is the last active admin; make another admin first")
