"""Rollups against the hand-counted world in rollup_world.py: hours, days, arms, versions and
the measures of the whole system; recomputing is idempotent and late events are folded in."""

import math
from datetime import timedelta

import pytest
from django.core.management import call_command

from analytics import rollups
from analytics.models import (
    DailyArmEngagement,
    DailyTotals,
    DailyVersionImpressions,
    HourlyArmEngagement,
    HourlyTotals,
    HourlyVersionImpressions,
)
from events.models import EventKind
from tests.analytics.rollup_world import DAY, EVENING, HOUR_12, HOUR_13, at, build_world, log

pytestmark = pytest.mark.django_db

ARM_FIELDS = [
    "people", "sessions", "impressions", "likes", "shares", "comments", "clicks", "dwell_ms",
    "posts", "ad_impressions", "ad_clicks", "following_impressions",
]  # fmt: skip


@pytest.fixture
def world(settings):
    settings.ANALYTICS_AUDIENCE_MIN = 2
    return build_world()


def arms(model, start) -> dict[str, dict]:
    rows = model.objects.filter(period_start=start).values("arm", *ARM_FIELDS)
    return {row.pop("arm"): row for row in rows}


def counts(**values) -> dict:
    return {name: values.get(name, 0) for name in ARM_FIELDS}


def test_an_hour_is_rolled_up_from_its_events(world):
    rollups.rollup_period(rollups.HOURLY, HOUR_12 + timedelta(minutes=30), now=EVENING)
    totals = HourlyTotals.objects.get()
    assert totals.period_start == HOUR_12
    assert (totals.events, totals.model_impressions, totals.signups) == (7, 2, 0)
    assert arms(HourlyArmEngagement, HOUR_12) == {
        "personalised": counts(people=1, sessions=1, impressions=2, likes=1, dwell_ms=3000),
        "chronological": counts(people=1, sessions=1, impressions=1),
        "": counts(people=1, sessions=1, posts=2),
    }
    versions = HourlyVersionImpressions.objects.values_list("model_version", "impressions")
    assert list(versions) == [(7, 2)]


def test_the_next_hour_has_its_own_figures(world):
    rollups.rollup_period(rollups.HOURLY, HOUR_13, now=EVENING)
    totals = HourlyTotals.objects.get(period_start=HOUR_13)
    assert (totals.events, totals.signups, totals.follows, totals.model_impressions) == (
        5, 1, 1, 0,
    )  # fmt: skip
    assert arms(HourlyArmEngagement, HOUR_13) == {
        "chronological": counts(people=1, sessions=1, impressions=1, clicks=1),
        "": counts(people=3, sessions=3, posts=1),  # ben posts, eve signs up, cy follows
    }


def test_a_day_counts_distinct_people_and_sessions_over_the_whole_day(world):
    rollups.rollup_period(rollups.DAILY, DAY, now=EVENING)
    totals = DailyTotals.objects.get()
    assert (totals.events, totals.signups, totals.follows) == (12, 1, 1)
    assert arms(DailyArmEngagement, DAY) == {
        # cy: 12:10-12:13 and 13:40 are two sessions; so are dee's 12:20 and 13:05.
        "personalised": counts(people=1, sessions=2, impressions=2, likes=1, dwell_ms=3000),
        "chronological": counts(people=1, sessions=2, impressions=2, clicks=1),
        "": counts(people=3, sessions=3, posts=3),
    }
    assert list(DailyVersionImpressions.objects.values_list("model_version", "impressions")) == [
        (7, 2)
    ]


def test_the_day_measures_the_whole_system(world):
    totals = rollups.rollup_period(rollups.DAILY, DAY, now=EVENING)
    # Impressions per author: ana 3, ben 1. Gini of (1, 3) = 2*(1*1 + 2*3)/(2*4) - 3/2.
    assert totals.authors_shown == 2
    assert totals.author_gini == pytest.approx(0.25)
    assert totals.author_top1_share == pytest.approx(0.75)
    # ana and ben both posted first this week; only ana was seen by 2 other people.
    assert (totals.new_creators, totals.new_creators_reached) == (2, 1)
    # cy saw jazz twice and blues once; dee saw jazz, blues and rock once each.
    cy_bits = -(2 / 3 * math.log2(2 / 3) + 1 / 3 * math.log2(1 / 3))
    assert totals.sampled_people == 2
    assert totals.topic_entropy == pytest.approx((cy_bits + math.log2(3)) / 2)
    # {p1, p2} and {p1, p3}: one post in common out of three.
    assert totals.homogenisation == pytest.approx(1 / 3)
    assert totals.churned_people == 1  # fay
    assert (totals.accounts, totals.feed_opted_out, totals.ads_opted_out) == (6, 1, 1)


def test_privacy_switches_are_observed_only_while_the_day_is_today(world):
    totals = rollups.rollup_period(rollups.DAILY, DAY, now=DAY + timedelta(days=3))
    assert totals.accounts is None and totals.feed_opted_out is None
    assert totals.events == 12  # everything else is history and is recomputed


def test_recomputing_gives_the_same_numbers(world):
    def snapshot():
        return [
            list(model.objects.order_by("pk").values(*fields))
            for model, fields in [
                (HourlyTotals, ["period_start", "events", "model_impressions", "signups"]),
                (DailyTotals, ["period_start", "events", "author_gini", "homogenisation"]),
                (HourlyArmEngagement, ["period_start", "arm", *ARM_FIELDS]),
                (DailyArmEngagement, ["period_start", "arm", *ARM_FIELDS]),
                (HourlyVersionImpressions, ["period_start", "model_version", "impressions"]),
            ]
        ]

    def run():
        rollups.rollup_range(rollups.HOURLY, HOUR_12, HOUR_13, now=EVENING)
        rollups.rollup_range(rollups.DAILY, DAY, DAY, now=EVENING)

    run()
    first = snapshot()
    run()
    assert snapshot() == first  # row for row, in the same order
    assert HourlyTotals.objects.count() == 2 and DailyTotals.objects.count() == 1
    assert HourlyArmEngagement.objects.count() == 5


def test_late_events_are_folded_in_by_the_next_run(world):
    now = HOUR_13 + timedelta(minutes=50)
    rollups.rollup_recent(now=now)
    assert HourlyTotals.objects.get(period_start=HOUR_12).events == 7
    # A beacon from 12:30 arrives at 13:55 (clients batch and retry).
    log(world["cy"], EventKind.IMPRESSION, at(12, 30), post_id=world["p3"].pk, arm="personalised")
    rollups.rollup_recent(now=now + timedelta(minutes=5))
    assert HourlyTotals.objects.get(period_start=HOUR_12).events == 8
    personalised = HourlyArmEngagement.objects.get(period_start=HOUR_12, arm="personalised")
    assert personalised.impressions == 3


def test_events_a_day_late_are_folded_in_by_the_late_run(world, settings):
    settings.ANALYTICS_RECENT_HOURS = 2
    next_morning = DAY + timedelta(days=1, hours=11)
    rollups.rollup_late(now=next_morning)
    assert DailyTotals.objects.get(period_start=DAY).events == 12
    log(world["dee"], EventKind.LIKE, at(13, 7), post_id=world["p3"].pk)
    rollups.rollup_recent(now=next_morning)  # the live run covers only the last hours
    assert HourlyTotals.objects.get(period_start=HOUR_13).events == 5
    rollups.rollup_late(now=next_morning + timedelta(minutes=15))
    assert HourlyTotals.objects.get(period_start=HOUR_13).events == 6
    assert DailyTotals.objects.get(period_start=DAY).events == 13
    chronological = DailyArmEngagement.objects.get(period_start=DAY, arm="chronological")
    assert chronological.likes == 1


def test_periods_past_the_event_retention_are_never_recomputed(world, settings):
    settings.EVENT_RETENTION_DAYS = 30
    now = DAY + timedelta(days=40)
    assert rollups.rollup_range(rollups.DAILY, DAY, DAY + timedelta(days=1), now=now) == 0
    assert not DailyTotals.objects.exists()


def test_empty_periods_are_stored_as_zeros(db):
    rollups.rollup_period(rollups.HOURLY, HOUR_12, now=EVENING)
    rollups.rollup_period(rollups.DAILY, DAY, now=EVENING)
    assert HourlyTotals.objects.get().events == 0
    daily = DailyTotals.objects.get()
    assert (daily.events, daily.author_gini, daily.homogenisation) == (0, 0, 0)
    assert not HourlyArmEngagement.objects.exists()


def test_the_stored_arm_columns_are_exactly_the_engagement_fields():
    from dataclasses import fields

    from analytics.engagement import FOR_YOU_FIELDS, ArmEngagement

    names = {f.name for f in fields(ArmEngagement)} - {"arm"}
    assert names == set(ARM_FIELDS) | set(FOR_YOU_FIELDS)
    for model in (HourlyArmEngagement, DailyArmEngagement):
        stored = {f.name for f in model._meta.get_fields()} - {"id", "period_start", "arm"}
        assert stored == names


def test_the_rollups_run_on_schedules_staff_can_edit():
    from django_celery_beat.models import PeriodicTask

    recent = PeriodicTask.objects.get(task="analytics.rollup_recent")
    late = PeriodicTask.objects.get(task="analytics.rollup_late")
    assert recent.enabled and (recent.interval.every, recent.interval.period) == (1, "minutes")
    assert late.enabled and (late.interval.every, late.interval.period) == (15, "minutes")


def test_the_backfill_command_recomputes_hours_and_days(world, capsys, settings, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: EVENING)
    call_command("rollup", "--days", "1")
    assert "Recomputed 25 hours and 2 days." in capsys.readouterr().out
    assert DailyTotals.objects.get(period_start=DAY).events == 12
    assert HourlyTotals.objects.get(period_start=HOUR_13).events == 5


def test_the_backfill_command_refuses_silly_ranges(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="between 1 and 400"):
        call_command("rollup", "--days", "0")


def test_the_live_run_keeps_todays_daily_figures_current(world):
    """A burst of events: after the next live run (every minute), today's daily row counts
    them as the hourly rows do, so the daily pages agree with the flywheel page."""
    now = HOUR_13 + timedelta(minutes=50)
    rollups.rollup_recent(now=now)
    before = DailyTotals.objects.get(period_start=DAY).events
    for minute in range(20):
        log(world["cy"], EventKind.IMPRESSION, at(13, 30 + minute), post_id=world["p3"].pk,
            arm="personalised")  # fmt: skip
    rollups.rollup_recent(now=now + timedelta(minutes=1))
    today = DailyTotals.objects.get(period_start=DAY)
    assert today.events == before + 20
    hourly = HourlyTotals.objects.filter(period_start__gte=DAY).values_list("events", flat=True)
    assert today.events == sum(hourly)
    daily_arm = DailyArmEngagement.objects.get(period_start=DAY, arm="personalised")
    hourly_arm = HourlyArmEngagement.objects.filter(period_start__gte=DAY, arm="personalised")
    assert daily_arm.impressions == sum(row.impressions for row in hourly_arm)
