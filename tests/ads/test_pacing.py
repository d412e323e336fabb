"""Pacing spreads the daily budget over the day."""

from datetime import datetime, time

import numpy as np
from django.utils import timezone

from ads.pacing import allowance, day_fraction, may_take_part

DAILY = 24_000_000  # $24: a dollar an hour


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(
        timezone.localdate(), time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def test_the_day_fraction_follows_the_local_clock():
    assert day_fraction(at(0)) == 0
    assert day_fraction(at(6)) == 0.25
    assert day_fraction(at(18)) == 0.75


def test_the_allowance_grows_evenly_with_a_little_slack():
    assert allowance(DAILY, 0.0, slack=0.05) == 1_200_000  # may start at once
    assert allowance(DAILY, 0.5, slack=0.05) == 13_200_000
    assert allowance(DAILY, 0.99, slack=0.05) == DAILY  # never more than the day's budget


def test_a_campaign_ahead_of_its_pace_sits_out_until_the_clock_catches_up():
    spent = 6_000_000  # $6 by 3 a.m. is ahead of $3 + slack
    assert not may_take_part([spent], [DAILY], [500_000], fraction=day_fraction(at(3)), slack=0.05)
    assert may_take_part([spent], [DAILY], [500_000], fraction=day_fraction(at(6)), slack=0.05)


def test_never_past_the_day_budget_whatever_the_hour():
    ok = may_take_part([23_800_000], [DAILY], [500_000], fraction=0.999, slack=0.05)
    assert not ok.any()


def test_works_on_many_campaigns_at_once():
    ok = may_take_part(
        np.array([0, 12_000_000, 30_000]),
        np.array([DAILY] * 3),
        np.array([1_000] * 3),
        fraction=0.25,
        slack=0.0,
    )
    assert ok.tolist() == [True, False, True]
