"""The zero-stock guard and the truncated-snapshot guard: decisions, no I/O.

Telling Amazon a SKU has none can suppress its listing, and undoing that is manual in
Vendor Central, so a zero is held out of the 846 for merchandising when:

- the SKU is going to zero: Amazon was last told more than zero (``going_to_zero``);
- the SKU is critical (catalogue) and at zero, whatever Amazon was last told
  (``critical_zero``).

A zero a person (or the partner's hold policy) released is sent, and is not held again
while it stays zero; a discontinued SKU's zero is meant and never held.

A complete snapshot that leaves out more than a set share of the SKUs the IMS last
reported is more likely a broken export than a sold-out warehouse: applied, it would take
every SKU it lost out of the feed. It is held whole for a person to look at.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class HoldReason(StrEnum):
    GOING_TO_ZERO = "going_to_zero"  # Amazon was last told more than zero
    CRITICAL_ZERO = "critical_zero"  # a critical SKU at zero


REASON_WORDS = {
    HoldReason.GOING_TO_ZERO: "it is going to zero",
    HoldReason.CRITICAL_ZERO: "it is a critical SKU at zero",
}


@dataclass(frozen=True)
class SkuPosition:
    """What the guard needs to know of one SKU at one ship-from for one partner."""

    available: int  # available to promise now
    last_sent: int | None  # what the last 846 told the partner; None: never sent
    critical: bool
    discontinued: bool = False
    # The last zero sent was let through by a person or the policy.
    zero_released: bool = False
    # A hold was released and its zero not sent yet.
    release_pending: bool = False


def zero_guard(position: SkuPosition) -> HoldReason | None:
    """Why this SKU's quantity must be held out of the 846, or None to send it."""
    if position.available > 0 or position.discontinued or position.release_pending:
        return None
    if position.last_sent == 0 and position.zero_released:
        return None  # merchandising already let this zero through
    if position.critical:
        return HoldReason.CRITICAL_ZERO
    if position.last_sent is not None and position.last_sent > 0:
        return HoldReason.GOING_TO_ZERO
    return None


@dataclass(frozen=True)
class SnapshotCheck:
    last_reported: int  # SKUs the IMS last reported (and has not since left out)
    missing: int  # of those, left out of this snapshot
    share: float  # missing / last_reported (0 when nothing was reported before)
    held: bool


def snapshot_check(last_reported: Collection[str], reported: Collection[str], max_missing_share: float) -> SnapshotCheck:
    """Is a complete snapshot that lists ``reported`` missing more than ``max_missing_share``
    of the SKUs ``last_reported``? The first snapshot (nothing reported before) never is."""
    previous = set(last_reported)
    missing = len(previous - set(reported))
    share = missing / len(previous) if previous else 0.0
    return SnapshotCheck(len(previous), missing, share, share > max_missing_share)
