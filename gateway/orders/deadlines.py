"""When an 855 is due, and what to do as the deadline nears: the partner's timing policy.

Amazon wants the 855 within 24 hours of the PO (third parties report 48 hours over
holiday periods). Every number here is a setting of the partner's profile
(``AcknowledgementSettings``, section ``acknowledgement``) with Amazon's usual values as
defaults, so a vendor can follow the guide it was given.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays

from gateway.partners.profile import AcknowledgementSettings


def ack_deadline(received_at: datetime, policy: AcknowledgementSettings) -> datetime:
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


def reack_allowed(received_at: datetime, now: datetime, policy: AcknowledgementSettings) -> bool:
    return now <= received_at + timedelta(hours=policy.reack_window_hours)
