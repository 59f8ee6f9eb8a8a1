"""The sign-in throttle: wrong passwords per username and per client address, and bursts.

After ``login_user_failures`` wrong passwords for one username, or ``login_address_failures``
from one address, within ``login_lockout_seconds``, sign-in answers 429 without checking the
password until the oldest counted failure ages out, so a guesser gets a handful of tries per
window, whichever names or addresses they spread them over. Refused attempts are counted
too but do not extend the lockout: a hostile client cannot keep a real person out for ever.
Every web process counts the same rows (the database, not memory, holds them).

Each wrong password is audited by the sign-in view; here the start of each lockout is.
Refused attempts are not audited one by one (an attacker must not be able to grow the audit
trail without bound): a burst of ``login_burst_failures`` refused sign-ins of either kind
within ``login_burst_seconds`` opens a ``login_attack`` exception, which alerts, and its
count grows with the attack.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.operations.exception_queue import record_exception
from gateway.access.users import name_as_given
from gateway.models import LoginFailure


class FailureOutcome(StrEnum):
    """What happened to a refused sign-in (``login_failure.outcome``)."""

    WRONG_PASSWORD = "wrong_password"  # the password was checked and wrong (or the name unknown)
    THROTTLED = "throttled"  # answered 429: the password was not checked


@dataclass(frozen=True)
class Limits:
    user_failures: int
    address_failures: int
    lockout: timedelta
    burst_failures: int
    burst: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.login_user_failures, settings.login_address_failures,
                   timedelta(seconds=settings.login_lockout_seconds), settings.login_burst_failures,
                   timedelta(seconds=settings.login_burst_seconds))


def retry_after(session: Session, limits: Limits, username: str, address: str,
                now: datetime | None = None) -> int | None:
    """Seconds until ``username`` from ``address`` may try a password again; None: now."""
    now = now or datetime.now(timezone.utc)
    waits = []
    for column, value, limit in ((LoginFailure.username, _key(username), limits.user_failures),
                                 (LoginFailure.address, _key(address), limits.address_failures)):
        times = session.scalars(
            select(LoginFailure.at)
            .where(column == value, LoginFailure.outcome == FailureOutcome.WRONG_PASSWORD,
                   LoginFailure.at > now - limits.lockout)
            .order_by(LoginFailure.at)).all()
        if len(times) >= limit:
            # Free again once enough of the counted failures have left the window.
            waits.append(times[len(times) - limit] + limits.lockout - now)
    if not waits:
        return None
    return max(1, math.ceil(max(waits).total_seconds()))


def record_failure(session: Session, limits: Limits, username: str, address: str, outcome: FailureOutcome,
                   now: datetime | None = None) -> None:
    """Count a refused sign-in; audit a lockout it starts; open ``login_attack`` on a burst."""
    now = now or datetime.now(timezone.utc)
    session.add(LoginFailure(at=now, username=_key(username), address=_key(address), outcome=outcome.value))
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - max(limits.lockout, limits.burst)))
    session.flush()
    if outcome == FailureOutcome.WRONG_PASSWORD:
        wait = retry_after(session, limits, username, address, now)
        if wait is not None:
            audit.record(session, "user.sign_in_locked", actor=f"user:{_key(username)}", subject_type="user",
                         username=_key(username), address=_key(address), retry_after_seconds=wait)
    recent = session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.at > now - limits.burst))
    if recent is not None and recent >= limits.burst_failures:
        seconds = int(limits.burst.total_seconds())
        record_exception(session, "login_attack",
                         f"{recent} refused sign-ins in the last {seconds} s (latest: {_key(username)!r} "
                         f"from {_key(address)})", subject_type="site",
                         detail={"failures": recent, "window_seconds": seconds, "latest_username": _key(username),
                                 "latest_address": _key(address)})


def forget_failures(session: Session, username: str) -> None:
    """A correct password clears that name's count: its owner is back, not being guessed at."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == _key(username),
                                               LoginFailure.outcome == FailureOutcome.WRONG_PASSWORD))


def _key(value: str) -> str:
    return name_as_given(value)
