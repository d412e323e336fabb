"""The home page and `/api/timeline/home/` by arm: opted-out people and the chronological arm
get the chronological home; ranked arms get the ranked feed; every card and API item carries
its reason, arm and model version (so impressions record them); queries stay bounded."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from events.models import Event, EventKind
from feeds.experiments import OPTED_OUT_ARM
from feeds.models import FeedArm
from feeds.warm import WARM_UNTIL
from social import selectors, services
from social.models import Post
from tests.factories import sign_in_api
from tests.feeds.home_helpers import (
    api_home,
    assert_reason_is_true,
    install_model,
    person,
    put_everyone_in,
    write,
)
from tests.social.helpers import add_member, group_of

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _models(served_models):
    """Every test here serves models of its own (tests/feeds/conftest.py)."""


def api_for(user) -> APIClient:
    client = APIClient()
    sign_in_api(client, user)
    return client


def small_world(viewer):
    """Followed people, a group, a share, strangers and a model that knows the posts."""
    ben, carla, dora = person("ben"), person("carla"), person("dora")
    services.follow_create(follower=viewer, followee=ben)
    services.follow_create(follower=viewer, followee=carla)
    club = group_of(dora, "Book club")
    add_member(club, viewer)
    jazz = [write(person(), f"jazz {n} #jazz", age=timedelta(hours=n)) for n in range(6)]
    cooking = [write(person(), f"stew {n} #cooking", age=timedelta(hours=n)) for n in range(6)]
    write(ben, "from ben")
    write(dora, "in the club", group=club)
    write(viewer, "mine")
    services.share_create(user=carla, post=write(person(), "a find"), comment="look")
    services.like_create(user=viewer, post=jazz[0])
    return install_model([jazz, cooking])


@pytest.mark.parametrize("how", ["opted out", "chronological arm"])
def test_chronological_people_get_the_chronological_home(client, how):
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    ana = person("ana", personalised_feed=how != "opted out")
    if how == "chronological arm":
        put_everyone_in(FeedArm.Strategy.CHRONOLOGICAL)
    small_world(ana)
    # Someone settled in, past a newcomer's warm start (tests/feeds/test_warm_start.py).
    for _ in range(WARM_UNTIL):
        services.follow_create(follower=ana, followee=person())
    expected = [post.pk for post in selectors.home_timeline(ana)]
    arm = OPTED_OUT_ARM if how == "opted out" else "chronological"

    body = api_home(api_for(ana), page_size=50)
    assert [item["id"] for item in body["results"]] == expected
    assert {item["arm"] for item in body["results"]} == {arm}
    assert {item["model_version"] for item in body["results"]} == {None}
    for item in body["results"]:
        assert item["reason"], item
        assert_reason_is_true(ana, item["id"], item["reason"])

    client.force_login(ana)
    page = client.get(reverse("social:home")).content.decode()
    shown = [int(pk) for pk in re.findall(r'data-track-post="(\d+)"', page)]
    assert shown == expected
    assert f'data-arm="{arm}"' in page and "data-model-version" not in page


def test_ranked_items_carry_reason_model_version_and_arm_in_the_api():
    put_everyone_in(FeedArm.Strategy.DIVERSE)
    ana = person("ana")
    version = small_world(ana)
    body = api_home(api_for(ana), page_size=50)
    assert body["results"]
    for item in body["results"]:
        assert item["arm"] == "personalised-diverse"
        assert item["model_version"] == version.pk
        assert item["reason"]
        # The fields every card had before are all still there.
        assert {"id", "author", "text", "html", "viewer_liked", "shared_by", "activity_at"} <= set(
            item
        )


def test_home_cards_show_the_reason_and_carry_what_impressions_record(client):
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    ana = person("ana")
    version = small_world(ana)
    client.force_login(ana)
    page = client.get(reverse("social:home")).content.decode()
    assert 'data-surface="home"' in page
    assert f'data-model-version="{version.pk}"' in page
    assert 'data-arm="personalised"' in page
    assert "data-track-post=" in page and "data-position=" in page and "data-person=" in page
    assert "Because you liked posts about #jazz" in page
    assert "From @ben, whom you follow" in page
    assert "Your post" in page
    assert "@carla</a> shared" in page  # a share still says who shared it


def test_impressions_echo_the_serve_token_and_the_server_fills_in_arm_and_version():
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    ana = person("ana")
    version = small_world(ana)
    api = api_for(ana)
    item = api_home(api)["results"][0]
    response = api.post(
        "/api/events/",
        {
            "events": [
                {
                    "kind": "impression",
                    "post": item["id"],
                    "surface": "home",
                    "position": 0,
                    "serve": item["serve"],
                    "key": "first",
                }
            ]
        },
        format="json",
    )
    assert response.status_code < 300, response.content
    event = Event.objects.get(user=ana, kind=EventKind.IMPRESSION)
    assert (event.post_id, event.model_version, event.arm) == (
        item["id"],
        version.pk,
        "personalised",
    )


def grow(viewer, start, stop):
    authors = [person(f"writer{n}") for n in range(start, stop)]
    for n, author in enumerate(authors, start=start):
        services.follow_create(follower=viewer, followee=author)
        post = write(author, f"night {n} with @{viewer.username} #topic{n % 8} #night{n % 5}")
        if n % 3 == 0:
            services.like_create(user=viewer, post=post)
        if n % 2:
            services.share_create(user=person(f"sharer{n}"), post=post)
        services.comment_create(author=author, post=post, text="first!")


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize(
    "strategy",
    [FeedArm.Strategy.PERSONALISED, FeedArm.Strategy.DIVERSE, FeedArm.Strategy.LEARNED],
)
def test_the_api_costs_the_same_for_5_and_25_items(strategy, django_assert_max_num_queries):
    put_everyone_in(strategy)
    ana = person("ana")
    grow(ana, 0, 60)
    written = list(Post.objects.filter(author__username__startswith="writer"))
    install_model([written[::2], written[1::2]])
    api = api_for(ana)
    costs = {}
    for size in (5, 25):
        with django_assert_max_num_queries(MAX_API_QUERIES):
            body = api.get(f"/api/timeline/home/?page_size={size}").json()
        assert len(body["results"]) == size
        costs[size] = count(api, f"/api/timeline/home/?page_size={size}")
        with django_assert_max_num_queries(MAX_NEXT_PAGE_QUERIES):
            assert len(api.get(body["next"]).json()["results"]) == size
    assert costs[5] == costs[25]


def test_the_home_page_costs_the_same_for_5_and_25_items(client, django_assert_max_num_queries):
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    ana = person("ana")
    client.force_login(ana)
    grow(ana, 0, 5)
    small = count(client, reverse("social:home"))
    grow(ana, 5, 30)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        page = client.get(reverse("social:home")).content.decode()
    assert page.count("data-track-post=") == 20
    assert count(client, reverse("social:home")) == small


# Measured on PostgreSQL: 6 for a first API page (the token, the arms, the active version,
# the person's history, one prepared statement for every candidate source with its hashtags,
# shares and trends, and one for the page's rows with the viewer's likes and shares), a
# seventh for the mentions of posts whose rendered text is not cached yet, and two for the
# learned ranker: the candidates' social context (feeds.ranker_features) and the one insert
# that logs the page as served (feeds.ranker_log); the learned arm looks up its active ranker
# too. 4 for a later page (the token, the rows, those mentions, the log); 17 for the whole home
# page. No growth with the number of items.
# Elsewhere (SQLite) the candidates come from the ORM, a query per source.
ORM_SOURCES = 0 if connection.vendor == "postgresql" else 14
MAX_API_QUERIES = 10 + ORM_SOURCES
MAX_NEXT_PAGE_QUERIES = 4 + ORM_SOURCES
MAX_PAGE_QUERIES = 17 + ORM_SOURCES
