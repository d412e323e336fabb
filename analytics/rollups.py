"""Rollups: the event log aggregated into hourly and daily tables, so dashboards never scan it.

A period (an hour, or a day in the site's time zone) is always recomputed whole from the
events in it: its totals row is updated and its per-arm, per-version and per-campaign rows
are replaced, in one transaction. So running a period twice gives the same numbers
(idempotent), and an event that arrives late (beacons may be a day old) is folded in by the
next run whose window covers its period. Two runs of one period at once queue on the totals
row's lock instead of interleaving.

Engagement (people, sessions, impressions, likes...) is `analytics.engagement` stored per arm;
the totals add what it does not count (all events, model-placed impressions, follows,
sign-ups, revenue), and the daily row adds the measures of the whole system.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Model, Q, Sum
from django.utils import timezone

from analytics import ad_figures, measures
from analytics.engagement import engagement_by_arm
from analytics.models import (
    DailyArmEngagement,
    DailyCampaignStats,
    DailyTotals,
    DailyVersionImpressions,
    HourlyArmEngagement,
    HourlyTotals,
    HourlyVersionImpressions,
)
from events.models import Event, EventKind, Surface

HOUR = timedelta(hours=1)

# Totals columns counted straight from the event kinds.
KIND_COLUMNS = {
    "unlikes": EventKind.UNLIKE,
    "follows": EventKind.FOLLOW,
    "searches": EventKind.SEARCH,
    "group_joins": EventKind.GROUP_JOIN,
    "signups": EventKind.SIGNUP,
}


@dataclass(frozen=True)
class Grain:
    """An hour or a day, and the tables its rollups go to."""

    name: str
    totals: type[Model]
    arms: type[Model]
    versions: type[Model]

    def floor(self, moment: datetime) -> datetime:
        """The start of the period holding `moment` (local time, as an aware datetime)."""
        local = timezone.localtime(moment)
        if self.name == "hour":
            return local.replace(minute=0, second=0, microsecond=0)
        return timezone.make_aware(datetime.combine(local.date(), time()))

    def end_of(self, start: datetime) -> datetime:
        if self.name == "hour":
            return start + HOUR
        next_day = timezone.localtime(start).date() + timedelta(days=1)
        return timezone.make_aware(datetime.combine(next_day, time()))

    def starts(self, since: datetime, until: datetime) -> list[datetime]:
        """Starts of the periods that overlap [since, until]."""
        found, start = [], self.floor(since)
        while start <= until:
            found.append(start)
            start = self.end_of(start)
        return found


HOURLY = Grain("hour", HourlyTotals, HourlyArmEngagement, HourlyVersionImpressions)
DAILY = Grain("day", DailyTotals, DailyArmEngagement, DailyVersionImpressions)


def _in_period(start: datetime, end: datetime):
    return Event.objects.filter(created_at__gte=start, created_at__lt=end)


def period_counts(start: datetime, end: datetime) -> dict:
    """The totals columns for [start, end): two grouped queries and the ledger's sum."""
    grouped = (
        _in_period(start, end)
        .values("kind")
        .annotate(
            n=Count("id"),
            home=Count("id", filter=Q(surface=Surface.HOME)),
            home_total=Sum("result_count", filter=Q(surface=Surface.HOME)),
        )
    )
    by_kind = {row["kind"]: row for row in grouped}
    counts = {"events": sum(row["n"] for row in by_kind.values())}
    for column, kind in KIND_COLUMNS.items():
        counts[column] = by_kind.get(int(kind), {}).get("n", 0)
    for column, kind in (("home_impressions", EventKind.IMPRESSION),
                         ("home_ad_impressions", EventKind.AD_IMPRESSION)):  # fmt: skip
        counts[column] = by_kind.get(int(kind), {}).get("home", 0)
    counts["home_ad_slots"] = by_kind.get(int(EventKind.AD_SLOTS), {}).get("home_total") or 0
    counts["model_impressions"] = sum(impressions_by_version(start, end).values())
    counts["revenue_micros"] = ad_figures.revenue_micros(start, end)
    return counts


def impressions_by_version(start: datetime, end: datetime) -> dict[int, int]:
    placed = _in_period(start, end).filter(
        kind=EventKind.IMPRESSION, model_version__isnull=False, user__isnull=False
    )
    return dict(
        placed.values("model_version").annotate(n=Count("id")).values_list("model_version", "n")
    )


def rollup_period(grain: Grain, start: datetime, *, now: datetime | None = None):
    """Recompute one period from the event log and store it; returns the totals row."""
    now = now or timezone.now()
    start = grain.floor(start)
    end = grain.end_of(start)
    # Read everything first, then write in one short transaction.
    totals = period_counts(start, end)
    arms = engagement_by_arm(start=start, end=end)
    versions = impressions_by_version(start, end)
    campaigns = ad_figures.campaign_rows(start, end) if grain is DAILY else []
    if grain is DAILY:
        totals.update(asdict(measures.system_measures(start, end)))
        if start <= now < end:  # the switches are current state: observe them only today
            totals.update(measures.privacy_choices())
    with transaction.atomic():
        row, _ = grain.totals.objects.select_for_update().update_or_create(
            period_start=start, defaults={**totals, "computed_at": now}
        )
        grain.arms.objects.filter(period_start=start).delete()
        grain.arms.objects.bulk_create(
            grain.arms(period_start=start, **asdict(engagement)) for engagement in arms.values()
        )
        grain.versions.objects.filter(period_start=start).delete()
        grain.versions.objects.bulk_create(
            grain.versions(period_start=start, model_version=version, impressions=count)
            for version, count in versions.items()
        )
        if grain is DAILY:
            DailyCampaignStats.objects.filter(period_start=start).delete()
            DailyCampaignStats.objects.bulk_create(
                DailyCampaignStats(period_start=start, **campaign) for campaign in campaigns
            )
    return row


def oldest_allowed(now: datetime) -> datetime:
    """Periods older than the raw event retention cannot be recomputed: their events are
    gone, and a rerun would overwrite good figures with zeros."""
    return now - timedelta(days=settings.EVENT_RETENTION_DAYS) + timedelta(days=1)


def rollup_range(grain: Grain, since: datetime, until: datetime, *, now=None) -> int:
    """Recompute every period overlapping [since, until] that may still be recomputed."""
    now = now or timezone.now()
    floor = oldest_allowed(now)
    starts = [s for s in grain.starts(max(since, floor), min(until, now)) if s <= now]
    for start in starts:
        rollup_period(grain, start, now=now)
    return len(starts)


def rollup_recent(*, now: datetime | None = None) -> int:
    """The live figures: the current hour, the last ANALYTICS_RECENT_HOURS, and today.

    Today's daily row is recomputed too, so the daily pages (engagement, stakeholders,
    models, ads "today") agree with the flywheel page within a minute, rather than waiting
    up to a quarter of an hour for the late run."""
    now = now or timezone.now()
    hours = rollup_range(HOURLY, now - settings.ANALYTICS_RECENT_HOURS * HOUR, now, now=now)
    rollup_period(DAILY, now, now=now)
    return hours + 1


def rollup_late(*, now: datetime | None = None) -> int:
    """Fold late events in: the hours of the last ANALYTICS_LATE_HOURS and the days of the
    last ANALYTICS_LATE_DAYS (today included)."""
    now = now or timezone.now()
    hours = rollup_range(HOURLY, now - settings.ANALYTICS_LATE_HOURS * HOUR, now, now=now)
    since = now - timedelta(days=settings.ANALYTICS_LATE_DAYS - 1)
    return hours + rollup_range(DAILY, since, now, now=now)
