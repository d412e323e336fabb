"""Pacing: spread a campaign's daily budget over the day instead of spending it at dawn.

A campaign may have spent, by a moment of the day, the share of its daily budget that an even
spread would have spent by then, plus a little slack (ADS_PACING_SLACK) so it can start at
once and catch up after quiet hours. Ahead of that line it sits out auctions until the clock
catches up. The line is a gate on taking part, not on charging: the daily and total budgets
themselves are enforced by the database when a charge is made (ads.billing).
"""

from datetime import datetime, time

import numpy as np
from django.conf import settings
from django.utils import timezone

DAY_SECONDS = 24 * 3600


def day_fraction(now: datetime | None = None) -> float:
    """How much of the local day has passed, in [0, 1)."""
    now = timezone.localtime(now or timezone.now())
    midnight = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    return min(max((now - midnight).total_seconds() / DAY_SECONDS, 0.0), 1.0)


def allowance(daily_budget_micros, fraction: float, slack: float | None = None):
    """What may have been spent by `fraction` of the day (works on numbers and arrays)."""
    slack = settings.ADS_PACING_SLACK if slack is None else slack
    share = min(1.0, fraction + slack)
    return np.floor(np.asarray(daily_budget_micros, dtype=np.float64) * share).astype(np.int64)


def may_take_part(
    spent_today, daily_budget, next_charge, *, fraction: float, slack: float | None = None
):
    """Behind the pacing line, and today's budget still holds the next charge (arrays)."""
    spent_today = np.asarray(spent_today, dtype=np.int64)
    daily_budget = np.asarray(daily_budget, dtype=np.int64)
    within_day = spent_today + np.asarray(next_charge, dtype=np.int64) <= daily_budget
    return within_day & (spent_today < allowance(daily_budget, fraction, slack))
