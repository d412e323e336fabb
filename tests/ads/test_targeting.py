"""Who sees which ad, and why: topics (declared, engaged, on the page, or close in the feed
model), age and region, lookalikes; never hidden advertisers, never past the frequency cap,
never one's own; personalised ads off means the page's topic only."""

from dataclasses import replace
from datetime import datetime, time

import numpy as np
import pytest
from django.utils import timezone

from ads import billing, services
from ads.models import Campaign, CampaignDay, LedgerEntry
from events.models import Event, EventKind
from social import services as social
from tests.ads.helpers import feed_model_with, launched, live, serve
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(db):
    return UserFactory(username="vera", age_bracket="25-34", region="eu")


def post_about(tag: str, author=None):
    author = author or UserFactory()
    return social.post_create(author=author, text=f"Tonight: #{tag}")


def test_a_declared_interest_matches_and_says_so(brand, viewer):
    viewer.interests = ["jazz"]
    viewer.save()
    campaign = launched(brand, topics=["jazz"])
    live()
    [ad] = serve(viewer)
    assert ad.campaign_id == campaign.pk
    assert ad.why == "You see this because you said you are interested in #jazz."
    assert ad.topics == ["jazz"] and ad.advertiser_name == "Northwind"


def test_nobody_interested_sees_nothing(brand, viewer):
    launched(brand, topics=["jazz"])
    live()
    assert serve(viewer) == []


def test_engagement_with_a_topic_matches(brand, viewer):
    social.like_create(user=viewer, post=post_about("jazz"))
    launched(brand, topics=["jazz"])
    live()
    [ad] = serve(viewer)
    assert ad.why == "You see this because you engage with posts about #jazz."


def test_the_page_being_read_matches(brand, viewer):
    launched(brand, topics=["jazz"])
    live()
    [ad] = serve(viewer, context=[post_about("jazz")])
    assert ad.why == "You see this because you are reading posts about #jazz."


def test_the_feed_model_finds_people_whose_taste_is_close(brand, viewer):
    jazz, soup = post_about("jazz"), post_about("soup")
    stranger = UserFactory()
    feed_model_with(
        {viewer.pk: [0.9, 0.1], stranger.pk: [0.05, 1.0]},
        {jazz.pk: [1.0, 0.0], soup.pk: [0.0, 1.0]},
    )
    launched(brand, topics=["jazz"])
    live()
    [ad] = serve(viewer)
    assert ad.why == "You see this because people with your taste like posts about #jazz."
    assert serve(stranger) == []


def test_age_and_region_targeting(brand, viewer):
    launched(brand, topics=[], age_brackets=["25-34"], regions=["eu"])
    live()
    [ad] = serve(viewer)
    assert ad.why == "You see this because you are 25-34 and you are in Europe."
    assert serve(UserFactory(age_bracket="18-24", region="eu")) == []
    assert serve(UserFactory(age_bracket="25-34", region="na")) == []
    assert serve(UserFactory()) == []  # undisclosed: only untargeted campaigns


def test_an_untargeted_campaign_reaches_everyone_and_says_so(brand, viewer):
    launched(brand, topics=[])
    live()
    [ad] = serve(viewer)
    assert ad.why == "You see this because Northwind shows it to everyone on Flywheel."


def test_lookalike_reaches_people_who_engage_with_the_advertisers_posts(brand, viewer):
    social.like_create(user=viewer, post=post_about("news", author=brand.user))
    launched(brand, topics=[], lookalike=True)
    live()
    [ad] = serve(viewer)
    assert ad.why == "You see this because you engaged with Northwind's posts."
    assert serve(UserFactory(age_bracket="25-34")) == []


class TestPersonalisedAdsOff:
    """Contextual only: the topic of the surrounding feed, nothing about the person."""

    @pytest.fixture
    def private(self, viewer):
        viewer.personalised_ads = False
        viewer.interests = ["jazz"]
        viewer.save()
        social.like_create(user=viewer, post=post_about("jazz"))
        return viewer

    def test_interests_history_and_profile_are_not_used(self, brand, private):
        launched(brand, topics=["jazz"])
        launched(brand, topics=[], age_brackets=["25-34"], name="By age")
        launched(brand, topics=[], lookalike=True, name="Lookalike")
        live()
        assert serve(private) == []

    def test_the_topic_of_the_page_is(self, brand, private):
        campaign = launched(brand, topics=["jazz"])
        live()
        [ad] = serve(private, context=[post_about("jazz")])
        assert ad.campaign_id == campaign.pk
        assert ad.why == (
            "You see this because it is about #jazz, like the posts you are reading. "
            "Your ads are not personalised, as you chose."
        )

    def test_a_campaign_that_needs_personal_data_never_reaches_them(self, brand, private):
        launched(brand, topics=["jazz"], regions=["eu"])
        live()
        assert serve(private, context=[post_about("jazz")]) == []

    def test_the_click_prediction_ignores_them_too(self, brand, private):
        from ads import targeter, targeting
        from ads.index import current_index

        launched(brand, topics=["jazz"])
        live()
        index = current_index(timezone.localdate())
        audience = targeting.audience_for(
            private, index=index, context_post_ids=[post_about("jazz").pk]
        )
        matches = targeting.match(index, audience)
        assert audience.interests == frozenset() and audience.engaged == frozenset()
        prediction = targeter.predict(index, [0], audience, matches)
        assert prediction.p_click[0] == pytest.approx(0.02)  # the prior, nothing personal


def test_a_hidden_advertiser_is_never_shown(brand, viewer):
    launched(brand, topics=[])
    live()
    services.advertiser_hide(person=viewer, advertiser_id=brand.pk)
    assert serve(viewer) == []


def test_advertisers_do_not_see_their_own_ads(brand):
    launched(brand, topics=[])
    live()
    assert serve(brand.user) == []


def test_the_frequency_cap_counts_the_day(brand, viewer):
    launched(brand, topics=[], frequency_cap=2)
    live()
    assert len(serve(viewer)) == 1
    assert len(serve(viewer)) == 1
    assert serve(viewer) == []
    assert Event.objects.filter(kind=EventKind.AD_IMPRESSION, user=viewer).count() == 2


def test_one_ad_per_advertiser_per_page(brand, rival, viewer):
    launched(brand, topics=[], name="One")
    launched(brand, topics=[], name="Two")
    live()
    assert len(serve(viewer, slots=(5, 11, 17))) == 1
    launched(rival, topics=[])
    live()
    served = serve(viewer, slots=(5, 11, 17))
    assert sorted(ad.advertiser_name for ad in served) == ["Northwind", "Rival Goods"]
    assert [ad.position for ad in served] == [5, 11]


def test_a_paused_campaign_stops_at_once_even_before_the_index_moves(brand, viewer):
    campaign = launched(brand, topics=[])
    live()
    assert serve(viewer)
    services.campaign_pause(campaign=campaign)  # its new index version waits for the commit
    assert serve(UserFactory()) == []


def test_bids_below_the_reserve_never_serve(brand, viewer, settings):
    launched(brand, topics=[], bid_micros=10_000)  # $0.01 a click at 2%: $0.20 eCPM
    live()
    assert serve(viewer) == []
    settings.ADS_RESERVE_ECPM_MICROS = 100_000
    assert len(serve(viewer)) == 1


def test_pacing_holds_back_a_campaign_ahead_of_the_clock(brand, viewer):
    campaign = launched(brand, topics=[], bid_micros=1_000_000, daily_budget_micros=24_000_000)
    live()
    early = datetime.combine(timezone.localdate(), time(2), tzinfo=timezone.get_current_timezone())
    CampaignDay.objects.create(campaign=campaign, day=timezone.localdate(), spent_micros=5_000_000)
    assert serve(viewer, now=early) == []  # $5 by 2 a.m. is ahead of $2 + slack
    later = early.replace(hour=6)
    assert len(serve(viewer, now=later)) == 1


def test_recording_an_impression(brand, viewer):
    cpm = launched(brand, topics=[], bid_type="cpm", bid_micros=4_000_000, name="Reach")
    live()
    [ad] = serve(viewer, slots=(11,), arm="diverse", model_version=7)
    event = Event.objects.get(kind=EventKind.AD_IMPRESSION)
    assert (event.user, event.campaign_id, event.surface) == (viewer, cpm.pk, "home")
    assert (event.position, event.arm, event.model_version) == (11, "diverse", 7)
    [entry] = LedgerEntry.objects.all()
    cpm.refresh_from_db()
    # Alone in the auction it pays the reserve: $0.50 per thousand, 500 micros an impression.
    assert entry.kind == "impression" and entry.amount_micros == 500 == cpm.spent_micros
    assert entry.person == viewer and entry.creative_id == ad.creative_id


def test_a_cpc_impression_is_counted_not_charged(brand, viewer):
    campaign = launched(brand, topics=[])
    live()
    serve(viewer)
    assert not LedgerEntry.objects.exists()
    assert campaign.days.get().impressions == 1


@pytest.fixture
def stale_budgets(monkeypatch):
    """The budgets read a moment earlier still showed money left in every campaign."""
    budgets = billing.live_budgets

    def stale(ids, today):
        found = budgets(ids, today)
        return replace(found, left_total=np.full_like(found.left_total, 10**9))

    monkeypatch.setattr(billing, "live_budgets", stale)


def test_when_the_database_refuses_the_charge_the_next_campaign_wins(
    brand, rival, viewer, stale_budgets
):
    rich = launched(brand, topics=[], bid_type="cpm", bid_micros=9_000_000, name="Rich")
    launched(rival, topics=[], bid_type="cpm", bid_micros=2_000_000)
    live()
    # Another process spent Rich's last cent a moment ago: the index still has it.
    Campaign.objects.filter(pk=rich.pk).update(spent_micros=rich.total_budget_micros - 100)
    [ad] = serve(viewer)
    assert ad.advertiser_name == "Rival Goods"
    rich.refresh_from_db()
    assert rich.spent_micros == rich.total_budget_micros - 100


def test_a_refused_charge_leaves_the_advertisers_other_campaigns_in(brand, viewer, stale_budgets):
    rich = launched(brand, topics=[], bid_type="cpm", bid_micros=9_000_000, name="Rich")
    other = launched(brand, topics=[], bid_type="cpm", bid_micros=2_000_000, name="Other")
    live()
    Campaign.objects.filter(pk=rich.pk).update(spent_micros=rich.total_budget_micros - 100)
    ads = serve(viewer, slots=(3, 9))
    # One ad per advertiser a page: Rich won the first slot, was refused, and Northwind's
    # other campaign took the slot instead; the second slot stays empty.
    assert [(ad.position, ad.campaign_id) for ad in ads] == [(3, other.pk)]
    assert Event.objects.filter(kind=EventKind.AD_IMPRESSION).count() == 1
    assert Event.objects.get(kind=EventKind.AD_SLOTS).result_count == 2
    assert LedgerEntry.objects.get().campaign_id == other.pk


def test_no_campaign_no_query(viewer, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert serve(viewer) == []
    assert not Event.objects.filter(kind=EventKind.AD_SLOTS).exists()  # no inventory to fill


def test_a_slot_no_campaign_may_fill_is_counted(brand, viewer):
    launched(brand, topics=["chess"])  # vera never said or did anything about chess
    live()
    assert serve(viewer, slots=(5, 11)) == []
    assert Event.objects.get(kind=EventKind.AD_SLOTS, user=viewer).result_count == 2
