"""The posts API: writing, reading, editing, deleting, likes, shares and comments, tried as
a stranger (anonymous), another person, the owner and staff, with bad input of every kind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from social.models import Comment, Like, Notification, Post, Share
from social.services import mute_create
from social.text_html import render_missing
from tests.factories import UserFactory
from tests.social.factories import (
    CommentFactory,
    GroupFactory,
    MembershipFactory,
    PostFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(user):
    return PostFactory(author=user, text="Morning #jazz with @ben")


# --- create ----------------------------------------------------------------------------


def test_create_a_post_with_json(auth_client, user, other_user):
    response = auth_client.post("/api/posts/", {"text": "Hello #Jazz @ben"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    post = Post.objects.get(pk=body["id"])
    assert post.author == user and post.text == "Hello #Jazz @ben"
    assert body["author"] == {"username": "ana", "display_name": "Ana Lima", "avatar_url": None}
    assert body["group"] is None and body["image_url"] is None and body["edited_at"] is None
    assert body["like_count"] == body["share_count"] == body["comment_count"] == 0
    assert body["viewer_liked"] is False and body["viewer_shared"] is False
    assert 'href="/tags/jazz/"' in body["html"] and 'class="mention"' in body["html"]


def test_create_a_post_with_an_image(auth_client):
    response = auth_client.post(
        "/api/posts/", {"text": "A picture", "image": image_upload()}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    image_url = response.json()["image_url"]
    assert image_url.startswith("http://testserver/media/posts/")
    assert Post.objects.get().image.name.startswith("posts/")


def test_create_a_post_in_a_group_i_belong_to(auth_client, user):
    group = GroupFactory(owner=user, slug="jazz-club", name="Jazz club")
    response = auth_client.post(
        "/api/posts/", {"text": "Rehearsal at 8", "group": "jazz-club"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["group"] == {"slug": "jazz-club", "name": "Jazz club"}
    assert Post.objects.get().group == group


def test_posting_in_a_group_one_is_not_in_is_forbidden(auth_client, other_user):
    GroupFactory(owner=other_user, slug="theirs")
    response = auth_client.post("/api/posts/", {"text": "Hi", "group": "theirs"}, format="json")
    assert response.status_code == 403
    assert "Join the group" in response.json()["detail"]
    assert not Post.objects.exists()


def test_posting_anonymously_is_401(api_client):
    response = api_client.post("/api/posts/", {"text": "Hi"}, format="json")
    assert response.status_code == 401
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"text": ""}, "text", "empty"),
        ({"text": "   "}, "text", "empty"),
        ({}, "text", "empty"),
        ({"text": None}, "text", "empty"),
        ({"text": "x" * 501}, "text", "limit is 500"),
        ({"text": ["a", "list"]}, "text", "must be text"),
        ({"text": "Hi", "group": "no-such-group"}, "group", "There is no group"),
        ({"text": "Hi", "group": "not a slug!"}, "group", "slug"),
        ({"text": "Hi", "image": "not-a-file"}, "image", "not a file"),
    ],
)
def test_bad_posts_are_refused_with_a_clear_message(auth_client, data, field, message):
    response = auth_client.post("/api/posts/", data, format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert not Post.objects.exists()


def test_exactly_500_characters_is_fine(auth_client):
    response = auth_client.post("/api/posts/", {"text": "x" * 500}, format="json")
    assert response.status_code == 201


def test_a_fake_image_is_refused(auth_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cat.png", b"this is not a picture", content_type="image/png")
    response = auth_client.post("/api/posts/", {"text": "Hi", "image": fake}, format="multipart")
    assert response.status_code == 400
    assert "not an image we can read" in str(response.json()["image"])
    assert not Post.objects.exists()


def test_an_oversized_image_is_refused(auth_client, settings):
    settings.MAX_IMAGE_BYTES = 1024
    big = image_upload("big.png", size=(400, 400))
    response = auth_client.post("/api/posts/", {"text": "Hi", "image": big}, format="multipart")
    assert response.status_code == 400
    assert "the limit is" in str(response.json()["image"])
    assert not Post.objects.exists()


def test_an_unsupported_image_type_is_refused(auth_client):
    bmp = image_upload("old.bmp", image_format="BMP")
    response = auth_client.post("/api/posts/", {"text": "Hi", "image": bmp}, format="multipart")
    assert response.status_code == 400
    assert "not supported" in str(response.json()["image"])


def test_malformed_json_is_a_400(auth_client):
    response = auth_client.post("/api/posts/", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


# --- read ------------------------------------------------------------------------------


def test_read_a_post_signed_out(api_client, post):
    response = api_client.get(f"/api/posts/{post.pk}/")
    assert response.status_code == 200
    assert response.json()["text"] == "Morning #jazz with @ben"


def test_html_escapes_what_people_type(auth_client, user):
    post = PostFactory(author=user, text='<script>alert(1)</script> <img src=x onerror="a()">')
    html = auth_client.get(f"/api/posts/{post.pk}/").json()["html"]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_mentions_link_only_to_people_who_exist(auth_client, other_user):
    response = auth_client.post("/api/posts/", {"text": "hi @ben and @nobody"}, format="json")
    html = response.json()["html"]
    assert 'href="/@ben"' in html
    assert "@nobody" in html and 'href="/@nobody"' not in html


@pytest.mark.parametrize("post_id", ["999999", "abc", "1.5", "-1", "9" * 30])
def test_unknown_or_malformed_post_ids_are_404(auth_client, post_id):
    response = auth_client.get(f"/api/posts/{post_id}/")
    assert response.status_code == 404
    assert "does not exist" in response.json()["detail"]


def test_explore_lists_newest_first_with_a_cursor(api_client):
    posts = [PostFactory() for _ in range(5)]
    first = api_client.get("/api/posts/?page_size=2").json()
    assert [p["id"] for p in first["results"]] == [posts[4].pk, posts[3].pk]
    assert first["previous"] is None
    second = api_client.get(first["next"]).json()
    assert [p["id"] for p in second["results"]] == [posts[2].pk, posts[1].pk]
    third = api_client.get(second["next"]).json()
    assert [p["id"] for p in third["results"]] == [posts[0].pk]
    assert third["next"] is None
    back = api_client.get(third["previous"]).json()
    assert [p["id"] for p in back["results"]] == [posts[2].pk, posts[1].pk]


def test_viewer_flags_follow_the_viewer(auth_client, user, post):
    Like.objects.create(user=user, post=post)
    body = auth_client.get("/api/posts/").json()["results"][0]
    assert body["viewer_liked"] is True and body["viewer_shared"] is False


# --- edit ------------------------------------------------------------------------------


def test_the_author_edits_within_the_window(auth_client, post):
    response = auth_client.patch(f"/api/posts/{post.pk}/", {"text": "Edited"}, format="json")
    assert response.status_code == 200
    assert response.json()["text"] == "Edited" and response.json()["edited_at"]
    post.refresh_from_db()
    assert post.text == "Edited"


def test_editing_after_the_window_is_refused(auth_client, post):
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=1))
    response = auth_client.patch(f"/api/posts/{post.pk}/", {"text": "Late"}, format="json")
    assert response.status_code == 400
    assert "can be edited for 15 minutes" in str(response.json()["text"])


@pytest.mark.parametrize(
    "who, expected", [("anonymous", 401), ("other", 403), ("staff", 403), ("owner", 200)]
)
def test_who_may_edit(who, expected, post, api_client, auth_client, other_client, staff_client):
    client = {
        "anonymous": api_client,
        "other": other_client,
        "staff": staff_client,
        "owner": auth_client,
    }[who]
    response = client.patch(f"/api/posts/{post.pk}/", {"text": "Changed"}, format="json")
    assert response.status_code == expected
    post.refresh_from_db()
    assert (post.text == "Changed") is (expected == 200)


@pytest.mark.parametrize("text, message", [("", "empty"), ("y" * 501, "limit is 500")])
def test_editing_to_bad_text_is_refused(auth_client, post, text, message):
    response = auth_client.patch(f"/api/posts/{post.pk}/", {"text": text}, format="json")
    assert response.status_code == 400
    assert message in str(response.json()["text"])


def test_put_is_not_offered(auth_client, post):
    response = auth_client.put(f"/api/posts/{post.pk}/", {"text": "x"}, format="json")
    assert response.status_code == 405


# --- delete ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, expected", [("anonymous", 401), ("other", 403), ("staff", 204), ("owner", 204)]
)
def test_who_may_delete(who, expected, post, api_client, auth_client, other_client, staff_client):
    client = {
        "anonymous": api_client,
        "other": other_client,
        "staff": staff_client,
        "owner": auth_client,
    }[who]
    response = client.delete(f"/api/posts/{post.pk}/")
    assert response.status_code == expected
    assert Post.objects.filter(pk=post.pk).exists() is (expected != 204)


def test_deleting_a_deleted_post_is_404(auth_client, post):
    assert auth_client.delete(f"/api/posts/{post.pk}/").status_code == 204
    assert auth_client.delete(f"/api/posts/{post.pk}/").status_code == 404


# --- likes and shares ------------------------------------------------------------------


def test_like_and_unlike(other_client, other_user, post):
    response = other_client.post(f"/api/posts/{post.pk}/like/")
    assert response.status_code == 201
    assert response.json()["like_count"] == 1 and response.json()["viewer_liked"] is True
    again = other_client.post(f"/api/posts/{post.pk}/like/")
    assert again.status_code == 200 and again.json()["like_count"] == 1
    assert Notification.objects.filter(verb="like", actor=other_user).count() == 1
    undone = other_client.delete(f"/api/posts/{post.pk}/like/")
    assert undone.status_code == 200
    assert undone.json()["like_count"] == 0 and undone.json()["viewer_liked"] is False
    assert other_client.delete(f"/api/posts/{post.pk}/like/").json()["like_count"] == 0


@pytest.mark.parametrize("post_id", ["999999", "abc", "1.5", "-1", "0", "9" * 30])
@pytest.mark.parametrize("action", ["like", "share"])
def test_likes_and_shares_of_unknown_or_malformed_post_ids_are_404(other_client, post_id, action):
    for method in ("post", "delete"):
        response = getattr(other_client, method)(f"/api/posts/{post_id}/{action}/")
        assert response.status_code == 404
        assert "does not exist" in response.json()["detail"]


def test_a_like_answers_with_the_card_reading_the_post_gives(other_client, other_user, user):
    """The like's card comes from one prepared statement, not the serializer: the two must
    agree, field for field, for a group post with an image by someone the liker muted (a
    muted author's post is left out of lists, not out of reach)."""
    group = GroupFactory(privacy="public")
    MembershipFactory(user=user, group=group)
    post = PostFactory(author=user, group=group, text="Look @ben #jazz", image="posts/a.png")
    mute_create(muter=other_user, muted=user)
    liked = other_client.post(f"/api/posts/{post.pk}/like/", {"surface": "home"}, format="json")
    assert liked.status_code == 201
    assert liked.json() == other_client.get(f"/api/posts/{post.pk}/").json()
    assert liked.json()["viewer_liked"] is True and liked.json()["like_count"] == 1
    shared = other_client.post(f"/api/posts/{post.pk}/share/")
    assert shared.json() == other_client.get(f"/api/posts/{post.pk}/").json()


def test_a_like_costs_a_fixed_number_of_statements(
    other_client, user, django_assert_max_num_queries
):
    posts = PostFactory.create_batch(3, author=user)
    render_missing()  # as posts written through the services are
    other_client.post(f"/api/posts/{posts[0].pk}/like/")  # the first party application, once
    # the token; the post; the transaction; block and visibility; the like in a savepoint
    # (3); its counter, event and notification; the commit; the fresh card
    with django_assert_max_num_queries(12):
        assert other_client.post(f"/api/posts/{posts[1].pk}/like/").status_code == 201
    with django_assert_max_num_queries(12):
        assert other_client.delete(f"/api/posts/{posts[1].pk}/like/").status_code == 200


@pytest.mark.parametrize("action", ["like", "share"])
def test_anonymous_likes_and_shares_are_401(api_client, post, action):
    assert api_client.post(f"/api/posts/{post.pk}/{action}/").status_code == 401
    assert api_client.delete(f"/api/posts/{post.pk}/{action}/").status_code == 401


def test_like_on_a_deleted_post_is_404(other_client, post):
    post_id = post.pk
    post.delete()
    response = other_client.post(f"/api/posts/{post_id}/like/")
    assert response.status_code == 404
    assert not Like.objects.exists()


def test_like_on_a_hidden_post_is_404(other_client, post):
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    assert other_client.post(f"/api/posts/{post.pk}/like/").status_code == 404


def test_staff_and_owners_can_like_too(auth_client, staff_client, post):
    assert auth_client.post(f"/api/posts/{post.pk}/like/").status_code == 201
    assert staff_client.post(f"/api/posts/{post.pk}/like/").json()["like_count"] == 2


def test_share_with_a_comment_and_undo(other_client, other_user, post):
    response = other_client.post(
        f"/api/posts/{post.pk}/share/", {"comment": "Read this"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["share_count"] == 1 and response.json()["viewer_shared"] is True
    assert Share.objects.get().comment == "Read this"
    assert other_client.post(f"/api/posts/{post.pk}/share/").status_code == 200
    undone = other_client.delete(f"/api/posts/{post.pk}/share/")
    assert undone.status_code == 200 and undone.json()["share_count"] == 0


def test_a_share_comment_over_280_characters_is_refused(other_client, post):
    response = other_client.post(
        f"/api/posts/{post.pk}/share/", {"comment": "z" * 281}, format="json"
    )
    assert response.status_code == 400
    assert "280" in str(response.json()["comment"])
    assert not Share.objects.exists()


def test_private_group_posts_cannot_be_shared(other_client, other_user, user):
    group = GroupFactory(owner=user, privacy="private")
    MembershipFactory(group=group, user=other_user)
    post = PostFactory(author=user, group=group)
    response = other_client.post(f"/api/posts/{post.pk}/share/")
    assert response.status_code == 403
    assert "private groups" in response.json()["detail"]


# --- comments --------------------------------------------------------------------------


def test_comment_and_list_comments_oldest_first(other_client, api_client, post):
    first = other_client.post(f"/api/posts/{post.pk}/comments/", {"text": "One"}, format="json")
    assert first.status_code == 201
    assert first.json()["author"]["username"] == "ben" and first.json()["post_id"] == post.pk
    other_client.post(f"/api/posts/{post.pk}/comments/", {"text": "Two"}, format="json")
    listed = api_client.get(f"/api/posts/{post.pk}/comments/").json()
    assert [c["text"] for c in listed["results"]] == ["One", "Two"]
    assert api_client.get(f"/api/posts/{post.pk}/").json()["comment_count"] == 2


@pytest.mark.parametrize("text, message", [("", "empty"), ("c" * 501, "limit is 500")])
def test_bad_comments_are_refused(other_client, post, text, message):
    response = other_client.post(f"/api/posts/{post.pk}/comments/", {"text": text}, format="json")
    assert response.status_code == 400
    assert message in str(response.json()["text"])
    assert not Comment.objects.exists()


def test_anonymous_comments_are_401(api_client, post):
    response = api_client.post(f"/api/posts/{post.pk}/comments/", {"text": "Hi"}, format="json")
    assert response.status_code == 401


def test_commenting_on_an_unknown_post_is_404(other_client):
    response = other_client.post("/api/posts/424242/comments/", {"text": "Hi"}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("comment_author", 204),
        ("post_author", 204),
        ("staff", 204),
    ],
)
def test_who_may_delete_a_comment(who, expected, client_for, api_client, user, staff_user):
    commenter, stranger = UserFactory(username="carla"), UserFactory(username="dan")
    post = PostFactory(author=user)
    comment = CommentFactory(post=post, author=commenter)
    client = {
        "anonymous": api_client,
        "stranger": client_for(stranger),
        "comment_author": client_for(commenter),
        "post_author": client_for(user),
        "staff": client_for(staff_user),
    }[who]
    response = client.delete(f"/api/comments/{comment.pk}/")
    assert response.status_code == expected
    assert Comment.objects.filter(pk=comment.pk).exists() is (expected != 204)
    post.refresh_from_db()
    assert post.comment_count == (0 if expected == 204 else 1)


def test_delete_a_comment_through_its_post(other_client, other_user, post):
    comment = CommentFactory(post=post, author=other_user)
    response = other_client.delete(f"/api/posts/{post.pk}/comments/{comment.pk}/")
    assert response.status_code == 204
    assert not Comment.objects.exists()


def test_a_comment_id_from_another_post_is_404(other_client, other_user, post):
    elsewhere = CommentFactory(author=other_user)
    response = other_client.delete(f"/api/posts/{post.pk}/comments/{elsewhere.pk}/")
    assert response.status_code == 404
    assert "comment does not exist" in response.json()["detail"]
    assert other_client.get(f"/api/posts/{post.pk}/comments/{elsewhere.pk}/").status_code == 404
    assert Comment.objects.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize("comment_id", ["777777", "abc", "9" * 30])
def test_unknown_comment_ids_are_404(other_client, comment_id):
    assert other_client.delete(f"/api/comments/{comment_id}/").status_code == 404


def test_read_one_comment(api_client, other_user, post):
    comment = CommentFactory(post=post, author=other_user, text="<b>hey</b> #jazz")
    body = api_client.get(f"/api/comments/{comment.pk}/").json()
    assert body["text"] == "<b>hey</b> #jazz"
    assert "&lt;b&gt;" in body["html"] and 'href="/tags/jazz/"' in body["html"]


# --- session auth ----------------------------------------------------------------------


def test_session_auth_works_and_needs_the_csrf_token(user, password):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="ana", password=password)
    assert client.get("/api/timeline/home/").status_code == 200
    refused = client.post("/api/posts/", {"text": "no token"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/accounts/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/posts/", {"text": "with token"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201
