"""The figures behind the dashboards against numbers worked out by hand: the flywheel's last
60 minutes, the experiment's intervals and lifts, the stakeholder measures, the share of
impressions each model placed, and the ads' fill rate."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from analytics import rollups, selectors
from analytics.ads_report import ads_report, fill_rate
from analytics.models import DailyArmEngagement, DailyTotals
from analytics.periods import Period
from analytics.reports import models_report
from analytics.reports_impact import experiments_report, stakeholders_report
from tests.analytics.rollup_world import DAY, EVENING, HOUR_12, HOUR_13, build_world

pytestmark = pytest.mark.django_db
Z = 1.959963984540054


@pytest.fixture
def world(settings):
    settings.ANALYTICS_AUDIENCE_MIN = 2
    made = build_world()
    rollups.rollup_range(rollups.HOURLY, HOUR_12, HOUR_13, now=EVENING)
    rollups.rollup_range(rollups.DAILY, DAY, DAY, now=EVENING)
    return made


def test_the_flywheel_reads_the_last_60_minutes(world):
    # Recompute hour 13 as if it were 13:45: three quarters of it are covered, so a quarter
    # of hour 12 still counts.
    now = HOUR_13 + timedelta(minutes=45)
    rollups.rollup_period(rollups.HOURLY, HOUR_13, now=now)
    wheel = selectors.flywheel(now=now)
    stages = {stage.key: stage for stage in wheel.stages}
    assert stages["collect"].value == pytest.approx(5 + 7 / 4)
    # Impressions: 1 in hour 13, 3 in hour 12 (2 placed by the model): 1.75 and 0.5.
    assert stages["personalise"].value == pytest.approx(0.5 / 1.75)
    # Reactions: dee's click in hour 13, cy's like in hour 12.
    assert stages["engage"].value == pytest.approx(1.25 / 1.75)
    assert stages["create"].value == pytest.approx(1 + 2 / 4)  # posts
    assert wheel.state == "turning"
    assert len(stages["collect"].spark) == 24 and stages["collect"].spark[-2:] == [7, 5]


def test_the_flywheel_says_when_the_rollups_have_stopped(world):
    wheel = selectors.flywheel(now=EVENING + timedelta(hours=3))
    assert wheel.state == "stale"
    assert selectors.flywheel(now=DAY - timedelta(days=3)).state == "empty"


def wilson(successes, n):
    p = successes / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n)) / (1 + Z**2 / n)
    return centre - half, centre + half


@pytest.fixture
def experiment(db):
    today = rollups.DAILY.floor(EVENING)
    DailyTotals.objects.create(period_start=today, computed_at=EVENING)
    for arm, impressions, likes in [
        ("chronological", 1000, 50), ("personalised", 1000, 80), ("opted-out", 500, 40),
    ]:  # fmt: skip
        # On top of For you, 250 impressions and 100 likes on Following (and elsewhere),
        # which must not count for the arm.
        DailyArmEngagement.objects.create(
            period_start=today, arm=arm, people=10, impressions=impressions + 250,
            likes=likes + 100, dwell_ms=impressions * 2000 + 250 * 9000,
            following_impressions=250, for_you_impressions=impressions, for_you_likes=likes,
            for_you_shares=0, for_you_comments=0, for_you_clicks=0,
            for_you_dwell_ms=impressions * 2000,
        )  # fmt: skip
    # A day rolled up before reactions recorded their surface: left out of the rates.
    DailyArmEngagement.objects.create(
        period_start=today - timedelta(days=1), arm="personalised", people=5, impressions=400,
        likes=200,
    )  # fmt: skip
    return Period(days=7, now=EVENING)


def test_each_arm_has_its_wilson_interval(experiment):
    report = experiments_report(experiment)
    arms = {row["arm"]: row for row in report.table("arms").rows}
    assert list(arms) == ["chronological", "opted-out", "personalised"]
    low, high = wilson(50, 1000)
    assert arms["chronological"]["likes"] == pytest.approx(0.05)
    assert arms["chronological"]["likes_low"] == pytest.approx(low)
    assert arms["chronological"]["likes_high"] == pytest.approx(high)
    assert (arms["chronological"]["role"], arms["personalised"]["role"]) == (
        "control", "treatment",
    )  # fmt: skip
    assert arms["opted-out"]["role"] == "self-selected"
    assert arms["personalised"]["dwell"] == pytest.approx(2.0)  # seconds per impression
    assert arms["personalised"]["impressions"] == 1000  # For you only
    assert arms["personalised"]["following_share"] == pytest.approx(250 / 1650)


def test_the_arms_table_says_its_rates_are_for_you_only(experiment):
    arms = experiments_report(experiment).table("arms")
    assert "on For you" in arms.title
    assert arms.note.startswith("For you only")
    assert "Left out: 1 day of an arm rolled up before reactions recorded where" in arms.note


def test_the_lift_against_the_control_and_its_verdict(experiment):
    report = experiments_report(experiment)
    lifts = [r for r in report.table("lifts").rows if r["metric"] == "likes per impression"]
    assert [r["arm"] for r in lifts] == ["personalised"]  # the self-selected arm is never compared
    # Delta method on the log of the ratio of the rates 0.08 / 0.05.
    se = math.sqrt((1 - 0.08) / 80 + (1 - 0.05) / 50)
    low, high = math.exp(math.log(1.6) - Z * se) - 1, math.exp(math.log(1.6) + Z * se) - 1
    assert lifts[0]["lift"] == pytest.approx(0.6)
    assert (lifts[0]["low"], lifts[0]["high"]) == (pytest.approx(low), pytest.approx(high))
    margin = round((high - low) / 2 * 100)
    verdict = f"personalised beats chronological on likes per impression by 60% ± {margin}%."
    assert lifts[0]["verdict"] == verdict
    assert report.sections == [verdict]


def test_the_experiments_page_shows_the_verdict(experiment, client, monkeypatch):
    from django.urls import reverse

    from tests.factories import UserFactory

    monkeypatch.setattr(timezone, "now", lambda: EVENING)
    client.force_login(UserFactory(username="boss", is_staff=True))
    page = client.get(reverse("analytics:experiments")).content.decode()
    assert "personalised beats chronological on likes per impression by 60%" in page


def test_the_stakeholder_measures_of_a_day(world):
    report = stakeholders_report(Period(days=7, now=EVENING, daily_only=True))
    day = report.table("by-day").rows[-1]
    assert day["period_start"] == DAY
    assert day["time_per_person"] == pytest.approx(3.0 / 5)  # 3 s of dwell, 5 active people
    assert day["likes_per_impression"] == pytest.approx(1 / 4)
    assert day["author_gini"] == pytest.approx(0.25)
    assert day["homogenisation"] == pytest.approx(1 / 3)
    assert day["feed_opt_out"] == pytest.approx(1 / 6)
    assert (day["new_creators_reached"], day["churned"], day["new_people"]) == (1, 1, 1)
    groups = {group.key: group for group in report.sections}
    assert list(groups) == ["people", "creators", "advertisers", "platform", "system"]
    assert all(group.upside and group.downside for group in groups.values())
    downside = {m.key: m for m in groups["creators"].downside}
    assert downside["author_gini"].value == pytest.approx(0.25)
    assert downside["author_gini"].higher_is_better is False


def test_the_share_of_impressions_each_version_placed(world):
    report = models_report(Period(days=1, now=HOUR_13 + timedelta(minutes=30)))
    shares = {row["version"]: row for row in report.table("impressions-by-version").rows}
    # Hours 12 and 13: cy's two impressions by v7, dee's two chronological ones.
    assert shares["v7"]["impressions"] == 2 and shares["v7"]["share"] == pytest.approx(0.5)
    assert shares["not placed by a model"]["impressions"] == 2


def day(ads: int, slots: int = 0, posts: int = 0) -> DailyTotals:
    return DailyTotals(home_ad_impressions=ads, home_ad_slots=slots, home_impressions=posts)


def test_fill_rate_is_ads_over_the_slots_served():
    assert fill_rate([day(ads=3, slots=4, posts=40)]) == (pytest.approx(0.75), False)
    assert fill_rate([day(ads=0, slots=6), day(ads=3, slots=6)]) == (pytest.approx(0.25), False)


def test_before_slots_were_counted_it_is_one_slot_per_five_home_posts_and_says_so():
    assert fill_rate([day(ads=1, posts=10)]) == (pytest.approx(0.5), True)
    assert fill_rate([day(ads=9, posts=10)]) == (1.0, True)  # never above full
    # an estimated day and a counted one: 2 + 4 slots, 1 + 2 ads
    assert fill_rate([day(ads=1, posts=10), day(ads=2, slots=4)]) == (pytest.approx(0.5), True)
    assert fill_rate([day(ads=0)]) == (None, False)


def test_a_period_without_inventory_has_nothing_to_fill():
    # No campaign could serve: no slots counted and no ads, however many posts were seen.
    assert fill_rate([day(ads=0, posts=100)]) == (None, False)
    assert fill_rate([day(ads=0, posts=100), day(ads=3, slots=4)]) == (pytest.approx(0.75), False)


def test_the_ads_report_by_campaign_and_advertiser(db):
    from tests.analytics.loop_world import build_loop

    loop = build_loop(days=1, people=10)
    report = ads_report(Period(days=7, now=timezone.now(), daily_only=True))
    campaigns = report.table("by-campaign").rows
    assert {row["campaign"] for row in campaigns} == {c.name for c in loop["campaigns"]}
    for row in campaigns:
        assert row["ecpm"] == pytest.approx(row["spend"] * 1000 / row["impressions"])
        assert row["ctr"] == pytest.approx(row["clicks"] / row["impressions"])
        assert 0 < row["budget_use"] < 1
    advertisers = report.table("by-advertiser").rows
    assert sum(a["spend"] for a in advertisers) == pytest.approx(sum(c["spend"] for c in campaigns))
    figures = {f.label: f.value for f in report.figures}
    assert figures["Revenue"] == pytest.approx(sum(c["spend"] for c in campaigns))
