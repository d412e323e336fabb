"""The cache (Redis) goes away: pages and the API keep answering, rate limits fall back to
each process's share, /healthz says the cache is down, and Redis is used again once back."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from flywheel import health, resilient_cache
from social.models import Like, Post
from tests.factories import AdvertiserFactory, UserFactory, sign_in_api
from tests.social.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_public_health():
    health._public.update(at=float("-inf"), state=None)
    yield
    health._public.update(at=float("-inf"), state=None)


def _healthz(client):
    health._public.update(at=float("-inf"), state=None)  # no caching between our probes
    return client.get("/healthz")


def test_the_site_works_while_the_cache_is_away_and_uses_it_again_after(own_redis, client):
    reader = UserFactory(username="reader")
    author = UserFactory(username="author")
    PostFactory.create_batch(3, author=author)
    api = sign_in_api(APIClient(), reader)
    assert api.post("/api/users/author/follow/").status_code == 201
    assert api.get("/api/timeline/home/").status_code == 200
    assert own_redis.keys() > 0  # throttles, snapshots: the shared cache is in use

    own_redis.stop()
    posted = api.post("/api/posts/", {"text": "still here"}, format="json")
    assert posted.status_code == 201, posted.content
    timeline = api.get("/api/timeline/home/")
    assert timeline.status_code == 200
    assert len(timeline.json()["results"]) >= 3  # computed afresh: the snapshot is gone
    liked = api.post(f"/api/posts/{timeline.json()['results'][0]['id']}/like/")
    assert liked.status_code in (200, 201), liked.content
    client.force_login(reader)
    assert client.get("/").status_code == 200
    answer = _healthz(client)
    assert answer.status_code == 200  # the site serves: the database decides
    assert answer.json()["cache"]["ok"] is False
    assert answer.json()["degraded"] is True
    assert Post.objects.filter(text="still here").exists() and Like.objects.count() == 1

    own_redis.start()  # empty, as a restarted cache is
    answer = _healthz(client)
    assert answer.json()["cache"] == {"ok": True} and "degraded" not in answer.json()
    assert not resilient_cache.degraded()
    assert api.get("/api/timeline/home/").status_code == 200
    assert own_redis.keys() > 0


def test_action_limits_fall_back_to_this_process_s_share(own_redis, settings):
    settings.ACTION_RATE_LIMITS = {**settings.ACTION_RATE_LIMITS, "post": "4/h"}
    settings.RATE_LIMIT_PROCESSES = 2  # each of 2 processes may allow 2 of the 4 posts
    api = sign_in_api(APIClient(), UserFactory())
    own_redis.stop()
    answers = [
        api.post("/api/posts/", {"text": f"p{n}"}, format="json").status_code for n in range(3)
    ]
    assert answers == [201, 201, 429]
    assert Post.objects.count() == 2


def test_request_throttles_fall_back_to_this_process_s_share(own_redis, settings, monkeypatch):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "6/min")
    settings.RATE_LIMIT_PROCESSES = 3
    api = sign_in_api(APIClient(), UserFactory())
    own_redis.stop()
    answers = [api.get("/api/timeline/home/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]

    own_redis.start()  # back: the shared count, and the whole rate, again
    answers = [api.get("/api/timeline/home/").status_code for _ in range(7)]
    assert answers == [200] * 6 + [429]


def test_ads_keep_serving_while_the_cache_is_away(own_redis, settings):
    from ads import index
    from tests.ads.helpers import launched, serve

    settings.ADS_SERVING_REFRESH_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    index.forget()
    viewer = UserFactory(interests=["jazz"])
    own_redis.stop()
    # Launched while the cache is away: no process could be told, yet the ad serves.
    campaign = launched(AdvertiserFactory(), topics=["jazz"])
    [ad] = serve(viewer)
    assert ad.campaign_id == campaign.pk
    index.forget()
