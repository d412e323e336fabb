"""The notifications and reports APIs."""

import pytest

from social.models import Notification, Report
from tests.social.factories import CommentFactory, GroupFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(auth_client, other_client, user):
    """Ben likes, comments on and shares one of Ana's posts, then follows her."""
    post = PostFactory(author=user)
    other_client.post(f"/api/posts/{post.pk}/like/")
    other_client.post(f"/api/posts/{post.pk}/comments/", {"text": "Nice"}, format="json")
    other_client.post(f"/api/posts/{post.pk}/share/")
    other_client.post("/api/users/ana/follow/")
    return post


def test_notifications_newest_first_with_the_unread_count(auth_client, notified):
    body = auth_client.get("/api/notifications/").json()
    assert body["unread_count"] == 4
    assert [n["verb"] for n in body["results"]] == ["follow", "share", "comment", "like"]
    follow, share, comment, like = body["results"]
    assert share["group"] is None
    assert follow["actor"]["username"] == "ben" and follow["message"] == "followed you"
    assert like["post_id"] == notified.pk and like["unread"] is True
    assert comment["comment_id"] is not None
    assert auth_client.get("/api/notifications/unread-count/").json() == {"unread_count": 4}


def test_mark_some_then_all_read(auth_client, notified):
    ids = [n["id"] for n in auth_client.get("/api/notifications/").json()["results"]]
    response = auth_client.post("/api/notifications/read/", {"ids": ids[:2]}, format="json")
    assert response.json() == {"marked": 2, "unread_count": 2}
    response = auth_client.post("/api/notifications/read/", {}, format="json")
    assert response.json() == {"marked": 2, "unread_count": 0}
    assert all(n["read_at"] for n in auth_client.get("/api/notifications/").json()["results"])


def test_one_cannot_mark_someone_elses_notifications(other_client, notified):
    ids = list(Notification.objects.values_list("pk", flat=True))
    response = other_client.post("/api/notifications/read/", {"ids": ids}, format="json")
    assert response.json()["marked"] == 0
    assert Notification.objects.filter(read_at__isnull=True).count() == 4


def test_nobody_sees_someone_elses_notifications(other_client, staff_client, notified):
    assert other_client.get("/api/notifications/").json()["results"] == []
    assert staff_client.get("/api/notifications/").json()["unread_count"] == 0


@pytest.mark.parametrize(
    "data", [{"ids": "1,2"}, {"ids": ["x"]}, {"ids": [0]}, {"ids": list(range(1, 502))}]
)
def test_bad_ids_are_400(auth_client, data):
    response = auth_client.post("/api/notifications/read/", data, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()


def test_notifications_need_a_sign_in(api_client):
    assert api_client.get("/api/notifications/").status_code == 401
    assert api_client.get("/api/notifications/unread-count/").status_code == 401
    assert api_client.post("/api/notifications/read/").status_code == 401


def test_a_mention_in_a_private_group_does_not_notify_outsiders(auth_client, user, other_user):
    GroupFactory(owner=user, slug="secret", privacy="private")
    auth_client.post("/api/posts/", {"text": "hi @ben", "group": "secret"}, format="json")
    assert not Notification.objects.filter(recipient=other_user).exists()


# --- reports ---------------------------------------------------------------------------


def test_report_a_post_a_comment_and_a_person(other_client, other_user, user):
    post = PostFactory(author=user)
    comment = CommentFactory(post=post, author=user)
    for target, value, kind in [
        ("post", post.pk, "post"),
        ("comment", comment.pk, "comment"),
        ("username", "ana", "person"),
    ]:
        response = other_client.post(
            "/api/reports/", {"reason": "spam", target: value, "details": "ads"}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["target"] == kind and response.json()["status"] == "open"
    assert Report.objects.filter(reporter=other_user).count() == 3
    assert Report.objects.get(reported_user__isnull=False).reported_user == user


@pytest.mark.parametrize(
    "data, message",
    [
        ({"reason": "spam"}, "exactly one"),
        ({"reason": "spam", "post": 1, "username": "ana"}, "exactly one"),
        ({"reason": "boredom", "username": "ana"}, "Choose a reason"),
        ({"username": "ana"}, "required"),
        ({"reason": "spam", "post": "abc"}, "valid integer"),
        ({"reason": "spam", "username": "ana", "details": "d" * 1001}, "1000"),
    ],
)
def test_bad_reports_are_400(other_client, user, data, message):
    response = other_client.post("/api/reports/", data, format="json")
    assert response.status_code == 400
    assert message in str(response.json())
    assert not Report.objects.exists()


def test_reporting_unknown_things_is_404(other_client):
    for data in ({"post": 999999}, {"comment": 999999}, {"username": "nobody"}):
        response = other_client.post("/api/reports/", {"reason": "spam", **data}, format="json")
        assert response.status_code == 404


def test_reporting_oneself_is_refused(auth_client):
    response = auth_client.post("/api/reports/", {"reason": "spam", "username": "ana"})
    assert response.status_code == 400
    assert "cannot report yourself" in str(response.json())


def test_reports_need_a_sign_in(api_client, user):
    response = api_client.post("/api/reports/", {"reason": "spam", "username": "ana"})
    assert response.status_code == 401


def test_reports_are_not_readable_through_the_api(other_client, staff_client, user):
    other_client.post("/api/reports/", {"reason": "spam", "username": "ana"}, format="json")
    assert staff_client.get("/api/reports/").status_code == 405


def test_a_private_group_post_cannot_be_reported_by_outsiders(other_client, user):
    group = GroupFactory(owner=user, privacy="private")
    post = PostFactory(author=user, group=group)
    stranger_view = other_client.post(
        "/api/reports/", {"reason": "spam", "post": post.pk}, format="json"
    )
    assert stranger_view.status_code == 404
    assert not Report.objects.exists()
