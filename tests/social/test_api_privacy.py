"""Private group posts, hidden posts and suspended people never leak through any endpoint."""

import pytest

from social import services
from social.models import Follow, Post
from tests.factories import UserFactory
from tests.social.factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

SECRET = "saxophone secret plans"
# Posts here are written through the service, so hashtags are linked as in real use.


@pytest.fixture
def secret_post(other_user):
    """Ben posts in a private group Ana is not in; Ana follows Ben and shares nothing."""
    group = GroupFactory(owner=other_user, slug="hidden-room", privacy="private")
    return services.post_create(author=other_user, group=group, text=f"{SECRET} #sax")


def every_listing(client, post_id) -> dict:
    """Where a post could show up, and whether it does."""
    lists = {
        "explore": "/api/posts/?page_size=100",
        "profile": "/api/users/ben/posts/?page_size=100",
        "search posts": "/api/search/posts/?q=saxophone",
        "search hashtag": "/api/search/posts/?q=%23sax",
    }
    seen = {}
    for name, url in lists.items():
        response = client.get(url)
        results = response.json()["results"] if response.status_code == 200 else []
        seen[name] = post_id in [p["id"] for p in results]
    combined = client.get("/api/search/?q=saxophone").json()
    seen["search"] = post_id in [p["id"] for p in combined["posts"]]
    hashtags = client.get("/api/search/?q=%23sa").json()["hashtags"]
    seen["hashtags"] = "sax" in [t["name"] for t in hashtags]
    seen["detail"] = client.get(f"/api/posts/{post_id}/").status_code == 200
    if client.get("/api/timeline/home/").status_code == 200:
        home = client.get("/api/timeline/home/?page_size=100").json()["results"]
        seen["home"] = post_id in [p["id"] for p in home]
    return seen


def test_private_group_posts_are_invisible_to_outsiders(
    api_client, auth_client, staff_client, user, other_user, secret_post
):
    Follow.objects.create(follower=user, followee=other_user)
    for client in (api_client, auth_client, staff_client):
        seen = every_listing(client, secret_post.pk)
        assert not any(seen.values()), seen


def test_private_group_posts_are_visible_to_members(client_for, other_user, secret_post):
    member = UserFactory(username="carla")
    MembershipFactory(group=secret_post.group, user=member)
    Follow.objects.create(follower=member, followee=other_user)
    seen = every_listing(client_for(member), secret_post.pk)
    # Explore shows public posts only, even to members, and hashtag suggestions count public
    # posts only (a tag used only inside private groups is not suggested); the rest shows it.
    assert seen.pop("explore") is False
    assert seen.pop("hashtags") is False
    assert all(seen.values()), seen


def test_a_pending_request_sees_nothing(other_client, client_for, secret_post):
    asker = UserFactory(username="carla")
    MembershipFactory(group=secret_post.group, user=asker, state="pending")
    seen = every_listing(client_for(asker), secret_post.pk)
    assert not any(seen.values()), seen


def test_private_group_posts_cannot_be_liked_or_commented_by_outsiders(auth_client, secret_post):
    assert auth_client.post(f"/api/posts/{secret_post.pk}/like/").status_code == 404
    response = auth_client.post(
        f"/api/posts/{secret_post.pk}/comments/", {"text": "hi"}, format="json"
    )
    assert response.status_code == 404
    assert auth_client.get(f"/api/posts/{secret_post.pk}/comments/").status_code == 404


def test_hidden_posts_disappear_everywhere(auth_client, user, other_user):
    Follow.objects.create(follower=user, followee=other_user)
    post = services.post_create(author=other_user, text=f"{SECRET} #sax")
    assert all(every_listing(auth_client, post.pk).values())
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    seen = every_listing(auth_client, post.pk)
    assert not any(seen.values()), seen


def test_suspended_people_disappear_everywhere(auth_client, user, other_user):
    Follow.objects.create(follower=user, followee=other_user)
    post = services.post_create(author=other_user, text=f"{SECRET} #sax")
    other_user.is_active = False
    other_user.save()
    seen = every_listing(auth_client, post.pk)
    assert not any(seen.values()), seen
    assert auth_client.get("/api/users/ben/posts/").status_code == 404
    assert auth_client.get("/api/search/people/?q=ben").json()["results"] == []
