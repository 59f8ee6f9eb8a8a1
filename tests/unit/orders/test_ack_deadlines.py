from datetime import datetime, timedelta, timezone

import pytest

from gateway.orders.deadlines import ack_deadline, reack_allowed
from gateway.partners.profile import AcknowledgementSettings, Profile, ProfileSettingError

UTC = timezone.utc


def test_an_ordinary_day_gives_24_hours():
    received = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)
    assert ack_deadline(received, AcknowledgementSettings()) == received + timedelta(hours=24)


def test_a_holiday_in_the_window_extends_the_deadline():
    received = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the day before Thanksgiving (US)
    assert ack_deadline(received, AcknowledgementSettings()) == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert ack_deadline(received, AcknowledgementSettings(holiday_country=None)) == datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_christmas_and_boxing_day_in_the_uk_count_twice():
    received = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    assert ack_deadline(received, AcknowledgementSettings(holiday_country="GB")) == datetime(2026, 12, 27, 12, 0, tzinfo=UTC)


def test_the_profile_overrides_the_defaults():
    policy = Profile.from_json({"acknowledgement": {"window_hours": 12, "warn_hours": [3],
                                                    "ack_codes": {"backordered": "BP"}}}).acknowledgement
    assert (policy.window_hours, policy.warn_hours) == (12, (3.0,))
    assert policy.ack_codes["backordered"] == "BP" and policy.ack_codes["accepted"] == "IA"
    with pytest.raises(ProfileSettingError, match="on_deadline"):
        Profile.from_json({"acknowledgement": {"on_deadline": "panic"}})


def test_re_acknowledgement_only_within_48_hours():
    received = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert reack_allowed(received, received + timedelta(hours=47), AcknowledgementSettings())
    assert not reack_allowed(received, received + timedelta(hours=49), AcknowledgementSettings())
