"""The pages agree: after a burst of events (impressions, likes, clicks, posts, ads charged)
and the live rollup run as beat runs it (the `analytics.rollup_recent` task, every minute),
the flywheel page and today's detail pages (engagement, stakeholders, models, ads "today")
show the same numbers, rather than the daily pages lagging until the late run.

The burst is all in the current hour of today, after a quiet morning, so the flywheel's last
60 minutes and today hold the same events."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from ads.models import LedgerEntry
from analytics import tasks
from events.models import Event, EventKind
from tests.analytics.loop_world import ad_campaigns
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PEOPLE, PER_PERSON = 6, 5
MODEL_VERSION = 41


@pytest.fixture
def now(monkeypatch):
    """Twenty to one today: the current hour began 40 minutes ago."""
    moment = timezone.make_aware(datetime.combine(timezone.localdate(), time(12, 40)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def burst(now):
    people = User.objects.bulk_create(
        User(username=f"reader{n}", password="!") for n in range(PEOPLE)
    )
    campaign = ad_campaigns(prefix="burst-advertiser")[0]
    events, charges = [], []
    for n, person in enumerate(people):
        arm, placed = ("personalised", MODEL_VERSION) if n % 2 else ("chronological", None)
        for step in range(PER_PERSON):
            at = now - timedelta(minutes=30) + timedelta(minutes=step, seconds=n)
            common = {"user": person, "post_id": 100 + step, "created_at": at, "surface": "home"}
            events.append(Event(kind=EventKind.IMPRESSION, arm=arm, model_version=placed,
                                **common))  # fmt: skip
            events.append(Event(kind=EventKind.DWELL, dwell_ms=2000, **common))
            if step % 2 == 0:
                events.append(Event(kind=EventKind.LIKE, **common))
        events.append(Event(kind=EventKind.CLICK, user=person, post_id=100, surface="home",
                            created_at=now - timedelta(minutes=5)))  # fmt: skip
        shown_at = now - timedelta(minutes=3)
        events.append(Event(kind=EventKind.AD_IMPRESSION, user=person, surface="home",
                            campaign_id=campaign.pk, created_at=shown_at))  # fmt: skip
        charges.append(LedgerEntry(campaign=campaign, kind="impression", amount_micros=40_000,
                                   person=person, created_at=shown_at))  # fmt: skip
    events.append(Event(kind=EventKind.AD_CLICK, user=people[0], campaign_id=campaign.pk,
                        created_at=now - timedelta(minutes=2)))  # fmt: skip
    charges.append(LedgerEntry(campaign=campaign, kind="click", amount_micros=500_000,
                               created_at=now - timedelta(minutes=2)))  # fmt: skip
    for n in range(3):
        events.append(Event(kind=EventKind.POST, user=people[n], post_id=200 + n,
                            created_at=now - timedelta(minutes=10 + n)))  # fmt: skip
    Event.objects.bulk_create(events)
    LedgerEntry.objects.bulk_create(charges)
    return {"events": len(events), "revenue": (PEOPLE * 40_000 + 500_000) / 1_000_000}


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(username="boss", is_staff=True))
    return client


def page(staff, url):
    response = staff.get(url)
    assert response.status_code == 200, url
    return response.context


def figures(report) -> dict:
    return {figure.label: figure.value for figure in report.figures}


def test_the_flywheel_and_todays_pages_show_the_same_numbers(staff, burst):
    tasks.rollup_recent.apply().get()  # the live run, as beat sends it

    wheel = {stage.key: stage for stage in page(staff, "/staff/flywheel/")["wheel"].stages}
    engagement = page(staff, "/staff/analytics/engagement/")["report"]
    stakeholders = page(staff, "/staff/analytics/stakeholders/?days=1")["report"]
    models = figures(page(staff, "/staff/analytics/models/")["report"])
    ads = figures(page(staff, "/staff/analytics/ads/?days=1")["report"])

    impressions = PEOPLE * PER_PERSON
    reactions = PEOPLE * 3 + PEOPLE  # likes on steps 0, 2, 4; one click each
    # Data collected: every event of the burst, on the flywheel (last hour) and today.
    assert wheel["collect"].value == burst["events"]
    today = engagement.table("growth").rows[-1]
    assert today["events"] == burst["events"]
    assert today["people"] == PEOPLE
    assert f"{PEOPLE:,} people active this hour" in wheel["collect"].details[0]
    # Personalisation: the share of impressions a model placed.
    assert wheel["personalise"].value == pytest.approx(1 / 2)
    assert models["Impressions placed by a model"] == pytest.approx(wheel["personalise"].value)
    # Engagement: reactions per impression, and the posts written.
    engaged = figures(engagement)
    assert engaged["Impressions"] == impressions
    assert wheel["engage"].value == pytest.approx(reactions / impressions)
    assert engaged["Engagements per impression"] == pytest.approx(wheel["engage"].value)
    assert wheel["create"].value == engaged["Posts"] == 3
    # Revenue: what the ledger booked, the same on the flywheel, the ads and stakeholders.
    assert wheel["revenue"].value == pytest.approx(burst["revenue"])
    assert ads["Revenue"] == pytest.approx(burst["revenue"])
    assert ads["Ad impressions"] == PEOPLE
    assert f"{burst['revenue']:.2f} in 24 hours" in wheel["revenue"].details[0]
    measures = {
        m.key: m for group in stakeholders.sections for m in (*group.upside, *group.downside)
    }
    assert measures["revenue"].value == pytest.approx(burst["revenue"])
    assert measures["likes_per_impression"].value == pytest.approx(PEOPLE * 3 / impressions)
    assert measures["ctr"].value == pytest.approx(ads["Click-through rate"])


def test_the_daily_pages_follow_the_next_burst_at_the_next_live_run(staff, burst, now):
    tasks.rollup_recent.apply().get()
    person = User.objects.get(username="reader0")
    Event.objects.bulk_create(
        Event(kind=EventKind.IMPRESSION, user=person, post_id=300 + n, surface="home",
              arm="chronological", created_at=now - timedelta(seconds=30 - n))
        for n in range(10)
    )  # fmt: skip
    tasks.rollup_recent.apply().get()
    engaged = figures(page(staff, "/staff/analytics/engagement/")["report"])
    assert engaged["Impressions"] == PEOPLE * PER_PERSON + 10
    wheel = {stage.key: stage for stage in page(staff, "/staff/flywheel/")["wheel"].stages}
    assert wheel["collect"].value == burst["events"] + 10
