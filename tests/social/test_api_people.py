"""The people API: profiles, follows, blocks and mutes, and what a block takes away."""

import pytest

from social.models import Block, Follow, Like, Mute, Notification
from tests.factories import UserFactory
from tests.social.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_profile_with_counts_and_the_relationship(auth_client, user, other_user):
    PostFactory(author=other_user)
    Follow.objects.create(follower=user, followee=other_user)
    body = auth_client.get("/api/users/ben/").json()
    assert body["username"] == "ben" and body["display_name"] == "Ben Okafor"
    assert body["counts"] == {"posts": 1, "followers": 1, "following": 0}
    assert body["relationship"] == {
        "following": True,
        "followed_by": False,
        "blocking": False,
        "muting": False,
    }


def test_a_profile_signed_out_has_no_relationship(api_client, other_user):
    body = api_client.get("/api/users/BEN/").json()
    assert body["username"] == "ben"
    assert not any(body["relationship"].values())


def test_unknown_and_suspended_people_are_404(api_client, other_user):
    assert api_client.get("/api/users/nobody/").status_code == 404
    other_user.is_active = False
    other_user.save()
    response = api_client.get("/api/users/ben/")
    assert response.status_code == 404
    assert "no one called @ben" in response.json()["detail"]


def test_profile_posts(api_client, other_user):
    posts = [PostFactory(author=other_user) for _ in range(3)]
    PostFactory()  # someone else's
    body = api_client.get("/api/users/ben/posts/").json()
    assert [p["id"] for p in body["results"]] == [p.pk for p in reversed(posts)]


# --- follow ----------------------------------------------------------------------------


def test_follow_and_unfollow(auth_client, user, other_user):
    response = auth_client.post("/api/users/ben/follow/")
    assert response.status_code == 201
    assert response.json()["relationship"]["following"] is True
    assert response.json()["counts"]["followers"] == 1
    assert auth_client.post("/api/users/ben/follow/").status_code == 200
    assert Follow.objects.filter(follower=user, followee=other_user).count() == 1
    assert Notification.objects.filter(verb="follow", recipient=other_user).count() == 1
    undone = auth_client.delete("/api/users/ben/follow/")
    assert undone.status_code == 200 and undone.json()["relationship"]["following"] is False
    assert not Follow.objects.exists()


@pytest.mark.parametrize("relation", ["follow", "block", "mute"])
def test_relations_need_a_sign_in(api_client, other_user, relation):
    assert api_client.post(f"/api/users/ben/{relation}/").status_code == 401
    assert api_client.delete(f"/api/users/ben/{relation}/").status_code == 401


@pytest.mark.parametrize("relation", ["follow", "block", "mute"])
def test_relations_with_oneself_are_refused(auth_client, relation):
    response = auth_client.post(f"/api/users/ana/{relation}/")
    assert response.status_code == 400
    assert "yourself" in str(response.json())


@pytest.mark.parametrize("relation", ["follow", "block", "mute"])
def test_relations_with_unknown_people_are_404(auth_client, relation):
    assert auth_client.post(f"/api/users/nobody/{relation}/").status_code == 404


def test_staff_follow_like_anyone_else(staff_client, other_user):
    assert staff_client.post("/api/users/ben/follow/").status_code == 201


def test_followers_and_following_lists(api_client, user, other_user):
    carla, dan = UserFactory(username="carla"), UserFactory(username="dan")
    for follower in (user, carla, dan):
        Follow.objects.create(follower=follower, followee=other_user)
    Follow.objects.create(follower=other_user, followee=carla)
    followers = api_client.get("/api/users/ben/followers/?page_size=2").json()
    assert [p["username"] for p in followers["results"]] == ["dan", "carla"]
    rest = api_client.get(followers["next"]).json()
    assert [p["username"] for p in rest["results"]] == ["ana"] and rest["next"] is None
    following = api_client.get("/api/users/ben/following/").json()
    assert [p["username"] for p in following["results"]] == ["carla"]


def test_followers_say_whether_the_viewer_follows_them(auth_client, user, other_user):
    carla = UserFactory(username="carla")
    Follow.objects.create(follower=carla, followee=other_user)
    Follow.objects.create(follower=user, followee=carla)
    results = auth_client.get("/api/users/ben/followers/").json()["results"]
    assert results == [
        {
            "username": "carla",
            "display_name": carla.name,
            "avatar_url": None,
            "bio": "",
            "viewer_follows": True,
        }
    ]


# --- block and mute --------------------------------------------------------------------


def test_blocking_ends_follows_both_ways(auth_client, user, other_user):
    Follow.objects.create(follower=user, followee=other_user)
    Follow.objects.create(follower=other_user, followee=user)
    response = auth_client.post("/api/users/ben/block/")
    assert response.status_code == 201
    assert response.json()["relationship"]["blocking"] is True
    assert not Follow.objects.exists()
    assert auth_client.post("/api/users/ben/block/").status_code == 200
    undone = auth_client.delete("/api/users/ben/block/")
    assert undone.status_code == 200 and undone.json()["relationship"]["blocking"] is False
    assert not Block.objects.exists()


def test_a_blocked_person_cannot_see_the_blocker(auth_client, other_client, user):
    post = PostFactory(author=user)
    auth_client.post("/api/users/ben/block/")
    assert other_client.get("/api/users/ana/").status_code == 404
    assert other_client.get(f"/api/posts/{post.pk}/").status_code == 404
    assert other_client.get("/api/users/ana/posts/").status_code == 404
    assert post.pk not in [p["id"] for p in other_client.get("/api/posts/").json()["results"]]
    assert other_client.get("/api/search/?q=ana").json()["people"] == []


def test_a_blocked_person_cannot_like_comment_share_or_follow(auth_client, other_client, user):
    post = PostFactory(author=user)
    auth_client.post("/api/users/ben/block/")
    assert other_client.post(f"/api/posts/{post.pk}/like/").status_code == 404
    assert other_client.post(f"/api/posts/{post.pk}/share/").status_code == 404
    comment = other_client.post(f"/api/posts/{post.pk}/comments/", {"text": "hi"}, format="json")
    assert comment.status_code == 404
    assert other_client.post("/api/users/ana/follow/").status_code == 404
    assert not Like.objects.exists() and not Follow.objects.exists()


def test_the_blocker_cannot_follow_the_blocked_either(auth_client, other_user):
    auth_client.post("/api/users/ben/block/")
    response = auth_client.post("/api/users/ben/follow/")
    assert response.status_code == 403
    assert "cannot follow" in response.json()["detail"]


def test_mute_and_unmute(auth_client, user, other_user):
    response = auth_client.post("/api/users/ben/mute/")
    assert response.status_code == 201 and response.json()["relationship"]["muting"] is True
    assert Mute.objects.filter(muter=user, muted=other_user).exists()
    assert auth_client.post("/api/users/ben/mute/").status_code == 200
    undone = auth_client.delete("/api/users/ben/mute/")
    assert undone.status_code == 200 and undone.json()["relationship"]["muting"] is False


def test_muted_people_leave_explore_and_home(auth_client, user, other_user):
    Follow.objects.create(follower=user, followee=other_user)
    post = PostFactory(author=other_user)
    assert auth_client.get("/api/timeline/home/").json()["results"][0]["id"] == post.pk
    auth_client.post("/api/users/ben/mute/")
    assert auth_client.get("/api/timeline/home/").json()["results"] == []
    assert auth_client.get("/api/posts/").json()["results"] == []
    # Muting hides, it does not block: the post itself is still there.
    assert auth_client.get(f"/api/posts/{post.pk}/").status_code == 200
