"""Cards format datetimes exactly as DRF's DateTimeField does, by a shorter road."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.utils import timezone as django_timezone
from rest_framework.fields import DateTimeField

from social.cards import format_datetime

MOMENTS = [
    datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    datetime(2026, 3, 1, 12, 0, 5, 123456, tzinfo=UTC),
    datetime(2026, 7, 1, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 1, 31, 0, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"])
def test_the_same_text_as_drf_in_every_zone(zone):
    with django_timezone.override(zone):
        for moment in MOMENTS:
            assert format_datetime(moment) == DateTimeField().to_representation(moment)


def test_nothing_is_none():
    assert format_datetime(None) is None


@pytest.mark.parametrize("zone", ["Europe/Paris", "Asia/Kolkata"])
def test_a_zone_looked_up_once_gives_the_same_text(zone):
    with django_timezone.override(zone):
        current = django_timezone.get_current_timezone()
        for moment in MOMENTS:
            expected = DateTimeField().to_representation(moment)
            assert format_datetime(moment, current) == expected
