from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, EventKind
from social import services as social
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/events/"


@pytest.fixture
def post(other_user):
    return social.post_create(author=other_user, text="Bread and #jazz tonight")


def send(client, events, **kwargs):
    return client.post(URL, {"events": events}, format="json", **kwargs)


def test_a_good_batch_is_stored(auth_client, user, post):
    response = send(
        auth_client,
        [
            {"kind": "impression", "post": post.pk, "surface": "home", "position": 3, "key": "a"},
            {"kind": "dwell", "post": post.pk, "dwell_ms": 4200, "surface": "home", "key": "b"},
            {"kind": "click", "person": post.author_id, "surface": "home", "key": "c"},
        ],
    )
    assert response.status_code == 202
    assert response.json() == {"accepted": 3, "duplicates": 0, "rejected": [], "ignored": []}
    events = Event.objects.filter(user=user).order_by("id")
    assert [e.kind for e in events] == [EventKind.IMPRESSION, EventKind.DWELL, EventKind.CLICK]
    assert events[0].position == 3 and events[0].surface == "home"
    assert events[1].dwell_ms == 4200


def test_good_items_are_kept_and_each_bad_one_is_explained(auth_client, user, post):
    now = timezone.now()
    batch = [
        {"kind": "impression", "post": post.pk, "surface": "home"},
        {"kind": "teleport", "post": post.pk},
        {"kind": "like", "post": post.pk},
        {"kind": "impression", "post": 99999999},
        {"kind": "dwell", "post": post.pk, "dwell_ms": 11 * 60 * 1000},
        {"kind": "dwell", "post": post.pk, "dwell_ms": -5},
        {"kind": "impression", "post": post.pk, "at": (now + timedelta(hours=1)).isoformat()},
        {"kind": "impression", "post": post.pk, "at": (now - timedelta(days=2)).isoformat()},
        {"kind": "impression", "post": post.pk, "surface": "moon"},
        {"kind": "impression"},
        "not an object",
        {"kind": "impression", "post": "seven"},
    ]
    batch = [
        dict(item, key=f"k{n}") if isinstance(item, dict) else item for n, item in enumerate(batch)
    ]
    batch.append({"kind": "impression", "post": post.pk, "surface": "home"})  # no key
    response = send(auth_client, batch)
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1
    reasons = {r["index"]: r["error"] for r in body["rejected"]}
    assert sorted(reasons) == list(range(1, 13))
    assert "key is required" in reasons[12]
    assert "Unknown kind" in reasons[1]
    assert "recorded by the server" in reasons[2]
    assert "not visible" in reasons[3]
    assert "between 0 and 600000" in reasons[4] and "between 0 and 600000" in reasons[5]
    assert "future" in reasons[6]
    assert "more than a day old" in reasons[7]
    assert "Unknown surface" in reasons[8]
    assert "needs the post" in reasons[9]
    assert "must be an object" in reasons[10]
    assert "whole number" in reasons[11]
    assert Event.objects.filter(user=user).count() == 1


def test_a_batch_with_nothing_good_is_a_400(auth_client, post):
    response = send(auth_client, [{"kind": "nope"}])
    assert response.status_code == 400
    assert response.json()["rejected"][0]["index"] == 0


def test_batches_are_limited_to_200_items(auth_client, post):
    response = send(auth_client, [{"kind": "impression", "post": post.pk}] * 201)
    assert response.status_code == 400
    assert "at most 200" in response.json()["detail"]
    assert not Event.objects.filter(kind=EventKind.IMPRESSION).exists()


def test_a_retried_batch_is_not_counted_twice(auth_client, user, post):
    batch = [
        {"kind": "impression", "post": post.pk, "key": "k1"},
        {"kind": "dwell", "post": post.pk, "dwell_ms": 900, "key": "k2"},
    ]
    assert send(auth_client, batch).json()["accepted"] == 2
    retry = send(auth_client, batch)
    assert retry.status_code == 202
    assert retry.json() == {"accepted": 0, "duplicates": 2, "rejected": [], "ignored": []}
    assert Event.objects.filter(user=user).count() == 2


def test_one_persons_key_does_not_collide_with_anothers(auth_client, user, post):
    from rest_framework.test import APIClient

    stranger = UserFactory(username="carl")
    other = APIClient()
    other.force_authenticate(stranger)
    assert (
        send(auth_client, [{"kind": "impression", "post": post.pk, "key": "same"}]).json()[
            "accepted"
        ]
        == 1
    )
    assert (
        send(other, [{"kind": "impression", "post": post.pk, "key": "same"}]).json()["accepted"]
        == 1
    )


def test_posts_the_person_may_not_see_are_refused(auth_client, user, other_user):
    group = social.group_create(owner=other_user, name="Secret bakers", privacy="private")
    secret = social.post_create(author=other_user, text="members only", group=group)
    social.block_create(blocker=other_user, blocked=user)
    public = social.post_create(author=other_user, text="public but I blocked you")
    response = send(
        auth_client,
        [{"kind": "impression", "post": secret.pk}, {"kind": "impression", "post": public.pk}],
    )
    assert response.status_code == 400
    assert not Event.objects.filter(kind=EventKind.IMPRESSION).exists()


def test_anonymous_people_cannot_send_events(api_client, post):
    response = send(api_client, [{"kind": "impression", "post": post.pk}])
    assert response.status_code == 401


def test_malformed_json_is_a_clear_400(auth_client):
    response = auth_client.post(URL, data="{oops", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert send(auth_client, "not a list").status_code == 400


def test_browser_beacon_form_with_csrf_token(client, user, post):
    """navigator.sendBeacon sends a form: the batch as JSON text plus the CSRF token."""
    import json

    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = browser.get("/accounts/settings/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    token = token or browser.cookies["csrftoken"].value
    events = json.dumps([{"kind": "impression", "post": post.pk, "surface": "home", "key": "b1"}])
    refused = browser.post(URL, {"events": events})
    assert refused.status_code == 403  # no CSRF token: a forged cross-site beacon is refused
    accepted = browser.post(URL, {"events": events, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 202, accepted.content
    assert Event.objects.filter(user=user, kind=EventKind.IMPRESSION).count() == 1


def test_events_are_rate_limited_per_person(auth_client, post, settings):
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "events": "2/min"}
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [
            send(auth_client, [{"kind": "impression", "post": post.pk, "key": f"r{n}"}]).status_code
            for n in range(3)
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert codes == [202, 202, 429]
