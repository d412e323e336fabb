"""The reporting window a dashboard shows: the last 24 hours by hour, or the last N days by
day. Pages and the API read it from `?days=` the same way."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from analytics.rollups import DAILY, HOURLY, Grain

CHOICES = (1, 7, 30, 90)
DEFAULT_DAYS = 7


@dataclass(frozen=True)
class Period:
    days: int
    now: datetime
    daily_only: bool = False  # reports made of daily measures show whole days even for 1

    @property
    def grain(self) -> Grain:
        return DAILY if self.days > 1 or self.daily_only else HOURLY

    @property
    def is_hourly(self) -> bool:
        return self.grain is HOURLY

    @property
    def since(self) -> datetime:
        """The start of the first period shown."""
        if self.is_hourly:
            return HOURLY.floor(self.now) - timedelta(hours=23)
        first = DAILY.floor(self.now)
        for _ in range(self.days - 1):
            first = DAILY.floor(first - timedelta(hours=1))
        return first

    @property
    def starts(self) -> list[datetime]:
        return self.grain.starts(self.since, self.now)

    @property
    def label(self) -> str:
        if self.days == 1:
            return "today" if self.daily_only else "the last 24 hours"
        return f"the last {self.days} days"

    @property
    def step_label(self) -> str:
        return "hour" if self.is_hourly else "day"


def period_from(params, *, now: datetime | None = None, daily_only=False) -> Period:
    """`?days=` as a Period; anything but the offered choices is a ValidationError that says
    what to send."""
    raw = params.get("days", "") if params is not None else ""
    if raw in ("", None):
        days = DEFAULT_DAYS
    else:
        try:
            days = int(str(raw))
        except ValueError:
            days = 0
        if days not in CHOICES:
            offered = ", ".join(str(c) for c in CHOICES[:-1]) + f" or {CHOICES[-1]}"
            raise ValidationError(f"Choose a period of {offered} days (days={str(raw)[:20]}).")
    return Period(days=days, now=now or timezone.now(), daily_only=daily_only)
