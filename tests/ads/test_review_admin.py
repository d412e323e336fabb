"""Staff review ads in the admin: approve, or reject with a reason the advertiser sees. The
ledger is read-only there: money moves only through billing."""

import pytest
from django.urls import reverse

from ads import services
from ads.models import Campaign, Creative, LedgerEntry
from tests.ads.helpers import campaign_values

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:ads_creative_changelist"


@pytest.fixture
def in_review(brand):
    campaign = services.campaign_create(advertiser=brand, **campaign_values())
    creatives = [
        services.creative_create(
            campaign=campaign, headline=f"Ad {n}", text="Buy", link="https://example.com"
        )
        for n in range(2)
    ]
    services.campaign_submit(campaign=campaign)
    return campaign, creatives


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_queue_shows_what_waits(staff_client, in_review):
    page = staff_client.get(reverse(CHANGELIST), {"review_state__exact": "pending"})
    html = page.content.decode()
    assert page.status_code == 200 and "Ad 0" in html and "Ad 1" in html and "Northwind" in html


def test_approving_starts_the_campaign(staff_client, staff_user, in_review):
    campaign, creatives = in_review
    response = staff_client.post(
        reverse(CHANGELIST), {"action": "approve", "_selected_action": [creatives[0].pk]}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    creatives[0].refresh_from_db()
    assert campaign.state == Campaign.State.ACTIVE
    assert creatives[0].review_state == "approved" and creatives[0].reviewed_by == staff_user


def test_rejecting_asks_for_a_reason_the_advertiser_sees(staff_client, in_review, client):
    campaign, creatives = in_review
    ids = [c.pk for c in creatives]
    page = staff_client.post(reverse(CHANGELIST), {"action": "reject", "_selected_action": ids})
    assert page.status_code == 200 and "Reject 2 ads" in page.content.decode()
    empty = staff_client.post(
        reverse(CHANGELIST),
        {"action": "reject", "_selected_action": ids, "apply": "1", "reason": ""},
    )
    assert "Say why: the advertiser sees this reason." in empty.content.decode()
    assert not Creative.objects.filter(review_state="rejected").exists()
    staff_client.post(
        reverse(CHANGELIST),
        {"action": "reject", "_selected_action": ids, "apply": "1", "reason": "No claims."},
    )
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.REJECTED
    assert set(Creative.objects.values_list("review_reason", flat=True)) == {"No claims."}


def test_reviewing_one_ad_on_its_page(staff_client, in_review):
    campaign, creatives = in_review
    url = reverse("admin:ads_creative_change", args=[creatives[1].pk])
    page = staff_client.get(url).content.decode()
    assert "Ad 1" in page and "https://example.com" in page
    refused = staff_client.post(url, {"review_state": "rejected", "review_reason": ""})
    assert "Say why" in refused.content.decode()
    staff_client.post(url, {"review_state": "approved", "review_reason": ""})
    creatives[1].refresh_from_db()
    campaign.refresh_from_db()
    assert creatives[1].review_state == "approved" and campaign.state == Campaign.State.ACTIVE


def test_people_who_are_not_staff_cannot_review(client, user, in_review):
    _, creatives = in_review
    client.force_login(user)
    response = client.post(
        reverse(CHANGELIST), {"action": "approve", "_selected_action": [creatives[0].pk]}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Creative.objects.filter(review_state="approved").count() == 0


def test_money_is_read_only_in_the_admin(staff_client, brand):
    from tests.ads.helpers import launched

    campaign = launched(brand)
    LedgerEntry.objects.create(
        campaign=campaign, kind="click", amount_micros=10, created_at=campaign.created_at
    )
    assert staff_client.get(reverse("admin:ads_ledgerentry_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:ads_ledgerentry_add")).status_code == 403
    page = staff_client.get(reverse("admin:ads_campaign_change", args=[campaign.pk]))
    assert page.status_code == 200 and 'name="spent_micros"' not in page.content.decode()


def test_ads_waiting_for_review_come_first(staff_client, brand, in_review):
    """Without a filter, the reviewer still sees what waits at the top of both lists."""
    first = in_review[1][0]
    Creative.objects.filter(pk=first.pk).update(review_state=Creative.Review.APPROVED)
    later = services.campaign_create(advertiser=brand, **campaign_values(name="Later sale"))
    services.creative_create(
        campaign=later, headline="Ad 2", text="Buy", link="https://example.com"
    )
    services.campaign_submit(campaign=later)
    drafts = services.campaign_create(advertiser=brand, **campaign_values(name="Draft sale"))
    html = staff_client.get(reverse(CHANGELIST)).content.decode()
    assert html.index("Ad 1") < html.index("Ad 2") < html.index("Ad 0")

    Campaign.objects.filter(pk=drafts.pk).update(created_at="2020-01-01T00:00Z")
    html = staff_client.get(reverse("admin:ads_campaign_changelist")).content.decode()
    assert html.index("Spring sale") < html.index("Later sale") < html.index("Draft sale")
