"""The home timeline's lean path (feeds.api_timeline_lean) answers exactly as DRF's view
does, and hands everything unusual to it: a bad, expired or narrow token, the browsable API,
a bad page size or cursor, a throttled person, a page back up the chronological arm."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from feeds import experiments
from feeds.experiments import assign
from feeds.models import FeedArm
from feeds.selectors import chronological_home
from social import services
from tests.factories import api_token
from tests.feeds.home_helpers import install_model, person, put_everyone_in, write
from tests.social.factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _models(served_models):
    """Every test here serves models of its own (tests/feeds/conftest.py)."""


def ranked_world(strategy=FeedArm.Strategy.PERSONALISED):
    put_everyone_in(strategy)
    ana = person("ana")
    posts = [write(person(f"writer{n}"), f"post {n} #t{n % 4}") for n in range(30)]
    for post in posts[:3]:
        services.like_create(user=ana, post=post)
    install_model([posts[::2], posts[1::2]])
    return ana


def client_with(raw_token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    return client


def without_links(body: dict) -> dict:
    return {key: value for key, value in body.items() if key not in ("next", "previous")}


def test_a_page_is_the_same_on_the_lean_path_and_through_drf():
    ana = ranked_world()
    api = client_with(api_token(ana))
    first = api.get("/api/timeline/home/?page_size=5")
    assert first["Content-Type"] == "application/json"
    body = first.json()
    assert len(body["results"]) == 5 and all(item["reason"] for item in body["results"])
    second_page = body["next"]
    lean = api.get(second_page).json()
    # ?format=json is DRF's content negotiation: the same page through HomeTimelineView.
    through_drf = api.get(second_page + "&format=json").json()
    assert without_links(lean) == without_links(through_drf)
    assert {item["id"] for item in lean["results"]}.isdisjoint(
        {item["id"] for item in body["results"]}
    )


def test_bad_expired_and_narrow_tokens_get_drfs_answers():
    ana = ranked_world()
    assert client_with("not-a-token").get("/api/timeline/home/").status_code == 401
    raw = api_token(ana)
    tokens = get_access_token_model().objects.filter(user=ana)
    tokens.update(expires=timezone.now() - timedelta(seconds=1))
    expired = client_with(raw).get("/api/timeline/home/")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    raw = api_token(ana)
    get_access_token_model().objects.filter(user=ana, expires__gt=timezone.now()).update(
        scope="write"
    )
    narrow = client_with(raw).get("/api/timeline/home/")
    assert narrow.status_code == 403
    assert "read scope" in narrow.json()["detail"]


def test_a_suspended_person_is_refused():
    ana = ranked_world()
    api = client_with(api_token(ana))
    ana.is_active = False
    ana.save(update_fields=["is_active"])
    response = api.get("/api/timeline/home/")
    assert response.status_code == 401
    assert "suspended" in response.json()["detail"]


def test_bad_page_sizes_and_cursors_get_drfs_400s():
    ana = ranked_world()
    api = client_with(api_token(ana))
    response = api.get("/api/timeline/home/?page_size=500")
    assert response.status_code == 400 and "page_size" in response.json()
    assert api.get("/api/timeline/home/?cursor=forged").status_code == 400


def test_the_browsable_api_still_renders_html():
    ana = ranked_world()
    api = client_with(api_token(ana))
    response = api.get("/api/timeline/home/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_pages_on_the_lean_path_count_against_the_rate_once(monkeypatch):
    ana = ranked_world()
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "3/min")
    api = client_with(api_token(ana))
    body = api.get("/api/timeline/home/?page_size=5").json()
    assert api.get(body["next"]).status_code == 200
    assert api.get("/api/timeline/home/?page_size=5").status_code == 200
    refused = api.get(body["next"])
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_a_next_page_reads_its_rate_and_its_snapshot_in_one_round_trip(monkeypatch):
    ana = ranked_world()
    api = client_with(api_token(ana))
    first = api.get("/api/timeline/home/?page_size=5").json()
    backend, calls = caches["default"], []
    for name in ("get", "get_many"):
        read = getattr(backend, name)
        monkeypatch.setattr(
            backend, name, lambda key, *a, _n=name, _read=read, **k: calls.append((_n, key))
            or _read(key, *a, **k),
        )  # fmt: skip
    page = api.get(first["next"])
    assert page.status_code == 200 and len(page.json()["results"]) == 5
    rate_key, snapshot_prefix = f"throttle_user_{ana.pk}", f"feeds:home-snapshot:{ana.pk}:"
    name, keys = calls[0]
    assert name == "get_many" and rate_key in keys
    assert any(key.startswith(snapshot_prefix) for key in keys)
    single_reads = [key for name, key in calls if name == "get"]
    assert rate_key not in single_reads
    assert not any(key.startswith(snapshot_prefix) for key in single_reads)


def test_the_chronological_arm_is_counted_once(monkeypatch):
    put_everyone_in(FeedArm.Strategy.CHRONOLOGICAL)
    ana, ben = person("ana"), person("ben")
    services.follow_create(follower=ana, followee=ben)
    post = write(ben, "hello")
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/min")
    lookups = []
    read_arms = experiments.active_arms
    monkeypatch.setattr(experiments, "active_arms", lambda: lookups.append(1) or read_arms())
    api = client_with(api_token(ana))
    for _ in range(2):
        lookups.clear()
        body = api.get("/api/timeline/home/").json()
        assert len(lookups) == 1  # the arms are read once, not again by DRF's view
        assert [item["id"] for item in body["results"]] == [post.pk]
        assert body["results"][0]["arm"] == "chronological"
    assert api.get("/api/timeline/home/").status_code == 429


def test_the_lean_lookup_loads_the_person_as_the_orm_does():
    from django.test import RequestFactory

    from accounts.authentication import plain_bearer
    from accounts.models import User

    ana = person("ana", interests=["jazz", "soup"], display_name="Ana")
    raw = api_token(ana)
    request = RequestFactory().get("/api/timeline/home/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    user, token = plain_bearer(request)
    stored = User.objects.get(pk=ana.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(stored, field.attname), field.name
    assert user.interests == ["jazz", "soup"]
    assert token.user_id == ana.pk and "read" in token.scope.split()
    assert token.expires > timezone.now()
    write = RequestFactory().post("/api/posts/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert plain_bearer(write)[0] == user  # the token holds `write`


def chronological_world():
    """Ana follows two writers (a newcomer still: her home is warmed with the week's popular
    posts and posts about her interests), is in a group, and one writer shared an old post."""
    put_everyone_in(FeedArm.Strategy.CHRONOLOGICAL)
    ana, ben, cy, dee = (
        person("ana", interests=["jazz"]),
        person("ben"),
        person("cy"),
        person("dee"),
    )
    for followee in (ben, cy):
        services.follow_create(follower=ana, followee=followee)
    group = GroupFactory(name="Jazz club", owner=dee)
    MembershipFactory(group=group, user=ana)
    old = write(dee, "an old find", age=timedelta(days=3))
    for n in range(5):
        write(ben, f"ben {n}", age=timedelta(hours=n))
        write(cy, f"cy {n}", age=timedelta(hours=n, minutes=30))
        write(dee, f"about #jazz {n}", age=timedelta(hours=10 + n))
        write(dee, f"in the club {n}", group=group, age=timedelta(hours=20 + n))
    liked = write(dee, "everyone likes this", age=timedelta(days=1))
    services.like_create(user=ben, post=liked)
    services.share_create(user=cy, post=old, comment="look")
    return ana


def without_serve_tokens(items):
    # Signed with the time of the request: the same page a second later carries another.
    return [{key: value for key, value in item.items() if key != "serve"} for item in items]


def test_the_chronological_arm_pages_the_same_on_the_lean_path_and_through_drf():
    ana = chronological_world()
    api = client_with(api_token(ana))
    first = "/api/timeline/home/?page_size=4"
    url, seen, reasons = first, [], set()
    while url:
        lean = api.get(url)
        assert lean["Content-Type"] == "application/json"
        body = lean.json()
        through_drf = api.get(url + "&format=json").json()
        assert without_serve_tokens(body["results"]) == without_serve_tokens(through_drf["results"])
        assert body["sponsored"] == through_drf["sponsored"] == []
        assert (body["next"] is None) == (through_drf["next"] is None)
        assert (body["previous"] is None) == (url == first)
        seen += [item["id"] for item in body["results"]]
        reasons |= {item["reason"] for item in body["results"]}
        url = body["next"]
    orm = list(chronological_home(ana, assign(ana)).values_list("id", flat=True))
    assert seen == orm and len(seen) > 12
    assert {
        "shared by @cy, whom you follow",
        "from @ben, whom you follow",
        "from your group Jazz club",
        "about #jazz, one of your interests",
        "popular this week",
    } <= reasons


def test_a_page_back_up_the_chronological_arm_is_the_one_before():
    ana = chronological_world()
    api = client_with(api_token(ana))
    first = api.get("/api/timeline/home/?page_size=4").json()
    second = api.get(first["next"]).json()
    back = api.get(second["previous"]).json()
    assert [item["id"] for item in back["results"]] == [item["id"] for item in first["results"]]


def test_the_chronological_arms_lean_page_reads_no_more_than_drfs():
    ana = chronological_world()
    api = client_with(api_token(ana))
    api.get("/api/timeline/home/")  # the person's arm and the popular posts, cached once
    with CaptureQueriesContext(connection) as lean:
        assert api.get("/api/timeline/home/").status_code == 200
    with CaptureQueriesContext(connection) as through_drf:
        assert api.get("/api/timeline/home/?format=json").status_code == 200
    assert len(lean) <= len(through_drf)
