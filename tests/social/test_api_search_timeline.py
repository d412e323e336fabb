"""Search, the home timeline, and the cursors that page through them."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from flywheel.pagination import encode_cursor
from social import services
from social.models import Follow, Post, Share
from tests.factories import UserFactory
from tests.social.factories import GroupFactory, MembershipFactory, PostFactory

pytestmark = pytest.mark.django_db


# --- search ----------------------------------------------------------------------------


@pytest.fixture
def searchable(user, other_user):
    services.post_create(author=other_user, text="Late night #jazz session downtown")
    services.post_create(author=user, text="Jazz jazz jazz: the best #jazz records")
    services.post_create(author=user, text="Cooking pasta tonight")
    GroupFactory(name="Jazz lovers", slug="jazz-lovers")
    UserFactory(username="jazzcat", display_name="Jazz Cat")


def test_search_everything_at_once(api_client, searchable):
    body = api_client.get("/api/search/?q=jazz").json()
    assert body["query"] == "jazz"
    # Ranked: the post that says jazz most often comes first.
    assert [p["text"][:15] for p in body["posts"]] == ["Jazz jazz jazz:", "Late night #jaz"]
    assert [p["username"] for p in body["people"]] == ["jazzcat"]
    assert body["hashtags"] == [{"name": "jazz", "post_count": 2}]
    assert [g["slug"] for g in body["groups"]] == ["jazz-lovers"]


def test_search_by_hashtag_and_by_name(auth_client, searchable):
    body = auth_client.get("/api/search/?q=%23jazz").json()
    assert len(body["posts"]) == 2 and body["hashtags"][0]["name"] == "jazz"
    people = auth_client.get("/api/search/?q=@ben").json()["people"]
    assert [p["username"] for p in people] == ["ben"]


def test_search_limit(api_client, searchable):
    body = api_client.get("/api/search/?q=jazz&limit=1").json()
    assert len(body["posts"]) == 1


@pytest.mark.parametrize("limit", ["0", "51", "many"])
def test_a_bad_search_limit_is_400(api_client, limit):
    response = api_client.get(f"/api/search/?q=jazz&limit={limit}")
    assert response.status_code == 400
    assert "limit" in response.json()


@pytest.mark.parametrize("query", ["", "   ", "#", "@", "'\"();--", "&|!:*", "x" * 5000])
def test_odd_queries_never_fail(api_client, searchable, query):
    response = api_client.get("/api/search/", {"q": query})
    assert response.status_code == 200
    assert len(response.json()["query"]) <= 100
    for kind in ("posts", "people", "hashtags", "groups"):
        assert api_client.get(f"/api/search/{kind}/", {"q": query}).status_code == 200


def test_search_posts_pages_through_ranked_results(api_client, other_user):
    for n in range(5):
        services.post_create(author=other_user, text="jazz " * (n + 1) + f"take {n}")
    ids, url = [], "/api/search/posts/?q=jazz&page_size=2"
    while url:
        body = api_client.get(url).json()
        ids += [p["id"] for p in body["results"]]
        url = body["next"]
    assert len(ids) == len(set(ids)) == 5


def test_search_people_and_groups_page_too(api_client):
    for n in range(5):
        UserFactory(username=f"drummer{n}")
        GroupFactory(name=f"Drummers {n}")
    people, url = [], "/api/search/people/?q=drummer&page_size=2"
    while url:
        body = api_client.get(url).json()
        people += [p["username"] for p in body["results"]]
        url = body["next"]
    assert people == [f"drummer{n}" for n in range(5)]
    groups = api_client.get("/api/search/groups/?q=drummers&page_size=10").json()["results"]
    assert len(groups) == 5


def test_search_hashtags_list(api_client, searchable):
    body = api_client.get("/api/search/hashtags/?q=ja").json()
    assert body["results"] == [{"name": "jazz", "post_count": 2}]


# --- home timeline ---------------------------------------------------------------------


def test_home_needs_a_sign_in(api_client):
    assert api_client.get("/api/timeline/home/").status_code == 401


@pytest.mark.usefixtures("chronological_home")
def test_home_has_followed_people_my_groups_and_shares(auth_client, user, other_user):
    carla, stranger = UserFactory(username="carla"), UserFactory(username="stranger")
    Follow.objects.create(follower=user, followee=other_user)
    group = GroupFactory(owner=carla, slug="book-club")
    MembershipFactory(group=group, user=user)
    mine = PostFactory(author=user, text="mine")
    followed = PostFactory(author=other_user, text="followed")
    in_group = PostFactory(author=carla, group=group, text="in my group")
    PostFactory(author=stranger, text="unrelated")
    shared = PostFactory(author=stranger, text="shared by ben")
    services.share_create(user=other_user, post=shared, comment="worth it")
    results = auth_client.get("/api/timeline/home/").json()["results"]
    assert [p["text"] for p in results] == [
        "shared by ben",
        "in my group",
        "followed",
        "mine",
    ]
    assert results[0]["shared_by"]["username"] == "ben"
    assert results[0]["shared_by"]["comment"] == "worth it"
    assert all(p["shared_by"] is None for p in results[1:])
    assert {mine.pk, followed.pk, in_group.pk} < {p["id"] for p in results}


@pytest.mark.usefixtures("chronological_home")
def test_an_old_post_shared_now_comes_first(auth_client, user, other_user):
    Follow.objects.create(follower=user, followee=other_user)
    old = PostFactory(text="old")
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    PostFactory(author=other_user, text="recent")
    Share.objects.create(user=other_user, post=old)
    results = auth_client.get("/api/timeline/home/").json()["results"]
    assert [p["text"] for p in results] == ["old", "recent"]
    assert results[0]["activity_at"] > results[1]["activity_at"]


@pytest.mark.usefixtures("chronological_home")
def test_home_pages_forward_and_back(auth_client, user):
    posts = [PostFactory(author=user) for _ in range(5)]
    first = auth_client.get("/api/timeline/home/?page_size=2").json()
    second = auth_client.get(first["next"]).json()
    third = auth_client.get(second["next"]).json()
    pages = [first, second, third]
    assert [p["id"] for page in pages for p in page["results"]] == [p.pk for p in posts[::-1]]
    assert third["next"] is None
    back = auth_client.get(third["previous"]).json()
    assert without_serve_tokens(back["results"]) == without_serve_tokens(second["results"])


def without_serve_tokens(items):
    """A page's posts as the person sees them: the serve token is signed with the time of
    the request (events.serve_tokens), so the same page fetched a second later carries
    another."""
    return [{k: v for k, v in item.items() if k != "serve"} for item in items]


def cursor(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "url, value",
    [
        ("/api/posts/", "not base64 at all!"),
        ("/api/posts/", cursor({"v": ["abc"]})),
        ("/api/posts/", cursor({"v": [1, 2]})),
        ("/api/posts/", cursor({"v": [[1]]})),
        ("/api/posts/", cursor(["just", "a", "list"])),
        ("/api/timeline/home/", cursor({"v": [{"dt": "yesterday"}, 1]})),
        ("/api/timeline/home/", cursor({"v": [{"dt": "2024-01-01T00:00:00+00:00"}, "x"]})),
        ("/api/groups/", cursor({"v": ["many", "a", "b"]})),
        ("/api/notifications/", cursor({"v": [None]})),
    ],
)
def test_tampered_cursors_are_400_not_500(auth_client, url, value):
    PostFactory()
    response = auth_client.get(url, {"cursor": value})
    assert response.status_code == 400
    assert "cursor is not valid" in response.json()["cursor"][0]


@pytest.mark.parametrize("size", ["abc", "0", "-3", "101", "1.5", "²", ""])
@pytest.mark.parametrize("url", ["/api/posts/", "/api/timeline/home/", "/api/groups/"])
def test_a_bad_page_size_is_a_400_that_says_what_to_send(auth_client, url, size):
    response = auth_client.get(url, {"page_size": size})
    assert response.status_code == 400
    assert response.json()["page_size"] == [
        f"Give a whole number from 1 to 100 (page_size={size})."
    ]


def test_a_good_page_size_is_used(auth_client):
    PostFactory.create_batch(3)
    assert len(auth_client.get("/api/posts/", {"page_size": "2"}).json()["results"]) == 2


def test_a_cursor_beyond_every_id_is_simply_the_first_page(api_client):
    post = PostFactory()
    response = api_client.get("/api/posts/", {"cursor": encode_cursor([10**30])})
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [post.pk]


def test_page_size_must_be_a_whole_number_up_to_the_cap(api_client):
    for _ in range(3):
        PostFactory()
    assert len(api_client.get("/api/posts/?page_size=1").json()["results"]) == 1
    assert api_client.get("/api/posts/?page_size=nonsense").status_code == 400
    assert api_client.get("/api/posts/?page_size=100000").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/users/a%00b/",
        "/api/users/a%00b/posts/",
        "/api/groups/a%00b/",
        "/api/groups/a%00b/members/",
        "/api/posts/1%00/",
        "/api/comments/1%00/",
        "/api/search/?q=a%00b",
        "/api/search/posts/?q=a%00b",
        "/api/search/people/?q=a%00b",
        "/api/search/hashtags/?q=a%00b",
        "/api/search/groups/?q=a%00b",
    ],
)
def test_nul_characters_are_refused_not_a_database_error(auth_client, url):
    # PostgreSQL text cannot hold NUL; sending one must not reach the database.
    response = auth_client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize("data", [{"text": "a\x00b"}, {"text": "ok", "group": "a\x00b"}])
def test_nul_characters_in_a_post_are_400(auth_client, data):
    response = auth_client.post("/api/posts/", data, format="json")
    assert response.status_code == 400


def test_nul_in_a_report_or_a_request_decision(auth_client, user):
    GroupFactory(owner=user, slug="club", privacy="private")
    response = auth_client.post("/api/reports/", {"reason": "spam", "username": "a\x00"})
    assert response.status_code == 400
    decision = auth_client.post("/api/groups/club/requests/a%00b/", {"approve": True})
    assert decision.status_code == 400
