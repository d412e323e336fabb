"""The ads API: the same rules and the same access as the console, amounts as decimal strings,
every error a 400 with a message on the field, someone else's campaign a 404."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ads.models import Campaign, CampaignDay
from tests.ads.helpers import launched
from tests.factories import UserFactory, sign_in_api
from tests.social.factories import image_upload

pytestmark = pytest.mark.django_db
CAMPAIGNS = "/api/ads/campaigns/"


def api_for(user) -> APIClient:
    client = APIClient()
    sign_in_api(client, user)
    return client


def body(**overrides) -> dict:
    today = timezone.localdate()
    values = {
        "name": "Vinyl week",
        "objective": "traffic",
        "bid_type": "cpc",
        "bid": "0.50",
        "daily_budget": "20.00",
        "total_budget": "100",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=7)).isoformat(),
        "topics": ["#Jazz", "vinyl"],
        "regions": ["eu"],
    }
    values.update(overrides)
    return values


@pytest.fixture
def owner(brand):
    return api_for(brand.user)


def test_becoming_an_advertiser(user):
    api = api_for(user)
    assert APIClient().get("/api/ads/advertiser/").status_code == 401
    assert api.get("/api/ads/advertiser/").status_code == 404
    assert api.post(CAMPAIGNS, body(), format="json").json() == {
        "detail": [
            "Become an advertiser first: POST your name and billing e-mail to /api/ads/advertiser/."
        ]
    }
    response = api.post("/api/ads/advertiser/", {"name": "", "billing_email": "x"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"name", "billing_email"}
    response = api.post(
        "/api/ads/advertiser/", {"name": "Ana's", "billing_email": "a@example.com"}, format="json"
    )
    assert response.status_code == 201 and response.json()["name"] == "Ana's"
    assert (
        api.post(
            "/api/ads/advertiser/",
            {"name": "Again", "billing_email": "a@example.com"},
            format="json",
        ).status_code
        == 400
    )
    assert (
        api.patch("/api/ads/advertiser/", {"name": "Ana's Bakery"}, format="json").json()["name"]
        == "Ana's Bakery"
    )


def test_creating_a_campaign(owner):
    response = owner.post(CAMPAIGNS, body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["bid"] == "0.50" and data["bid_micros"] == 500_000
    assert data["total_budget"] == "100.00" and data["spent"] == "0.00"
    assert data["state"] == "draft" and data["topics"] == ["jazz", "vinyl"]
    assert data["regions"] == ["eu"] and data["budget_left"] == "100.00"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"bid": "0"}, "bid", "The bid must be more than zero."),
        ({"bid": "-0.5"}, "bid", "The bid must be more than zero."),
        ({"daily_budget": "0.10"}, "daily_budget", "must cover at least one bid"),
        ({"total_budget": "-3"}, "total_budget", "The total budget must be more than zero."),
        ({"starts_on": "2031-01-10", "ends_on": "2031-01-09"}, "ends_on", "must end on or after"),
        ({"bid": "lots"}, "bid", "A valid number is required."),
        ({"regions": ["mars"]}, "regions", "Unknown region: mars."),
        ({"topics": ["two words"]}, "topics", "is not a topic"),
        ({"bid_type": "cpa"}, "bid_type", "is not a valid choice"),
    ],
)
def test_bad_input_is_a_400_on_the_field(owner, overrides, field, message):
    response = owner.post(CAMPAIGNS, body(**overrides), format="json")
    assert response.status_code == 400
    errors = response.json()[field]
    flat = errors if isinstance(errors, list) else [str(v) for v in errors.values()]
    assert any(message in str(text) for text in flat), response.json()
    assert not Campaign.objects.exists()


def test_only_your_own_campaigns(owner, brand, rival, staff_user):
    mine = launched(brand, name="Mine")
    theirs = launched(rival, name="Theirs")
    assert [c["name"] for c in owner.get(CAMPAIGNS).json()["results"]] == ["Mine"]
    for client in (api_for(rival.user), api_for(staff_user), api_for(UserFactory())):
        url = f"{CAMPAIGNS}{mine.pk}/"
        assert client.get(url).status_code == 404
        assert client.patch(url, {"name": "x"}, format="json").status_code == 404
        for action in ("submit", "pause", "resume", "report", "creatives"):
            method = client.get if action in ("report", "creatives") else client.post
            assert method(f"{url}{action}/").status_code == 404, action
        assert client.get(f"/api/ads/creatives/{mine.creatives.get().pk}/").status_code == 404
    assert APIClient().get(CAMPAIGNS).status_code == 401
    assert owner.get(f"{CAMPAIGNS}{theirs.pk}/").status_code == 404
    assert owner.get(f"{CAMPAIGNS}abc/").status_code == 404
    mine.refresh_from_db()
    assert mine.name == "Mine" and mine.state == "active"


def test_changing_pausing_and_resuming(owner, brand):
    campaign = launched(brand)
    url = f"{CAMPAIGNS}{campaign.pk}/"
    response = owner.patch(url, {"bid": "0.80", "topics": ["soul"]}, format="json")
    assert response.status_code == 200 and response.json()["bid"] == "0.80"
    assert response.json()["topics"] == ["soul"]
    bad = owner.patch(url, {"daily_budget": "0.10"}, format="json")
    assert bad.status_code == 400 and "daily_budget" in bad.json()
    assert owner.post(f"{url}pause/").json()["state"] == "paused"
    assert owner.post(f"{url}resume/").json()["state"] == "active"
    refused = owner.post(f"{url}submit/")
    assert refused.status_code == 400 and "Only a draft" in refused.json()["detail"][0]


def test_ads_of_a_campaign(owner, brand):
    campaign = launched(brand)
    url = f"{CAMPAIGNS}{campaign.pk}/creatives/"
    assert len(owner.get(url).json()) == 1
    bad = owner.post(url, {"headline": "", "text": "t", "link": "ftp://x"}, format="json")
    assert bad.status_code == 400 and {"headline", "link"} <= set(bad.json())
    response = owner.post(
        url,
        {"headline": "Pictured", "text": "Look", "link": "https://e.com", "image": image_upload()},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["review_state"] == "pending" and created["image_url"].startswith("http://")
    edited = owner.patch(
        f"/api/ads/creatives/{campaign.creatives.first().pk}/", {"text": "New"}, format="json"
    )
    assert edited.status_code == 200
    assert edited.json()["text"] == "New" and edited.json()["review_state"] == "pending"


def test_the_report(owner, brand):
    campaign = launched(brand)
    today = timezone.localdate()
    CampaignDay.objects.create(
        campaign=campaign, day=today, impressions=400, clicks=8, spent_micros=2_000_000
    )
    report = owner.get(f"{CAMPAIGNS}{campaign.pk}/report/").json()
    assert report["campaign"] == campaign.pk and report["end"] == today.isoformat()
    [day] = report["days"]
    assert day == {
        "day": today.isoformat(),
        "impressions": 400,
        "clicks": 8,
        "ctr": 0.02,
        "spent": "2.00",
        "spent_micros": 2_000_000,
        "ecpm": "5.00",
        "budget_left": "98.00",
    }
    bad = owner.get(f"{CAMPAIGNS}{campaign.pk}/report/?start=2026-13-01")
    assert bad.status_code == 400
    reversed_range = owner.get(
        f"{CAMPAIGNS}{campaign.pk}/report/?start={today}&end={today - timedelta(days=1)}"
    )
    assert reversed_range.status_code == 400


def test_the_schema_documents_the_ads_api(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/ads/campaigns/",
        "/api/ads/campaigns/{id}/",
        "/api/ads/campaigns/{id}/report/",
        "/api/ads/campaigns/{id}/creatives/",
        "/api/ads/advertiser/",
        "/api/ads/advertisers/{advertiser_id}/hide/",
    ):
        assert path in paths, path
    timeline = paths["/api/timeline/home/"]["get"]["responses"]["200"]["content"]
    ref = timeline["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "sponsored" in schema["components"]["schemas"][ref]["properties"]


def test_the_ads_api_generates_no_schema_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if any(
            mine in message
            for mine in ("/ads/", "Campaign", "Creative", "Advertiser", "Sponsored", "Home", "Enum")
        )
    ]
    GENERATOR_STATS.reset()
    validate_schema(schema)
    assert problems == []
