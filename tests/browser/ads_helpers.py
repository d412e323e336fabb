"""Builders and fixtures shared by the browser tests that show ads (the fixtures are made
available by conftest.py). No tests live here."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ads import index, services
from ads.models import Campaign
from feeds.models import FeedArm
from social import services as social
from tests.ads.helpers import campaign_values
from tests.factories import UserFactory


def coffee_campaign(advertiser_name: str, **overrides) -> Campaign:
    """A draft #coffee campaign of Nora's advertiser, made through the services as the console
    makes it; `overrides` change the campaign's settings (see campaign_values)."""
    owner = UserFactory(username="nora")
    advertiser = services.advertiser_create(
        user=owner, name=advertiser_name, billing_email="n@example.com"
    )
    values = campaign_values(topics=["coffee"], **overrides)
    return services.campaign_create(advertiser=advertiser, **values)


@pytest.fixture
def fresh_ads_state(settings):
    settings.ADS_SERVING_REFRESH_SECONDS = 0
    index.forget()
    yield
    index.forget()


@pytest.fixture
def feed_with_an_ad(live_server, db, fresh_ads_state):
    """Vera's home, in the chronological arm, with an approved #coffee ad to serve."""
    # Browser tests run after others that empty the tables, arms included: make ours.
    FeedArm.objects.update(weight=0)
    FeedArm.objects.update_or_create(
        name="chronological", defaults={"strategy": FeedArm.Strategy.CHRONOLOGICAL, "weight": 1}
    )
    viewer = UserFactory(username="vera", interests=["coffee"])
    writer = UserFactory(username="wren")
    social.follow_create(follower=viewer, followee=writer)
    for n in range(12):
        social.post_create(author=writer, text=f"Morning notes {n} #coffee")
    ends_on = timezone.localdate() + timedelta(days=10)
    campaign = coffee_campaign("Northwind Coffee", name="Beans", ends_on=ends_on, frequency_cap=5)
    creative = services.creative_create(
        campaign=campaign,
        headline="Roasted this week",
        text="Single-origin beans, delivered fresh.",
        link=f"{live_server.url}/explore/",
    )
    services.campaign_submit(campaign=campaign)
    staff = UserFactory(username="reviewer", is_staff=True)
    services.creative_review(creative=creative, reviewer=staff, approve=True)
    return viewer, campaign
