"""Seeding advertisers and live campaigns across topics, through the normal services; safe
to re-run."""

import pytest

from ads.models import Advertiser, Campaign, Creative
from ads.seeding import seed_campaigns
from tests.ads.helpers import live, serve
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOPICS = [("jazz", ["jazz", "vinyl"]), ("home cooking", ["cooking"]), ("running", ["running"])]


def test_seeding_makes_live_campaigns_across_topics():
    steps = []
    report = seed_campaigns(
        topics=TOPICS, advertisers=4, seed=1, progress=lambda *s: steps.append(s)
    )
    assert report == {
        "advertisers_created": 4,
        "advertisers_existing": 0,
        "campaigns_created": 8,
        "campaigns_existing": 0,
    }
    assert steps[0] == ("advertisers", 0, 4) and steps[-1] == ("advertisers", 4, 4)
    assert Advertiser.objects.count() == 4
    assert set(Campaign.objects.values_list("state", flat=True)) == {"active"}
    assert set(Creative.objects.values_list("review_state", flat=True)) == {"approved"}
    first = Advertiser.objects.get(user__username="advertiser01")
    assert first.name == "Jazz Supply Co."
    for campaign in first.campaigns.all():
        assert sorted(campaign.topics.values_list("name", flat=True)) == ["jazz", "vinyl"]
    fourth = Advertiser.objects.get(user__username="advertiser04")
    assert set(fourth.campaigns.values_list("bid_type", flat=True)) == {"cpc", "cpm"}
    bids = set(Campaign.objects.values_list("bid_micros", flat=True))
    assert len(bids) == 8  # varied
    for campaign in Campaign.objects.all():
        assert campaign.daily_budget_micros >= campaign.bid_micros
        assert campaign.total_budget_micros >= campaign.daily_budget_micros


def test_seeding_again_adds_only_what_is_missing():
    seed_campaigns(topics=TOPICS, advertisers=2, seed=1)
    Campaign.objects.filter(name="Jazz (reach)").delete()
    report = seed_campaigns(topics=TOPICS, advertisers=3, seed=1)
    assert report == {
        "advertisers_created": 1,
        "advertisers_existing": 2,
        "campaigns_created": 3,
        "campaigns_existing": 3,
    }
    assert Campaign.objects.count() == 6


def test_seeded_campaigns_reach_people_who_like_their_topic():
    seed_campaigns(topics=TOPICS, advertisers=3, seed=1)
    live()
    runner = UserFactory(interests=["running"])
    served = serve(runner, slots=(5, 11, 17))
    assert served and {ad.topics[0] for ad in served} == {"running"}


def test_seeding_needs_topics():
    with pytest.raises(ValueError, match="at least one"):
        seed_campaigns(topics=[])
