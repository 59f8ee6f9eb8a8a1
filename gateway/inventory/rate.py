"""A token bucket: how many 846 transaction sets a partner may be sent now. Pure.

The bucket holds at most ``capacity`` tokens and gains ``per_minute`` a minute; each send
takes one. The state (tokens, when last refilled) lives in the database
(``rate_bucket``), so every worker draws from the same bucket.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Draw:
    granted: bool
    tokens: float  # left after the draw
    wait_seconds: float  # until the next token, when not granted (0 when granted)


def draw(tokens: float, refilled_at: datetime, now: datetime, *, per_minute: float, capacity: int) -> Draw:
    """Refill the bucket for the time since ``refilled_at``, then take one token if there is one."""
    elapsed = max(0.0, (now - refilled_at).total_seconds())
    available = min(float(capacity), tokens + elapsed * per_minute / 60.0)
    if available >= 1.0:
        return Draw(True, available - 1.0, 0.0)
    return Draw(False, available, (1.0 - available) * 60.0 / per_minute)
