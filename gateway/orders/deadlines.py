"""When an 855 is due, and what to do as the deadline nears: the partner's timing policy.

Amazon wants the 855 within 24 hours of the PO (third parties report 48 hours over
holiday periods). Everything here is a partner-profile setting (``profile["acknowledgement"]``)
with Amazon's usual values as defaults, so a vendor can follow the guide it was given.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import holidays

from edi_maps.amazon.acknowledgement import DEFAULT_ACK_CODES


@dataclass(frozen=True)
class AckPolicy:
    window_hours: float = 24.0
    # Each public holiday inside the window adds a day (Amazon's holiday-period allowance).
    holiday_country: str | None = "US"
    # At deadline minus margin: "acknowledge" what is known and reject the rest, or only "alert".
    on_deadline: str = "acknowledge"
    margin_hours: float = 4.0
    warn_hours: tuple[float, ...] = (6.0, 2.0)
    # Changes after the first 855 may be acknowledged again within this many hours of the PO.
    reack_window_hours: float = 48.0
    transit_days: int = 2
    ack_codes: tuple[tuple[str, str], ...] = tuple(DEFAULT_ACK_CODES.items())

    @classmethod
    def from_profile(cls, profile: dict[str, Any]) -> AckPolicy:
        settings = dict(profile.get("acknowledgement", {}))
        if "warn_hours" in settings:
            settings["warn_hours"] = tuple(float(hours) for hours in settings["warn_hours"])
        if "ack_codes" in settings:
            settings["ack_codes"] = tuple({**DEFAULT_ACK_CODES, **settings["ack_codes"]}.items())
        if settings.get("on_deadline", "acknowledge") not in ("acknowledge", "alert"):
            raise ValueError(f"acknowledgement.on_deadline must be acknowledge or alert, not {settings['on_deadline']!r}")
        return cls(**settings)

    @property
    def codes(self) -> dict[str, str]:
        return dict(self.ack_codes)


def ack_deadline(received_at: datetime, policy: AckPolicy) -> datetime:
    """``received_at`` + the window, plus a day for each public holiday the window touches."""
    deadline = received_at + timedelta(hours=policy.window_hours)
    if not policy.holiday_country:
        return deadline
    calendar = holidays.country_holidays(policy.holiday_country)
    counted: set[date] = set()
    day = received_at.date()
    while day <= deadline.date():
        if day in calendar and day not in counted:
            counted.add(day)
            deadline += timedelta(days=1)
        day += timedelta(days=1)
    return deadline


def reack_allowed(received_at: datetime, now: datetime, policy: AckPolicy) -> bool:
    return now <= received_at + timedelta(hours=policy.reack_window_hours)
