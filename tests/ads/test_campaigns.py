"""Campaign rules and the campaign's life: validation with a message per field, review,
pause and resume, finishing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ads import services
from ads.models import Advertiser, Campaign, Creative
from tests.ads.helpers import campaign_values, launched
from tests.factories import CampaignFactory, UserFactory

State = Campaign.State
pytestmark = pytest.mark.django_db


def errors_of(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as refused:
        call(**kwargs)
    return refused.value.message_dict


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"bid_micros": 0}, "bid_micros", "The bid must be more than zero."),
        ({"bid_micros": -5}, "bid_micros", "The bid must be more than zero."),
        (
            {"daily_budget_micros": 0},
            "daily_budget_micros",
            "The daily budget must be more than zero.",
        ),
        (
            {"total_budget_micros": -1},
            "total_budget_micros",
            "The total budget must be more than zero.",
        ),
        ({"daily_budget_micros": 400_000}, "daily_budget_micros", "must cover at least one bid"),
        ({"total_budget_micros": 10_000_000}, "total_budget_micros", "must cover at least one day"),
        ({"bid_micros": 5_000}, "bid_micros", "The bid must be at least $0.01."),
        ({"name": "  "}, "name", "Name the campaign."),
        ({"frequency_cap": 0}, "frequency_cap", "between 1 and 50"),
        ({"topics": ["not a tag!"]}, "topics", "is not a topic"),
        ({"age_brackets": ["99+"]}, "age_brackets", "Unknown age bracket: 99+."),
        ({"regions": ["mars"]}, "regions", "Unknown region: mars."),
        ({"bid_type": "cpa"}, "bid_type", "per click or per thousand"),
    ],
)
def test_bad_settings_are_refused_with_a_message_on_the_field(brand, overrides, field, message):
    errors = errors_of(services.campaign_create, advertiser=brand, **campaign_values(**overrides))
    assert any(message in text for text in errors[field]), errors


def test_the_end_comes_after_the_start(brand):
    today = timezone.localdate()
    errors = errors_of(
        services.campaign_create,
        advertiser=brand,
        **campaign_values(starts_on=today + timedelta(days=5), ends_on=today + timedelta(days=4)),
    )
    assert errors["ends_on"] == ["The campaign must end on or after the day it starts."]
    errors = errors_of(
        services.campaign_create,
        advertiser=brand,
        **campaign_values(starts_on=today - timedelta(days=9), ends_on=today - timedelta(days=1)),
    )
    assert errors["ends_on"] == ["The end date has passed: choose today or later."]


def test_a_new_campaign_is_a_draft_with_its_topics(brand):
    campaign = services.campaign_create(
        advertiser=brand, **campaign_values(topics=["#Jazz", "vinyl", "jazz"])
    )
    assert campaign.state == State.DRAFT
    assert sorted(campaign.topics.values_list("name", flat=True)) == ["jazz", "vinyl"]


def test_the_database_also_refuses_impossible_money(brand):
    """Check constraints: even code that skips the services cannot store them."""
    for bad in ({"bid_micros": 0}, {"daily_budget_micros": 1}, {"spent_micros": 10**12}):
        with pytest.raises(IntegrityError), transaction.atomic():
            CampaignFactory(advertiser=brand, creative=False, **bad)


def test_review_flow_from_draft_to_active(brand, staff_user):
    campaign = services.campaign_create(advertiser=brand, **campaign_values())
    with pytest.raises(ValidationError, match="Add an ad"):
        services.campaign_submit(campaign=campaign)
    creative = services.creative_create(
        campaign=campaign, headline="Hi", text="Buy", link="https://example.com"
    )
    assert services.campaign_submit(campaign=campaign).state == State.REVIEW
    services.creative_review(creative=creative, reviewer=staff_user, approve=True)
    campaign.refresh_from_db()
    creative.refresh_from_db()
    assert campaign.state == State.ACTIVE
    assert creative.review_state == Creative.Review.APPROVED and creative.reviewed_by == staff_user


def test_a_rejected_ad_carries_its_reason_and_can_be_fixed(brand, staff_user):
    campaign = services.campaign_create(advertiser=brand, **campaign_values())
    creative = services.creative_create(
        campaign=campaign, headline="Cure all", text="Miracle pills", link="https://example.com"
    )
    services.campaign_submit(campaign=campaign)
    with pytest.raises(ValidationError, match="Say why"):
        services.creative_review(creative=creative, reviewer=staff_user, approve=False)
    services.creative_review(
        creative=creative, reviewer=staff_user, approve=False, reason="Health claims need proof."
    )
    campaign.refresh_from_db()
    assert campaign.state == State.REJECTED
    assert creative.review_reason == "Health claims need proof."
    services.creative_update(creative=creative, text="Vitamins, tested by a lab.")
    creative.refresh_from_db()
    assert creative.review_state == Creative.Review.PENDING and creative.review_reason == ""
    assert services.campaign_submit(campaign=campaign).state == State.REVIEW


def test_only_staff_review(brand):
    campaign = launched(brand)
    creative = campaign.creatives.get()
    with pytest.raises(PermissionDenied):
        services.creative_review(creative=creative, reviewer=brand.user, approve=True)


def test_editing_the_only_approved_ad_sends_the_campaign_back_to_review(brand, staff_user):
    campaign = launched(brand, staff=staff_user)
    assert campaign.state == State.ACTIVE
    services.creative_update(creative=campaign.creatives.get(), headline="Newer")
    campaign.refresh_from_db()
    assert campaign.state == State.REVIEW


def test_pause_and_resume(brand):
    campaign = launched(brand)
    assert services.campaign_pause(campaign=campaign).state == State.PAUSED
    assert services.campaign_pause(campaign=campaign).state == State.PAUSED  # harmless twice
    assert services.campaign_resume(campaign=campaign).state == State.ACTIVE
    draft = services.campaign_create(advertiser=brand, **campaign_values(name="Later"))
    with pytest.raises(ValidationError, match="Only an active campaign can be paused"):
        services.campaign_pause(campaign=draft)
    with pytest.raises(ValidationError, match="Only a paused campaign can be resumed"):
        services.campaign_resume(campaign=draft)


def test_the_total_budget_cannot_go_below_what_was_spent(brand):
    campaign = launched(brand)
    type(campaign).objects.filter(pk=campaign.pk).update(spent_micros=60_000_000)
    errors = errors_of(
        services.campaign_update,
        campaign=campaign,
        total_budget_micros=50_000_000,
        daily_budget_micros=20_000_000,
    )
    assert "has already spent $60.00" in errors["total_budget_micros"][0]
    services.campaign_update(campaign=campaign, total_budget_micros=80_000_000, topics=["soul"])
    campaign.refresh_from_db()
    assert campaign.total_budget_micros == 80_000_000 and campaign.spent_micros == 60_000_000
    assert list(campaign.topics.values_list("name", flat=True)) == ["soul"]


def test_ended_or_spent_campaigns_finish(brand):
    today = timezone.localdate()
    ended = launched(brand, name="Ended")
    Campaign.objects.filter(pk=ended.pk).update(
        starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=1)
    )
    spent = launched(brand, name="Spent")
    Campaign.objects.filter(pk=spent.pk).update(spent_micros=F_total_minus(spent, 100))
    running = launched(brand, name="Running")
    assert services.campaigns_finish_ended() == 2
    states = dict(Campaign.objects.values_list("name", "state"))
    assert states == {"Ended": State.FINISHED, "Spent": State.FINISHED, "Running": State.ACTIVE}
    with pytest.raises(ValidationError, match="has finished"):
        services.campaign_update(campaign=Campaign.objects.get(name="Ended"), name="Again")
    assert running.state == State.ACTIVE


def F_total_minus(campaign, micros):
    return campaign.total_budget_micros - micros


def test_becoming_an_advertiser_once(user):
    advertiser = services.advertiser_create(
        user=user, name=" Ana's Bakery ", billing_email="a@b.co"
    )
    assert advertiser.name == "Ana's Bakery"
    with pytest.raises(ValidationError, match="already an advertiser"):
        services.advertiser_create(user=user, name="Again", billing_email="a@b.co")
    errors = errors_of(services.advertiser_create, user=UserFactory(), name="", billing_email="")
    assert set(errors) == {"name", "billing_email"}
    assert Advertiser.objects.count() == 1


def test_hiding_an_advertiser(user, brand):
    services.advertiser_hide(person=user, advertiser_id=brand.pk)
    services.advertiser_hide(person=user, advertiser_id=brand.pk)  # harmless twice
    assert user.hidden_advertisers.count() == 1
    services.advertiser_unhide(person=user, advertiser_id=brand.pk)
    assert user.hidden_advertisers.count() == 0
