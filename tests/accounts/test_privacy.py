import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts.models import User
from events.models import Event, EventKind
from events.services import event_record
from feeds.matrix import build_interaction_matrix
from social import services as social
from social.models import Group, Post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_life(user, other_user):
    """Ana posts, comments, likes, shares, follows, joins, and is followed and seen."""
    mine = social.post_create(author=user, text="My first loaf #bread")
    theirs = social.post_create(author=other_user, text="Ben's jazz night")
    social.comment_create(author=user, post=theirs, text="Lovely")
    social.like_create(user=user, post=theirs)
    social.share_create(user=user, post=theirs, comment="go")
    social.follow_create(follower=user, followee=other_user)
    social.follow_create(follower=other_user, followee=user)
    group = social.group_create(owner=user, name="Bakers")
    social.group_join(user=other_user, group=group)
    event_record(EventKind.IMPRESSION, user=other_user, post=mine)
    return {"mine": mine, "theirs": theirs, "group": group}


def test_export_contains_every_section(client, user, active_life):
    client.force_login(user)
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    for section in (
        "profile",
        "posts",
        "comments",
        "likes",
        "shares",
        "following",
        "followers",
        "groups",
        "events",
    ):
        assert f"{section}.json" in names
    assert json.loads(archive.read("profile.json"))["username"] == "ana"
    assert json.loads(archive.read("posts.json"))[0]["text"] == "My first loaf #bread"
    assert json.loads(archive.read("comments.json"))[0]["text"] == "Lovely"
    assert len(json.loads(archive.read("likes.json"))) == 1
    assert json.loads(archive.read("following.json"))[0]["followee__username"] == "ben"
    events = json.loads(archive.read("events.json"))
    # only Ana's own actions, not Ben's impression of her post nor his follow of her
    assert [e["kind"] for e in events] == ["post", "comment", "like", "share", "follow"]


def test_export_api_returns_json_of_the_signed_in_person_only(auth_client, user, active_life):
    body = auth_client.get("/api/me/export/").json()
    assert body["profile"]["username"] == "ana"
    assert {p["text"] for p in body["posts"]} == {"My first loaf #bread"}
    assert {e["kind"] for e in body["events"]} == {"post", "comment", "like", "share", "follow"}


def test_export_needs_login(client, api_client):
    assert client.get(reverse("accounts:export")).status_code == 302
    assert api_client.get("/api/me/export/").status_code == 401


def test_deletion_needs_the_password(client, user, active_life):
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": "wrong"})
    assert response.status_code == 400
    assert "Nothing was deleted" in response.content.decode()
    assert User.objects.filter(username="ana").exists()


def test_deletion_leaves_nothing_behind(client, user, other_user, password, active_life):
    theirs = active_life["theirs"]
    group = active_life["group"]
    assert build_interaction_matrix().row_of(user.pk) is not None
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": password})
    assert response.status_code == 302
    assert not User.objects.filter(username="ana").exists()
    assert not Post.objects.filter(author_id=user.pk).exists()
    assert not Event.objects.filter(user_id=user.pk).exists()
    assert not Event.objects.filter(target_user_id=user.pk).exists()
    theirs.refresh_from_db()
    assert (theirs.like_count, theirs.share_count, theirs.comment_count) == (0, 0, 0)
    group = Group.objects.get(pk=group.pk)  # handed over, not deleted with its members
    assert group.owner == other_user and group.member_count == 1
    matrix = build_interaction_matrix()
    assert matrix.row_of(user.pk) is None
    assert client.get(reverse("accounts:settings")).status_code == 302  # logged out


def test_delete_through_the_api(api_client, password):
    person = UserFactory(username="dora")
    api_client.force_authenticate(person)
    assert api_client.delete("/api/me/", {"password": "nope"}, format="json").status_code == 400
    assert api_client.delete("/api/me/", {"password": password}, format="json").status_code == 204
    assert not User.objects.filter(username="dora").exists()
