"""Builders for the ads tests. No tests live here.

Writers publish the index's new version after their transaction commits; tests run inside
one transaction, so `live()` publishes it by hand once a test's campaigns are in place.
"""

from datetime import timedelta

from django.utils import timezone

from ads import index, services
from ads.models import Campaign


def live():
    """Publish the index (what commit would do) so the next auction sees the campaigns."""
    index.publish()


def campaign_values(**overrides) -> dict:
    """Valid settings for ads.services.campaign_create."""
    today = timezone.localdate()
    values = {
        "name": "Spring sale",
        "objective": Campaign.Objective.TRAFFIC,
        "bid_type": Campaign.BidType.CPC,
        "bid_micros": 500_000,
        "daily_budget_micros": 20_000_000,
        "total_budget_micros": 100_000_000,
        "starts_on": today,
        "ends_on": today + timedelta(days=30),
        "topics": ["jazz"],
        "frequency_cap": 3,
    }
    values.update(overrides)
    return values


def launched(advertiser, staff=None, **overrides) -> Campaign:
    """A campaign made and approved the way people make them: services all the way."""
    campaign = services.campaign_create(advertiser=advertiser, **campaign_values(**overrides))
    creative = services.creative_create(
        campaign=campaign, headline="Fresh vinyl", text="Records for jazz lovers.",
        link="https://example.com/vinyl",
    )  # fmt: skip
    services.campaign_submit(campaign=campaign)
    services.creative_review(creative=creative, reviewer=staff, approve=True)
    campaign.refresh_from_db()
    return campaign
