"""The suggestions and trends API: sign-in required for suggestions, reasons in every item,
validated input, a place in the OpenAPI schema, and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from feeds import trends
from social import services
from tests.factories import sign_in_api
from tests.feeds.test_suggestions import grow_world
from tests.feeds.test_trends import engage
from tests.social.helpers import add_member, group_of, person, post_by

pytestmark = pytest.mark.django_db

PEOPLE = "/api/suggestions/people/"
GROUPS = "/api/suggestions/groups/"
TRENDS = "/api/trends/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> APIClient:
    client = APIClient()
    sign_in_api(client, user)
    return client


@pytest.mark.parametrize("url", [PEOPLE, GROUPS])
def test_suggestions_need_a_signed_in_person(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 401


def test_people_come_with_their_reasons(user):
    carl, ben, erin = person("carl"), person("ben"), person("erin")
    for post in [post_by(carl) for _ in range(2)]:
        services.like_create(user=user, post=post)
    services.follow_create(follower=user, followee=ben)
    services.follow_create(follower=ben, followee=erin)

    response = client_for(user).get(PEOPLE)

    assert response.status_code == 200
    results = {item["person"]["username"]: item for item in response.json()["results"]}
    assert set(results) == {"carl", "erin"}  # not ana herself, not ben whom she follows
    assert results["carl"]["reason"] == "you liked 2 of their posts"
    assert results["carl"]["source"] == "engaged"
    assert results["erin"]["reason"] == "followed by @ben, whom you follow"
    assert results["erin"]["reasons"] == ["followed by @ben, whom you follow"]
    assert results["erin"]["person"]["viewer_follows"] is False
    assert set(results["erin"]["person"]) >= {"username", "display_name", "avatar_url", "bio"}


def test_groups_come_with_their_reasons(user):
    ben = person("ben")
    services.follow_create(follower=user, followee=ben)
    choir = group_of(person("owner"), "Choir")
    secret = group_of(person("keeper"), "Secret", private=True)
    add_member(choir, ben)
    add_member(secret, ben)

    response = client_for(user).get(GROUPS)

    assert response.status_code == 200
    results = {item["group"]["slug"]: item for item in response.json()["results"]}
    assert results[choir.slug]["reason"] == "@ben, whom you follow, is a member"
    assert results[choir.slug]["group"]["viewer_state"] is None
    # The private group is listed by name and size, as the groups list shows it, but who
    # is in it stays private.
    assert results[secret.slug]["reason"] == "popular: 2 members"
    assert results[secret.slug]["group"]["privacy"] == "private"


@pytest.mark.parametrize("limit", ["0", "51", "many"])
def test_a_bad_limit_is_explained(user, limit):
    response = client_for(user).get(PEOPLE, {"limit": limit})
    assert response.status_code == 400
    assert "limit" in response.json()


def test_the_person_or_group_being_viewed_is_left_out(user):
    carl, dora = person("carl"), person("dora")
    for author in (carl, dora):
        services.like_create(user=user, post=post_by(author))
    choir, band = group_of(person("owner"), "Choir"), group_of(person("lead"), "Band")
    for group in (choir, band):
        add_member(group, person())
    api = client_for(user)

    def names(url, **query):
        key, field = ("person", "username") if url == PEOPLE else ("group", "slug")
        response = api.get(url, query)
        assert response.status_code == 200
        return {item[key][field] for item in response.json()["results"]}

    assert names(PEOPLE) == {"carl", "dora"}
    assert names(PEOPLE, exclude=carl.pk) == {"dora"}
    assert names(GROUPS) == {choir.slug, band.slug}
    assert names(GROUPS, exclude=choir.pk) == {band.slug}


@pytest.mark.parametrize("exclude", ["0", "carl", "-3", "99999999999999999999"])
def test_a_bad_exclude_is_explained(user, exclude):
    response = client_for(user).get(PEOPLE, {"exclude": exclude})
    assert response.status_code == 400
    assert "exclude" in response.json()


def test_the_limit_limits(user):
    for n in range(3):
        services.like_create(user=user, post=post_by(person(f"author{n}")))
    assert len(client_for(user).get(PEOPLE, {"limit": 2}).json()["results"]) == 2


def test_trends_are_public_and_follow_the_viewers_visibility(api_client, user):
    blocker, writer = person("blocker"), person("writer")
    blocked_post = post_by(blocker, "#hot from someone who will block ana")
    post = post_by(writer, "#hot and @ana")
    engage(blocked_post, times=5)
    engage(post, times=3)
    trends.refresh_trends()
    services.block_create(blocker=blocker, blocked=user)

    anonymous = api_client.get(TRENDS)
    mine = client_for(user).get(TRENDS)

    assert anonymous.status_code == 200
    body = anonymous.json()
    assert [p["id"] for p in body["posts"]] == [blocked_post.pk, post.pk]
    assert [p["rank"] for p in body["posts"]] == [1, 2]
    assert body["hashtags"][0]["name"] == "hot" and body["hashtags"][0]["rank"] == 1
    assert body["computed_at"]
    assert [p["id"] for p in mine.json()["posts"]] == [post.pk]
    assert 'href="/@ana"' in mine.json()["posts"][0]["html"]


def test_the_endpoints_are_in_the_schema(settings):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if "feeds" in message
    ]
    GENERATOR_STATS.reset()

    validate_schema(schema)
    assert problems == []
    for url in (PEOPLE, GROUPS, TRENDS):
        assert "get" in schema["paths"][url]
    people = schema["paths"][PEOPLE]["get"]
    assert "401" in people["responses"] or people.get("security")
    item = schema["components"]["schemas"]["PersonSuggestion"]
    assert {"person", "reason", "reasons", "source"} <= set(item["properties"])


def test_the_api_costs_a_fixed_number_of_queries(user, django_assert_max_num_queries):
    client = client_for(user)

    def cost(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    grow_world(user, 0, 3)
    trends.refresh_trends()
    few = {url: cost(url) for url in (PEOPLE, GROUPS, TRENDS)}
    grow_world(user, 3, 20)
    trends.refresh_trends()
    many = {url: cost(url) for url in (PEOPLE, GROUPS, TRENDS)}

    assert all(many[url] <= few[url] for url in few), (few, many)
    with django_assert_max_num_queries(14):
        client.get(PEOPLE)
    with django_assert_max_num_queries(14):
        client.get(GROUPS)
    with django_assert_max_num_queries(8):
        client.get(TRENDS)


# --- the pages -------------------------------------------------------------------------


def test_pages_load_the_suggestions_card_after_they_render(client, user):
    carl = person("carl")
    services.like_create(user=user, post=post_by(carl))
    client.force_login(user)

    profile = client.get(reverse("social:profile", args=["carl"])).content.decode()
    explore = client.get(reverse("social:explore")).content.decode()

    slot = f'hx-get="/api/suggestions/people/?format=html&amp;limit=4&amp;exclude={carl.pk}"'
    assert f'{slot} hx-trigger="load"' in profile  # carl's own profile never suggests carl
    assert 'hx-get="/api/suggestions/people/?format=html&amp;limit=3"' in explore

    card = client.get(PEOPLE, {"format": "html", "limit": 4})
    assert card.status_code == 200 and card["Content-Type"].startswith("text/html")
    html = card.content.decode()
    assert "People to follow" in html
    assert "You liked 1 of their posts" in html
    assert 'action="/u/carl/follow/"' in html and 'name="variant" value="button"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_groups_card_has_join_buttons(client, user):
    ben = person("ben")
    services.follow_create(follower=user, followee=ben)
    choir = group_of(person("owner"), "Choir")
    add_member(choir, ben)
    client.force_login(user)

    html = client.get(GROUPS, {"format": "html"}).content.decode()

    assert "Groups to join" in html
    assert "@ben, whom you follow, is a member" in html
    assert f'action="/groups/{choir.slug}/join/"' in html


def test_signed_out_pages_have_no_suggestions_slot(client, user):
    html = client.get(reverse("social:profile", args=[user.username])).content.decode()
    assert "/api/suggestions/" not in html
    assert client.get(PEOPLE, {"format": "html"}).status_code in (401, 403)


def test_following_from_the_card_takes_the_person_out_of_the_next_card(client, user):
    carl = person("carl")
    services.like_create(user=user, post=post_by(carl))
    client.force_login(user)

    button = client.post("/u/carl/follow/", {"variant": "button"}, HTTP_HX_REQUEST="true")

    assert button.status_code == 200 and "Following" in button.content.decode()
    assert "carl" not in client.get(PEOPLE, {"format": "html"}).content.decode()
