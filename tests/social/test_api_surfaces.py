"""The JSON API's reactions say where they were made (`surface`, optional, checked), and a
person's posts list their shares as the profile page does."""

import pytest
from rest_framework.test import APIClient

from events.models import Event, EventKind
from social import services
from social.models import Like, Share
from tests.factories import UserFactory
from tests.social.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(user):
    return PostFactory(author=user, text="Morning #jazz")


def recorded(user, kind) -> list[str]:
    return list(Event.objects.filter(user=user, kind=kind).values_list("surface", flat=True))


def test_likes_and_unlikes_record_the_surface_sent(other_client, other_user, post):
    url = f"/api/posts/{post.pk}/like/"
    assert other_client.post(url, {"surface": "following"}, format="json").status_code == 201
    # A DELETE may carry it in a JSON body or in the query.
    assert other_client.delete(url, {"surface": "home"}, format="json").status_code == 200
    other_client.post(url, {"surface": "home"}, format="json")
    assert other_client.delete(f"{url}?surface=profile").status_code == 200
    assert recorded(other_user, EventKind.LIKE) == ["following", "home"]
    assert recorded(other_user, EventKind.UNLIKE) == ["home", "profile"]


def test_shares_unshares_and_comments_record_the_surface_sent(other_client, other_user, post):
    share = f"/api/posts/{post.pk}/share/"
    body = {"comment": "listen", "surface": "explore"}
    assert other_client.post(share, body, format="json").status_code == 201
    assert Share.objects.get().comment == "listen"
    assert other_client.delete(share, {"surface": "search"}, format="json").status_code == 200
    comment = {"text": "lovely", "surface": "home"}
    assert (
        other_client.post(f"/api/posts/{post.pk}/comments/", comment, format="json").status_code
        == 201
    )
    assert recorded(other_user, EventKind.SHARE) == ["explore"]
    assert recorded(other_user, EventKind.UNSHARE) == ["search"]
    assert recorded(other_user, EventKind.COMMENT) == ["home"]


def test_no_surface_is_other(other_client, other_user, post):
    other_client.post(f"/api/posts/{post.pk}/like/")
    other_client.post(f"/api/posts/{post.pk}/share/", {}, format="json")
    assert recorded(other_user, EventKind.LIKE) == recorded(other_user, EventKind.SHARE) == [""]


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "like/", {"surface": "sidebar"}),
        ("delete", "like/", {"surface": "sidebar"}),
        ("post", "share/", {"surface": "sidebar"}),
        ("delete", "share/?surface=sidebar", None),
        ("post", "comments/", {"text": "hi", "surface": "sidebar"}),
    ],
)
def test_an_unknown_surface_is_a_400_that_names_the_choices(
    other_client, other_user, post, method, path, body
):
    services.like_create(user=other_user, post=post)
    services.share_create(user=other_user, post=post)
    before = Event.objects.count()
    response = getattr(other_client, method)(f"/api/posts/{post.pk}/{path}", body, format="json")
    assert response.status_code == 400
    message = response.json()["surface"][0]
    assert message.startswith("Unknown surface “sidebar”: use one of home, following")
    assert Event.objects.count() == before
    assert Like.objects.count() == Share.objects.count() == 1


def test_a_missing_post_is_404_before_the_surface_is_read(other_client):
    response = other_client.post("/api/posts/424242/like/", {"surface": "x"}, format="json")
    assert response.status_code == 404


def test_anonymous_people_still_cannot_react(post):
    response = APIClient().post(f"/api/posts/{post.pk}/like/", {"surface": "home"}, format="json")
    assert response.status_code in (401, 403)
    assert not Like.objects.exists() and not Event.objects.filter(kind=EventKind.LIKE).exists()


# --- a person's posts and shares --------------------------------------------------------


def test_a_persons_posts_list_their_shares_like_their_profile(api_client, user, other_user):
    own = PostFactory(author=other_user, text="ben writes")
    plain = PostFactory(author=user, text="shared as is")
    commented = PostFactory(author=user, text="shared with a word")
    services.share_create(user=other_user, post=plain)
    services.share_create(user=other_user, post=commented, comment="read this")
    PostFactory(author=user, text="not shared")
    body = api_client.get("/api/users/ben/posts/").json()
    listed = {item["id"]: item for item in body["results"]}
    assert [item["id"] for item in body["results"]] == [commented.pk, plain.pk, own.pk]
    assert listed[own.pk]["shared_by"] is None
    assert listed[plain.pk]["shared_by"]["username"] == "ben"
    assert listed[plain.pk]["shared_by"]["comment"] == ""
    assert listed[commented.pk]["shared_by"]["comment"] == "read this"
    assert listed[commented.pk]["author"]["username"] == "ana"
    assert listed[commented.pk]["activity_at"] == listed[commented.pk]["shared_by"]["shared_at"]


def test_shared_posts_the_viewer_may_not_see_stay_hidden(client_for, user, other_user):
    own = PostFactory(author=other_user, text="ben's")
    services.share_create(user=other_user, post=PostFactory(author=user, text="ana's"))
    carl = UserFactory(username="carl")
    services.block_create(blocker=user, blocked=carl)  # ana's posts are hidden from carl
    listed = client_for(carl).get("/api/users/ben/posts/").json()["results"]
    assert [item["id"] for item in listed] == [own.pk]


def test_the_schema_says_what_a_profile_lists_and_what_surface_takes():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    listing = schema["paths"]["/api/users/{username}/posts/"]["get"]
    assert "shares" in listing["summary"]
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    results = schema["components"]["schemas"][page.rsplit("/", 1)[1]]["properties"]["results"]
    item = results["items"]["$ref"].rsplit("/", 1)[1]
    assert "shared_by" in schema["components"]["schemas"][item]["properties"]
    like = schema["paths"]["/api/posts/{id}/like/"]
    assert "surface" in [p["name"] for p in like["delete"]["parameters"]]
    reaction = like["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    surface = schema["components"]["schemas"][reaction.rsplit("/", 1)[1]]["properties"]["surface"]
    assert "For you" in surface["description"]
