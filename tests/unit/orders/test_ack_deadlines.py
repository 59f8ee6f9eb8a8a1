from datetime import datetime, timedelta, timezone

import pytest

from gateway.orders.deadlines import AckPolicy, ack_deadline, reack_allowed

UTC = timezone.utc


def test_an_ordinary_day_gives_24_hours():
    received = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)
    assert ack_deadline(received, AckPolicy()) == received + timedelta(hours=24)


def test_a_holiday_in_the_window_extends_the_deadline():
    received = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the day before Thanksgiving (US)
    assert ack_deadline(received, AckPolicy()) == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert ack_deadline(received, AckPolicy(holiday_country=None)) == datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_christmas_and_boxing_day_in_the_uk_count_twice():
    received = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    assert ack_deadline(received, AckPolicy(holiday_country="GB")) == datetime(2026, 12, 27, 12, 0, tzinfo=UTC)


def test_the_profile_overrides_the_defaults():
    policy = AckPolicy.from_profile({"acknowledgement": {"window_hours": 12, "warn_hours": [3],
                                                         "ack_codes": {"backordered": "BP"}}})
    assert (policy.window_hours, policy.warn_hours) == (12, (3.0,))
    assert policy.codes["backordered"] == "BP" and policy.codes["accepted"] == "IA"
    with pytest.raises(ValueError, match="on_deadline"):
        AckPolicy.from_profile({"acknowledgement": {"on_deadline": "panic"}})


def test_re_acknowledgement_only_within_48_hours():
    received = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert reack_allowed(received, received + timedelta(hours=47), AckPolicy())
    assert not reack_allowed(received, received + timedelta(hours=49), AckPolicy())
