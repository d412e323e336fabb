"""Sponsored slots in the home feed, in the API (the contract the bot driver reads) and on the
page: at the same positions for every arm, labelled, explained, clickable and hideable."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from analytics import rollups
from analytics.ads_report import ads_report
from analytics.periods import Period
from events.models import Event, EventKind
from feeds.models import FeedArm
from social import services as social
from tests.ads.helpers import launched, live
from tests.factories import AdvertiserFactory, UserFactory, sign_in_api
from tests.feeds.home_helpers import person, put_everyone_in, write

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
CONTRACT = {
    "position", "campaign_id", "creative_id", "advertiser", "headline", "text", "link",
    "image_url", "topics", "why", "click_url", "hide_url",
}  # fmt: skip


def api_for(user) -> APIClient:
    client = APIClient()
    sign_in_api(client, user)
    return client


def todays_fill_rate():
    """Roll today up as the periodic task does; today's totals, the ads report and its
    fill-rate figure."""
    day = rollups.rollup_period(rollups.DAILY, timezone.now())
    report = ads_report(Period(days=1, now=timezone.now(), daily_only=True))
    return day, report, next(f for f in report.figures if f.label == "Fill rate")


def home_world(posts: int = 30):
    """Vera follows a writer with many posts; three advertisers reach everyone."""
    vera = person("vera")
    writer = person("writer")
    social.follow_create(follower=vera, followee=writer)
    for n in range(posts):
        write(writer, f"note {n} #jazz")
    brands = [UserFactory(username=f"brand{n}") for n in range(3)]
    for n, user in enumerate(brands):
        launched(AdvertiserFactory(user=user, name=f"Brand {n}"), topics=["jazz"], name=f"C{n}")
    live()
    return vera


@pytest.mark.parametrize(
    "strategy", [FeedArm.Strategy.CHRONOLOGICAL, FeedArm.Strategy.PERSONALISED]
)
def test_the_api_lists_sponsored_items_beside_the_posts(strategy):
    put_everyone_in(strategy)
    vera = home_world()
    body = api_for(vera).get("/api/timeline/home/?page_size=20").json()
    assert len(body["results"]) == 20  # results stay posts only
    assert all("campaign_id" not in item for item in body["results"])
    sponsored = body["sponsored"]
    assert [item["position"] for item in sponsored] == [5, 10, 15]  # before every fifth post
    for item in sponsored:
        assert set(item) == CONTRACT
        assert item["advertiser"]["name"].startswith("Brand ")
        assert item["topics"] == ["jazz"]
        assert item["why"].startswith("You see this because")
        assert item["click_url"].startswith("http://testserver/ads/click/")
        assert item["hide_url"] == (
            f"http://testserver/api/ads/advertisers/{item['advertiser']['id']}/hide/"
        )
        assert item["image_url"] is None and item["link"] == "https://example.com/vinyl"
    positions = sorted(
        Event.objects.filter(kind=EventKind.AD_IMPRESSION).values_list("position", flat=True)
    )
    assert positions == [5, 11, 17]  # the slots' places in the feed's layout, every arm alike
    arms = set(Event.objects.filter(kind=EventKind.AD_IMPRESSION).values_list("arm", flat=True))
    assert arms == {body["results"][0]["arm"]}


def test_the_next_page_has_its_own_slots():
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    vera = home_world(posts=40)
    api = api_for(vera)
    first = api.get("/api/timeline/home/?page_size=20").json()
    second = api.get(first["next"]).json()
    # The first page ends with the post at layout position 22; the second starts at the slot
    # after it (23) and holds slots 29, 35 and 41 too. Three advertisers, one ad each a page.
    assert [item["position"] for item in second["sponsored"]] == [0, 5, 10]
    positions = Event.objects.filter(kind=EventKind.AD_IMPRESSION).values_list(
        "position", flat=True
    )
    assert sorted(positions) == [5, 11, 17, 23, 29, 35]
    # Every page counts its slots, filled or not: 3 + 4 slots served, 6 ads in them.
    slots = Event.objects.filter(kind=EventKind.AD_SLOTS, user=vera).order_by("id")
    assert [(e.result_count, e.surface) for e in slots] == [(3, "home"), (4, "home")]
    day, report, fill = todays_fill_rate()
    assert (day.home_ad_slots, day.home_ad_impressions) == (7, 6)
    assert fill.value == pytest.approx(6 / 7) and fill.note == "of sponsored slots served"
    assert report.table("by-day").rows[-1]["fill_basis"] == "counted"


def test_slots_no_campaign_may_fill_are_counted_too_and_make_the_fill_rate():
    put_everyone_in(FeedArm.Strategy.CHRONOLOGICAL)
    vera = person("vera")
    writer = person("writer")
    social.follow_create(follower=vera, followee=writer)
    for n in range(20):
        write(writer, f"note {n}")
    launched(AdvertiserFactory(), topics=["chess"])  # live, but not for vera
    live()
    body = api_for(vera).get("/api/timeline/home/?page_size=20").json()
    assert body["sponsored"] == []
    [slots] = Event.objects.filter(kind=EventKind.AD_SLOTS)
    assert slots.result_count == 3 and slots.user == vera

    _, _, fill = todays_fill_rate()
    assert fill.value == 0 and fill.note == "of sponsored slots served"


def test_opted_out_people_get_sponsored_slots_too_but_contextual_ads_only():
    vera = home_world()
    vera.personalised_feed = False
    vera.personalised_ads = False
    vera.interests = ["cooking"]
    vera.save()
    launched(AdvertiserFactory(name="Pans"), topics=["cooking"], name="Pans")
    live()
    body = api_for(vera).get("/api/timeline/home/?page_size=20").json()
    names = {item["advertiser"]["name"] for item in body["sponsored"]}
    assert names and "Pans" not in names  # her interest is not used; the page is about jazz
    assert all("not personalised" in item["why"] for item in body["sponsored"])


def test_the_home_page_shows_labelled_cards_before_their_posts(client):
    put_everyone_in(FeedArm.Strategy.CHRONOLOGICAL)
    vera = home_world()
    client.force_login(vera)
    html = client.get(reverse("home")).content.decode()
    assert html.count('class="post sponsored"') == 3
    # Each card sits right before the post it is shown before: after 5 posts, 10, 15.
    sequence = re.findall(r'(data-track-post="\d+"|class="post sponsored")', html)
    assert [i for i, item in enumerate(sequence) if "sponsored" in item] == [5, 11, 17]
    assert html.count(">Sponsored<") == 3 and html.count("Why this ad?") == 3
    assert "Hide ads from Brand" in html and 'rel="sponsored noopener"' in html
    assert "css/ads.css" in html


def test_hiding_an_advertiser_from_the_api(db):
    put_everyone_in(FeedArm.Strategy.CHRONOLOGICAL)
    vera = home_world()
    api = api_for(vera)
    item = api.get("/api/timeline/home/?page_size=20").json()["sponsored"][0]
    assert APIClient().post(item["hide_url"]).status_code in (401, 403)
    response = api.post(item["hide_url"])
    assert response.status_code == 200
    assert response.json() == {"advertiser": item["advertiser"], "hidden": True}
    again = api.get("/api/timeline/home/?page_size=20").json()["sponsored"]
    assert item["advertiser"]["id"] not in {ad["advertiser"]["id"] for ad in again}
    assert api.post("/api/ads/advertisers/999999/hide/").status_code == 404
    assert api.delete(item["hide_url"]).status_code == 204
    assert not vera.hidden_advertisers.exists()


def test_hiding_from_the_page_swaps_the_card_for_a_notice(client, brand):
    vera = person("vera")
    url = reverse("ads:hide", args=[brand.pk])
    response = client.post(url, **HTMX)
    assert response.status_code == 200 and "HX-Redirect" in response  # to the login page
    client.force_login(vera)
    response = client.post(url, **HTMX)
    assert (
        "You will not see ads from <strong>Northwind</strong> again." in response.content.decode()
    )
    response = client.post(reverse("ads:unhide", args=[brand.pk]), **HTMX)
    assert "you may see this advertiser" in response.content.decode()
    response = client.post(url, {"next": "/explore/"})
    assert response.status_code == 302 and response["Location"] == "/explore/"
    hidden = client.get(reverse("ads:hidden")).content.decode()
    assert "Northwind" in hidden and "Show their ads again" in hidden


def test_ads_add_a_bounded_number_of_queries(django_assert_max_num_queries):
    put_everyone_in(FeedArm.Strategy.CHRONOLOGICAL)
    vera = home_world(posts=60)
    api = api_for(vera)
    # Builds this process's index once, and renders the cards' texts (social.cards), so a
    # longer page does not pay the one query that renders its new texts.
    api.get("/api/timeline/home/?page_size=25")
    costs = {}
    for size in (20, 25):  # 3 and 4 slots; three advertisers fill three of them either way
        with django_assert_max_num_queries(MAX_API_QUERIES_WITH_ADS) as captured:
            body = api.get(f"/api/timeline/home/?page_size={size}").json()
        assert len(body["sponsored"]) == 3
        costs[size] = len(captured)
    assert costs[20] == costs[25]


# Measured: 14. The chronological page's own statements and the auction's reads (9); then the
# page's ads in one transaction (a savepoint here, inside the test's transaction, and its
# release): one insert for the events (the ads' and the page's slots), one for the impressions
# a click names, and one upsert counting the three (CPC) ads on their campaigns' days.
MAX_API_QUERIES_WITH_ADS = 14
