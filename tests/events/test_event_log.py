"""Server-side actions write exactly one event, in the action's own transaction."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from events.models import Event, EventKind
from social import services as social
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def kinds(user=None):
    events = Event.objects.order_by("id")
    if user is not None:
        events = events.filter(user=user)
    return [EventKind(e.kind).name.lower() for e in events]


@pytest.fixture
def post(other_user):
    return social.post_create(author=other_user, text="Sourdough at dawn #bread")


def test_each_social_action_writes_one_event(user, other_user, post):
    Event.objects.all().delete()
    social.like_create(user=user, post=post)
    social.like_create(user=user, post=post)  # already liked: no second event
    social.like_delete(user=user, post=post)
    social.like_delete(user=user, post=post)  # nothing to undo: no event
    social.share_create(user=user, post=post, comment="look")
    social.share_delete(user=user, post=post)
    social.comment_create(author=user, post=post, text="Lovely crumb")
    social.follow_create(follower=user, followee=other_user)
    social.follow_create(follower=user, followee=other_user)
    social.follow_delete(follower=user, followee=other_user)
    group = social.group_create(owner=other_user, name="Bakers")
    social.group_join(user=user, group=group)
    social.group_join(user=user, group=group)
    social.group_leave(user=user, group=group)
    mine = social.post_create(author=user, text="My own loaf")
    assert kinds(user) == [
        "like", "unlike", "share", "unshare", "comment", "follow", "unfollow", "group_join",
        "group_leave", "post",
    ]  # fmt: skip
    like = Event.objects.filter(user=user, kind=EventKind.LIKE).get()
    assert like.post_id == post.pk
    assert Event.objects.get(kind=EventKind.FOLLOW).target_user_id == other_user.pk
    assert Event.objects.get(kind=EventKind.GROUP_JOIN).group_id == group.pk
    assert Event.objects.get(user=user, kind=EventKind.POST).post_id == mine.pk


def test_a_failed_action_writes_no_event(user, other_user, post):
    Event.objects.all().delete()
    with pytest.raises(ValidationError):
        social.post_create(author=user, text="x" * 501)
    with pytest.raises(ValidationError):
        social.comment_create(author=user, post=post, text="   ")
    social.block_create(blocker=other_user, blocked=user)
    with pytest.raises(PermissionDenied):
        social.like_create(user=user, post=post)
    with pytest.raises(PermissionDenied):
        social.follow_create(follower=user, followee=other_user)
    assert kinds(user) == []


def test_an_approved_join_request_is_a_group_join(user, other_user):
    group = social.group_create(owner=other_user, name="Secret bakers", privacy="private")
    social.group_join(user=user, group=group)
    assert kinds(user) == []  # a request is not a membership yet
    social.group_request_decide(moderator=other_user, group=group, user=user, approve=True)
    assert kinds(user) == ["group_join"]


def test_signup_and_login_are_events(client, api_client, password):
    client.post(reverse("accounts:signup"), {"username": "carla", "password": "river-lantern-93"})
    assert kinds() == ["signup"]
    person = UserFactory(username="dora")
    client.post(reverse("accounts:login"), {"username": "dora", "password": "wrong"})
    assert kinds(person) == []
    client.post(reverse("accounts:login"), {"username": "dora", "password": password})
    api_client.post("/api/auth/token/", {"username": "dora", "password": password}, format="json")
    assert kinds(person) == ["login", "login"]


def test_searches_are_logged_with_query_and_result_count(client, auth_client, user, post):
    client.force_login(user)
    client.get(reverse("social:search"), {"q": "sourdough"})
    event = Event.objects.get(kind=EventKind.SEARCH)
    assert (event.query, event.result_count, event.surface) == ("sourdough", 1, "search")
    auth_client.get("/api/search/", {"q": "nothing-matches-this"})
    api_event = Event.objects.filter(kind=EventKind.SEARCH).latest("id")
    assert (api_event.query, api_event.result_count, api_event.surface) == (
        "nothing-matches-this", 0, "api",
    )  # fmt: skip


def test_anonymous_searches_are_not_tied_to_anyone(client, post):
    client.get(reverse("social:search"), {"q": "sourdough"})
    assert not Event.objects.filter(kind=EventKind.SEARCH).exists()


def test_staff_can_browse_the_event_log_in_the_admin(client, staff_user, user, post):
    social.like_create(user=user, post=post)
    assert client.get("/admin/events/event/").status_code == 302
    client.force_login(user)
    assert client.get("/admin/events/event/").status_code == 302
    client.force_login(staff_user)
    page = client.get("/admin/events/event/?kind__exact=4")
    assert page.status_code == 200
    assert "ana" in page.content.decode()
    assert client.get("/admin/events/event/add/").status_code == 403
