"""The advertiser console: becoming an advertiser, campaigns and ads with clear validation,
pause and resume with htmx, reports as a table and a chart. Only one's own campaigns."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ads.models import Advertiser, Campaign, CampaignDay, Creative
from tests.ads.helpers import launched
from tests.factories import UserFactory
from tests.social.factories import image_upload

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def form_values(**overrides) -> dict:
    today = timezone.localdate()
    values = {
        "name": "Vinyl week",
        "objective": "traffic",
        "bid_type": "cpc",
        "bid": "0.50",
        "daily_budget": "20",
        "total_budget": "100",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=7)).isoformat(),
        "topics": "#jazz, #vinyl",
        "age_brackets": ["25-34"],
        "frequency_cap": "3",
    }
    values.update(overrides)
    return values


@pytest.fixture
def owner_client(client, brand):
    client.force_login(brand.user)
    return client


def test_anonymous_people_are_sent_to_log_in(client, brand):
    campaign = launched(brand)
    for url in (
        reverse("ads:console"),
        reverse("ads:campaign_create"),
        reverse("ads:campaign", args=[campaign.pk]),
        reverse("ads:campaign_edit", args=[campaign.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("ads:pause", args=[campaign.pk]), **HTMX)
    assert "/accounts/login/" in response["HX-Redirect"]


def test_anyone_can_become_an_advertiser(client, user):
    client.force_login(user)
    page = client.get(reverse("ads:console")).content.decode()
    assert "Become an advertiser" in page
    response = client.post(reverse("ads:console"), {"name": "", "billing_email": "nope"})
    html = response.content.decode()
    assert "Give the name people will see on your ads." in html
    assert "That does not look like an e-mail address." in html
    response = client.post(
        reverse("ads:console"), {"name": "Ana's Bakery", "billing_email": "ana@example.com"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("ads:campaign_create")
    assert Advertiser.objects.get(user=user).name == "Ana's Bakery"


def test_creating_a_campaign_from_the_form(owner_client, brand):
    response = owner_client.post(reverse("ads:campaign_create"), form_values())
    campaign = Campaign.objects.get(advertiser=brand)
    assert response.status_code == 302
    assert response["Location"] == reverse("ads:creative_create", args=[campaign.pk])
    assert (campaign.bid_micros, campaign.daily_budget_micros) == (500_000, 20_000_000)
    assert campaign.state == "draft" and campaign.age_brackets == ["25-34"]
    assert sorted(campaign.topics.values_list("name", flat=True)) == ["jazz", "vinyl"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bid": "0"}, "The bid must be more than zero."),
        ({"bid": "-1"}, "The bid must be more than zero."),
        ({"daily_budget": "0"}, "The daily budget must be more than zero."),
        ({"daily_budget": "0.20"}, "The daily budget must cover at least one bid ($0.50)."),
        ({"total_budget": "5"}, "The total budget must cover at least one day."),
        ({"ends_on": "2001-01-01", "starts_on": "2001-02-01"}, "must end on or after the day"),
        ({"bid": "abc"}, "Give an amount such as 12.50."),
        ({"name": ""}, "Name the campaign."),
    ],
)
def test_bad_input_is_shown_on_the_form(owner_client, overrides, message):
    response = owner_client.post(reverse("ads:campaign_create"), form_values(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Campaign.objects.exists()


def test_someone_elses_campaign_does_not_exist_for_you(client, brand, staff_user):
    campaign = launched(brand)
    creative = campaign.creatives.get()
    for person in (UserFactory(username="mallory"), staff_user):
        client.force_login(person)
        for url in (
            reverse("ads:campaign", args=[campaign.pk]),
            reverse("ads:campaign_edit", args=[campaign.pk]),
            reverse("ads:creative_create", args=[campaign.pk]),
            reverse("ads:creative_edit", args=[creative.pk]),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("ads:pause", args=[campaign.pk])).status_code == 404
        assert (
            client.post(reverse("ads:campaign_edit", args=[campaign.pk]), form_values()).status_code
            == 404
        )
    campaign.refresh_from_db()
    assert campaign.state == "active" and campaign.name == "Spring sale"


def test_the_console_lists_only_your_campaigns(owner_client, brand, rival):
    launched(brand, name="Mine")
    launched(rival, name="Theirs")
    page = owner_client.get(reverse("ads:console")).content.decode()
    assert "Mine" in page and "Theirs" not in page


def test_editing_a_campaign(owner_client, brand):
    campaign = launched(brand)
    page = owner_client.get(reverse("ads:campaign_edit", args=[campaign.pk])).content.decode()
    assert 'value="0.5"' in page and "#jazz" in page
    response = owner_client.post(
        reverse("ads:campaign_edit", args=[campaign.pk]), form_values(name="Renamed", bid="0.75")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed" and campaign.bid_micros == 750_000
    assert campaign.state == "active"  # settings do not need a new review


def test_ads_are_added_with_a_picture_and_edits_go_back_to_review(owner_client, brand):
    campaign = launched(brand)
    bad = owner_client.post(
        reverse("ads:creative_create", args=[campaign.pk]),
        {"headline": "", "text": "x", "link": "javascript:alert(1)"},
    )
    html = bad.content.decode()
    assert "Write a headline." in html and "starting with https://" in html
    response = owner_client.post(
        reverse("ads:creative_create", args=[campaign.pk]),
        {
            "headline": "Now with pictures",
            "text": "Look",
            "link": "https://example.com/p",
            "image": image_upload(),
        },
    )
    assert response.status_code == 302
    creative = Creative.objects.get(headline="Now with pictures")
    assert creative.review_state == "pending" and creative.image
    approved = campaign.creatives.get(review_state="approved")
    owner_client.post(
        reverse("ads:creative_edit", args=[approved.pk]),
        {"headline": "Changed", "text": "Records", "link": "https://example.com/v"},
    )
    approved.refresh_from_db()
    assert approved.review_state == "pending" and approved.headline == "Changed"


def test_pause_resume_and_submit_with_htmx(owner_client, brand):
    campaign = launched(brand)
    response = owner_client.post(reverse("ads:pause", args=[campaign.pk]), **HTMX)
    html = response.content.decode()
    assert "Paused" in html and reverse("ads:resume", args=[campaign.pk]) in html
    assert "<html" not in html  # the header fragment only
    response = owner_client.post(reverse("ads:resume", args=[campaign.pk]), **HTMX)
    assert "ads-state--active" in response.content.decode()
    response = owner_client.post(reverse("ads:submit", args=[campaign.pk]), **HTMX)
    assert "Only a draft or rejected campaign can be sent for review" in response.content.decode()
    response = owner_client.post(reverse("ads:pause", args=[campaign.pk]))  # without htmx
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == "paused"


def test_the_report_is_a_table_and_charts(owner_client, brand):
    campaign = launched(brand)
    today = timezone.localdate()
    CampaignDay.objects.create(
        campaign=campaign, day=today, impressions=2000, clicks=50, spent_micros=12_500_000
    )
    CampaignDay.objects.create(
        campaign=campaign, day=today - timedelta(days=1), impressions=1000, clicks=10
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_on=today - timedelta(days=3), spent_micros=12_500_000
    )
    page = owner_client.get(reverse("ads:campaign", args=[campaign.pk])).content.decode()
    assert 'id="report-table"' in page
    assert "2.5%" in page  # CTR today
    assert "$12.50" in page and "$6.25" in page  # spend, eCPM
    assert "$87.50" in page  # budget left
    assert page.count("<svg") >= 4 and "Spend per day" in page and "Click-through rate" in page
    fragment = owner_client.get(
        reverse("ads:campaign", args=[campaign.pk]),
        {"start": today.isoformat(), "end": today.isoformat()},
        **HTMX,
    ).content.decode()
    assert "<html" not in fragment and fragment.count("<tr>") == 3  # head, one day, total
    bad = owner_client.get(reverse("ads:campaign", args=[campaign.pk]), {"start": "soon"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()


def test_the_rejection_reason_reaches_the_advertiser(owner_client, brand, staff_user):
    from ads import services

    campaign = launched(brand)
    creative = campaign.creatives.get()
    services.creative_review(
        creative=creative, reviewer=staff_user, approve=False, reason="The link is broken."
    )
    page = owner_client.get(reverse("ads:campaign", args=[campaign.pk])).content.decode()
    assert "Reason: The link is broken." in page


def test_console_pages_cost_a_fixed_number_of_queries(
    owner_client, brand, django_assert_max_num_queries
):
    for n in range(3):
        launched(brand, name=f"C{n}")
    with django_assert_max_num_queries(8) as few:
        owner_client.get(reverse("ads:console"))
    for n in range(3, 12):
        launched(brand, name=f"C{n}")
    with django_assert_max_num_queries(8) as many:
        owner_client.get(reverse("ads:console"))
    assert len(few) == len(many)
    campaign = Campaign.objects.filter(advertiser=brand).first()
    with django_assert_max_num_queries(10):
        owner_client.get(reverse("ads:campaign", args=[campaign.pk]))
