"""Rate limits through the API: action limits (posting, following, commenting, reporting)
answer 429 with Retry-After; every request also spends a per-user (or per-address) budget."""

import pytest
from django.conf import settings as django_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from social.models import Comment, Follow, Post
from tests.factories import UserFactory
from tests.social.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_limits(settings):
    settings.ACTION_RATE_LIMITS = {
        "post": "2/h",
        "follow": "1/day",
        "report": "1/day",
        "comment": "2/h",
    }


def assert_limited(response, what):
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert "limit of" in body["detail"] and what in body["detail"]
    assert body["retry_after"] == int(response["Retry-After"])


def test_posting_over_the_limit_is_429(auth_client, tight_limits):
    for n in range(2):
        assert auth_client.post("/api/posts/", {"text": f"p{n}"}, format="json").status_code == 201
    assert_limited(auth_client.post("/api/posts/", {"text": "one more"}, format="json"), "posts")
    assert Post.objects.count() == 2


def test_the_post_limit_is_per_person(auth_client, other_client, tight_limits):
    for n in range(2):
        auth_client.post("/api/posts/", {"text": f"p{n}"}, format="json")
    assert other_client.post("/api/posts/", {"text": "mine"}, format="json").status_code == 201


def test_refused_posts_do_not_use_up_the_budget(auth_client, tight_limits):
    for _ in range(3):
        assert auth_client.post("/api/posts/", {"text": ""}, format="json").status_code == 400
    assert auth_client.post("/api/posts/", {"text": "fine"}, format="json").status_code == 201


def test_following_over_the_limit_is_429(auth_client, tight_limits):
    UserFactory(username="carla")
    UserFactory(username="dan")
    assert auth_client.post("/api/users/carla/follow/").status_code == 201
    assert_limited(auth_client.post("/api/users/dan/follow/"), "follows")
    assert Follow.objects.count() == 1


def test_commenting_over_the_limit_is_429(other_client, user, tight_limits):
    post = PostFactory(author=user)
    url = f"/api/posts/{post.pk}/comments/"
    for n in range(2):
        assert other_client.post(url, {"text": f"c{n}"}, format="json").status_code == 201
    assert_limited(other_client.post(url, {"text": "more"}, format="json"), "comments")
    assert Comment.objects.count() == 2


def test_reporting_over_the_limit_is_429(other_client, user, tight_limits):
    report = {"reason": "spam", "username": "ana"}
    assert other_client.post("/api/reports/", report, format="json").status_code == 201
    assert_limited(other_client.post("/api/reports/", report, format="json"), "reports")


# --- the request budget ----------------------------------------------------------------


def test_the_request_budget_is_configured():
    throttles = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    assert "flywheel.throttling.UserRateThrottle" in throttles
    assert "flywheel.throttling.AnonRateThrottle" in throttles
    rates = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["user"] and rates["anon"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/posts/",
        "/api/timeline/home/",
        "/api/notifications/",
        "/api/search/?q=x",
        "/api/groups/",
        "/api/users/ana/",
    ],
)
def test_a_signed_in_person_runs_out_of_requests(auth_client, user, monkeypatch, url):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "3/min")
    for _ in range(3):
        assert auth_client.get(url).status_code == 200
    response = auth_client.get(url)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_the_budget_is_per_person(auth_client, other_client, monkeypatch):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/min")
    for _ in range(2):
        auth_client.get("/api/posts/")
    assert auth_client.get("/api/posts/").status_code == 429
    assert other_client.get("/api/posts/").status_code == 200


def test_a_forged_forwarded_for_does_not_buy_more_requests(api_client, monkeypatch):
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "2/min")
    for n in range(2):
        response = api_client.get("/api/posts/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        assert response.status_code == 200
    response = api_client.get("/api/posts/", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429
