"""The home feed's sponsored slots go through feeds.slots: without a filler they stay empty
(feeds runs without ads), and whatever filler is registered fills them at the slots'
positions (ads' own filler: tests/ads/test_home_feed_ads.py)."""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from feeds import slots
from feeds.models import FeedArm
from social import services as social
from tests.factories import sign_in_api
from tests.feeds.home_helpers import person, put_everyone_in, write

pytestmark = pytest.mark.django_db
STRATEGIES = [FeedArm.Strategy.CHRONOLOGICAL, FeedArm.Strategy.PERSONALISED]


@dataclass
class Card:
    position: int
    index: int = 0


def fake_serve(viewer, *, slots, context_post_ids, surface, arm, model_version):
    return [Card(position=position) for position in slots]


def vera_with_posts(count: int = 12):
    vera, writer = person("vera"), person("writer")
    social.follow_create(follower=vera, followee=writer)
    for n in range(count):
        write(writer, f"note {n}")
    return vera


def home_api(user) -> dict:
    client = APIClient()
    sign_in_api(client, user)
    return client.get("/api/timeline/home/?page_size=12").json()


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_without_a_filler_the_slots_stay_empty(strategy, monkeypatch, client):
    monkeypatch.setattr(slots, "_filler", None)
    put_everyone_in(strategy)
    vera = vera_with_posts()
    body = home_api(vera)
    assert len(body["results"]) == 12 and body["sponsored"] == []
    client.force_login(vera)
    page = client.get(reverse("social:home"))
    html = page.content.decode()
    assert html.count("data-track-post=") == 12 and "sponsored" not in html


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_the_registered_filler_fills_the_slots(strategy, monkeypatch):
    monkeypatch.setattr(slots, "_filler", None)
    slots.register(
        slots.SponsoredFiller(
            serve=fake_serve,
            as_data=lambda items, request: [{"before": item.index} for item in items],
            serializer=object,
        )
    )
    put_everyone_in(strategy)
    body = home_api(vera_with_posts())
    assert body["sponsored"] == [{"before": 5}, {"before": 10}]  # before every fifth post
