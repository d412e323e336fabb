"""A newcomer's first feed, and the two home tabs.

In every arm (chronological, personalised, diverse, and with the personalised feed off) a
person who follows no one gets a full first page of *For you*, from their interests and the
week's popular posts, each with a true reason; with the personalised feed off nothing about
them is used. *Following* lists only people followed and groups, newest first, with no arm.
"""

import re
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from feeds import warm
from feeds.models import FeedArm
from feeds.warm import WARM_UNTIL
from social import services
from social.models import Group
from social.paging import PAGE_SIZE
from tests.factories import sign_in_api
from tests.feeds.home_helpers import assert_reason_is_true, person, put_everyone_in, write

pytestmark = pytest.mark.django_db
Strategy = FeedArm.Strategy
ARMS = [Strategy.CHRONOLOGICAL, Strategy.PERSONALISED, Strategy.DIVERSE, "opted-out"]


@pytest.fixture(autouse=True)
def _models(served_models):
    """No model is trained: a newcomer's first feed must not need one."""


@pytest.fixture
def busy_site():
    """Plenty of posts about many topics, some liked, none by anyone the newcomer knows (the
    diverse arm allows three posts on one hashtag in ten: a page needs several topics)."""
    fans = [person() for _ in range(3)]
    topics = ["gardening", "chess", "cooking", "cycling", "films", "poetry", "running"]
    posts = []
    for n in range(30):
        posts.append(write(person(), f"jazz night {n} #jazz", age=timedelta(hours=n + 1)))
        topic = topics[n % len(topics)]
        liked = write(person(), f"{topic} {n} #{topic}", age=timedelta(hours=n + 2))
        for fan in fans[: 1 + n % 3]:
            services.like_create(user=fan, post=liked)
        posts.append(liked)
    return posts


def newcomer_in(arm: str, **fields):
    if arm == "opted-out":
        put_everyone_in(Strategy.PERSONALISED)
        return person(interests=["jazz", "hiking"], personalised_feed=False, **fields)
    put_everyone_in(arm)
    return person(interests=["jazz", "hiking"], **fields)


def first_page(client) -> list[dict]:
    response = client.get("/api/timeline/home/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("arm", ARMS)
def test_a_newcomer_gets_a_full_first_page_in_every_arm(busy_site, arm):
    newcomer = newcomer_in(arm)
    client = sign_in_api(APIClient(), newcomer)
    items = first_page(client)
    assert len(items) == PAGE_SIZE
    for item in items:
        assert item["reason"], item
        assert_reason_is_true(newcomer, item["id"], item["reason"])
    reasons = {item["reason"] for item in items}
    if arm == "opted-out":
        # Nothing about the person: no interests, only what is popular for everyone.
        assert reasons == {"popular this week"}
    else:
        assert "about #jazz, one of your interests" in reasons


def test_the_home_page_of_a_chronological_newcomer_is_warm(client, busy_site):
    newcomer = newcomer_in(Strategy.CHRONOLOGICAL)
    client.force_login(newcomer)
    page = client.get("/").content.decode()
    assert "Your home is quiet for now" not in page
    assert page.count('class="post"') + page.count('class="post ') == PAGE_SIZE
    assert "About #jazz, one of your interests" in page


def test_a_chronological_home_stops_warming_once_the_person_follows_enough(busy_site):
    newcomer = newcomer_in(Strategy.CHRONOLOGICAL)
    friends = [person() for _ in range(5)]
    for friend in friends:
        services.follow_create(follower=newcomer, followee=friend)
    write(friends[0], "hello from a friend")
    items = first_page(sign_in_api(APIClient(), newcomer))
    assert [item["text"] for item in items] == ["hello from a friend"]


def test_following_lists_only_people_followed_and_groups_with_no_arm(client, busy_site):
    newcomer = newcomer_in(Strategy.CHRONOLOGICAL)
    friend = person()
    services.follow_create(follower=newcomer, followee=friend)
    post = write(friend, "just us")
    api = sign_in_api(APIClient(), newcomer)
    response = api.get("/api/timeline/following/")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["id"] == post.pk
    assert item["reason"] == f"from @{friend.username}, whom you follow"
    assert (item["arm"], item["model_version"], item["serve"]) == ("", None, "")

    client.force_login(newcomer)
    page = client.get("/following/").content.decode()
    assert 'data-surface="following"' in page
    assert "just us" in page and "jazz night" not in page
    assert re.search(r'href="/following/"\s+aria-current="page">Following<', page)
    home = client.get("/").content.decode()
    assert re.search(r'href="/"\s+aria-current="page">For you<', home)
    assert 'data-surface="home"' in home


def test_following_is_for_signed_in_people(client):
    assert APIClient().get("/api/timeline/following/").status_code == 401
    response = client.get("/following/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_schema_describes_both_tabs(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "For you" in schema["paths"]["/api/timeline/home/"]["get"]["summary"]
    following = schema["paths"]["/api/timeline/following/"]["get"]
    assert "Following" in following["summary"]


def test_the_weeks_popular_posts_are_found_once_for_many_newcomers(busy_site):
    """The same for everyone: read once a minute, not sorted again on every newcomer's page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def popular_sorts(newcomer) -> int:
        with CaptureQueriesContext(connection) as queries:
            items = first_page(sign_in_api(APIClient(), newcomer))
        assert "popular this week" in {item["reason"] for item in items}
        return sum('"like_count" DESC' in (query["sql"] or "") for query in queries)

    put_everyone_in(Strategy.CHRONOLOGICAL)
    assert popular_sorts(person()) == 1
    assert popular_sorts(person()) == 0


def test_follows_and_groups_joined_count_together_towards_leaving_the_warm_start():
    newcomer, owner = person(), person()
    public = [services.group_create(owner=owner, name=f"club {n}") for n in range(2)]
    private = services.group_create(owner=owner, name="inner", privacy=Group.Privacy.PRIVATE)
    for group in public:
        services.group_join(user=newcomer, group=group)
    services.group_join(user=newcomer, group=private)  # a request, not yet a membership
    for friend in [person() for _ in range(WARM_UNTIL - 3)]:
        services.follow_create(follower=newcomer, followee=friend)
    assert warm.needs_warm_start(newcomer)  # two groups and two follows
    services.follow_create(follower=newcomer, followee=person())
    assert not warm.needs_warm_start(newcomer)
    for friend in [person() for _ in range(WARM_UNTIL)]:
        services.follow_create(follower=newcomer, followee=friend)
    assert not warm.needs_warm_start(newcomer)
