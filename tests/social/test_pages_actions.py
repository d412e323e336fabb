"""Every action on the social pages, as an anonymous person, another user, the owner and
staff; with htmx (a fragment swapped in place) and as a plain form post (redirect back)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from social import services
from social.models import (
    Block,
    Comment,
    Follow,
    Like,
    Membership,
    Mute,
    Notification,
    Post,
    Report,
    Share,
)
from tests.social.test_pages_helpers import (
    HTMX,
    group_by,
    html,
    is_fragment,
    join,
    png_upload,
    someone,
    write,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """These tests make many people; Argon2 would make each one cost a quarter second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def post(user):
    return write(user, "ana's post")


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


# --- anonymous people are sent to log in -----------------------------------------------


@pytest.mark.parametrize(
    "name, args",
    [
        ("social:like", "post"),
        ("social:unlike", "post"),
        ("social:share", "post"),
        ("social:unshare", "post"),
        ("social:comment_create", "post"),
        ("social:post_delete", "post"),
        ("social:post_edit", "post"),
        ("social:post_create", None),
        ("social:follow", "ana"),
        ("social:block", "ana"),
        ("social:mute", "ana"),
        ("social:groups", None),
        ("social:notifications_read", None),
        ("social:report_post", "post"),
    ],
)
def test_anonymous_actions_redirect_to_login(client, post, name, args):
    arguments = [] if args is None else [post.pk if args == "post" else args]
    url = reverse(name, args=arguments)
    assert_sent_to_login(client.post(url, {"text": "x", "name": "x"}))
    htmx = client.post(url, {"text": "x"}, **HTMX)
    assert htmx.status_code == 200 and htmx["HX-Redirect"].startswith("/accounts/login/")


def test_actions_need_post(client, user, post):
    client.force_login(user)
    for name in ("social:like", "social:unlike", "social:post_delete", "social:unshare"):
        assert client.get(reverse(name, args=[post.pk])).status_code == 405


# --- posting ---------------------------------------------------------------------------


def test_post_without_javascript_with_an_image(client, user):
    client.force_login(user)
    response = client.post(
        reverse("social:post_create"),
        {"text": "look at this #sky", "image": png_upload(), "next": "/home/"},
    )
    assert response.status_code == 302 and response["Location"] == "/home/"
    post = Post.objects.get(author=user)
    assert post.image.name.endswith(".png")
    assert post.hashtags.filter(name="sky").exists()
    page = html(client.get(reverse("social:post", args=[post.pk])))
    assert post.image.url in page


def test_post_with_htmx_returns_a_fresh_form_and_the_new_card(client, user):
    client.force_login(user)
    response = client.post(reverse("social:post_create"), {"text": "hello <b>there</b>"}, **HTMX)
    assert response.status_code == 200 and is_fragment(response)
    page = html(response)
    assert 'hx-swap-oob="afterbegin:#post-list"' in page
    assert "hello &lt;b&gt;there&lt;/b&gt;" in page
    assert page.count("<textarea") == 1 and "hello" not in page.split("</form>")[0]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": ""}, "the post is empty"),
        ({"text": "   "}, "the post is empty"),
        ({"text": "x" * 501}, "at most 500 characters"),
    ],
)
def test_bad_posts_show_the_error_on_the_form(client, user, data, message):
    client.force_login(user)
    for extra in ({}, HTMX):
        response = client.post(reverse("social:post_create"), data, **extra)
        assert response.status_code == 400
        assert message in html(response)
    assert not Post.objects.exists()


def test_a_fake_image_gets_a_readable_error(client, user):
    client.force_login(user)
    fake = SimpleUploadedFile("cat.png", b"this is not a picture", content_type="image/png")
    response = client.post(reverse("social:post_create"), {"text": "a cat", "image": fake})
    assert response.status_code == 400
    assert "not an image we can read" in html(response)
    assert not Post.objects.exists()


def test_rate_limited_posting_says_so_plainly_with_429(client, user, settings):
    settings.ACTION_RATE_LIMITS = {**settings.ACTION_RATE_LIMITS, "post": "2/h"}
    client.force_login(user)
    for n in range(2):
        assert client.post(reverse("social:post_create"), {"text": f"post {n}"}).status_code == 302
    response = client.post(reverse("social:post_create"), {"text": "one too many"})
    assert response.status_code == 429
    assert "You have reached the limit of 2 posts" in html(response)
    assert int(response["Retry-After"]) > 0
    htmx = client.post(reverse("social:post_create"), {"text": "again"}, **HTMX)
    assert htmx.status_code == 429 and htmx["HX-Retarget"] == "#messages"
    assert is_fragment(htmx) and "limit of 2 posts" in html(htmx)
    assert Post.objects.count() == 2


def test_posting_in_a_group_needs_membership(client, user, other_user):
    group = group_by(other_user, "Band")
    client.force_login(user)
    response = client.post(reverse("social:post_create"), {"text": "hi", "group": group.slug})
    assert response.status_code == 403
    join(group, user)
    response = client.post(reverse("social:post_create"), {"text": "hi", "group": group.slug})
    assert response.status_code == 302
    assert Post.objects.get().group == group


# --- editing and deleting --------------------------------------------------------------


def test_edit_own_post_within_the_window(client, user, post):
    client.force_login(user)
    url = reverse("social:post_edit", args=[post.pk])
    assert client.get(url).status_code == 200
    form = client.get(url, **HTMX)
    assert is_fragment(form) and "<textarea" in html(form)
    response = client.post(url, {"text": "edited words"}, **HTMX)
    assert response.status_code == 200 and "edited words" in html(response)
    assert "edited" in html(response)
    response = client.post(url, {"text": "edited again"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.text == "edited again" and post.edited_at is not None
    assert client.get(reverse("social:post_card", args=[post.pk]), **HTMX).status_code == 200


def test_edit_after_the_window_is_refused_on_the_form(client, user, post):
    Post.objects.filter(pk=post.pk).update(created_at=post.created_at - timedelta(hours=1))
    client.force_login(user)
    response = client.post(reverse("social:post_edit", args=[post.pk]), {"text": "late"})
    assert response.status_code == 400 and "can be edited for 15 minutes" in html(response)


def test_only_the_author_edits_not_others_or_staff(client, other_user, staff_user, post):
    for person in (other_user, staff_user):
        client.force_login(person)
        url = reverse("social:post_edit", args=[post.pk])
        assert client.post(url, {"text": "hijack"}).status_code == 403
        assert client.get(url).status_code == 403
    post.refresh_from_db()
    assert post.text == "ana's post"


def test_delete_post_owner_other_and_staff(client, user, other_user, staff_user):
    first, second, third = (write(user, f"to delete {n}") for n in range(3))
    client.force_login(other_user)
    response = client.post(reverse("social:post_delete", args=[first.pk]))
    assert response.status_code == 403 and "Only the author" in html(response)
    client.force_login(user)
    response = client.post(reverse("social:post_delete", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/@ana"
    htmx = client.post(reverse("social:post_delete", args=[second.pk]), **HTMX)
    assert htmx.status_code == 200 and html(htmx) == ""
    client.force_login(staff_user)
    on_its_page = client.post(
        reverse("social:post_delete", args=[third.pk]),
        HTTP_HX_CURRENT_URL=f"http://testserver/posts/{third.pk}/",
        **HTMX,
    )
    assert on_its_page["HX-Redirect"] == "/@ana"
    assert not Post.objects.exists()
    assert client.post(reverse("social:post_delete", args=[third.pk])).status_code == 404


# --- likes and shares ------------------------------------------------------------------


def test_like_and_unlike_with_htmx_show_count_and_pressed_state(client, other_user, post):
    client.force_login(other_user)
    response = client.post(reverse("social:like", args=[post.pk]), **HTMX)
    assert response.status_code == 200 and is_fragment(response)
    page = html(response)
    assert 'aria-pressed="true"' in page and '<span class="action__count">1</span>' in page
    assert reverse("social:unlike", args=[post.pk]) in page
    again = client.post(reverse("social:like", args=[post.pk]), **HTMX)
    assert '<span class="action__count">1</span>' in html(again)
    response = client.post(reverse("social:unlike", args=[post.pk]), **HTMX)
    assert 'aria-pressed="false"' in html(response)
    assert '<span class="action__count">0</span>' in html(response)
    assert not Like.objects.exists()


def test_like_without_javascript_goes_back(client, other_user, post):
    client.force_login(other_user)
    response = client.post(reverse("social:like", args=[post.pk]), {"next": "/explore/"})
    assert response.status_code == 302 and response["Location"] == "/explore/"
    evil = client.post(reverse("social:unlike", args=[post.pk]), {"next": "https://evil.test/"})
    assert evil["Location"] == reverse("social:post", args=[post.pk])
    post.refresh_from_db()
    assert post.like_count == 0


def test_blocked_people_cannot_like_and_private_posts_are_not_found(client, user, other_user):
    post = write(user, "mine")
    services.block_create(blocker=user, blocked=other_user)
    client.force_login(other_user)
    assert client.post(reverse("social:like", args=[post.pk])).status_code == 404
    group = group_by(user, "Quiet", private=True)
    hidden = write(user, "members only", group=group)
    services.block_delete(blocker=user, blocked=other_user)
    response = client.post(reverse("social:like", args=[hidden.pk]), **HTMX)
    assert response.status_code == 404 and response["HX-Retarget"] == "#messages"
    assert client.post(reverse("social:like", args=[424242])).status_code == 404
    assert not Like.objects.exists()


def test_the_blocker_cannot_reach_the_blocked_persons_posts_either(client, user, other_user):
    post = write(other_user, "ben's")
    services.block_create(blocker=user, blocked=other_user)
    client.force_login(user)
    assert client.post(reverse("social:like", args=[post.pk])).status_code == 404
    assert client.get(reverse("social:post", args=[post.pk])).status_code == 404


def test_share_now_share_with_comment_and_undo(client, user, other_user, post):
    client.force_login(other_user)
    response = client.post(reverse("social:share", args=[post.pk]), **HTMX)
    assert response.status_code == 200 and 'aria-pressed="true"' in html(response)
    assert Share.objects.filter(user=other_user, post=post).exists()
    response = client.post(reverse("social:unshare", args=[post.pk]), **HTMX)
    assert "Share now" in html(response)
    form = client.get(reverse("social:share", args=[post.pk]))
    assert form.status_code == 200 and "Add a comment" in html(form)
    response = client.post(reverse("social:share", args=[post.pk]), {"comment": "read <this>"})
    assert response.status_code == 302
    assert Share.objects.get().comment == "read <this>"
    too_long = client.post(reverse("social:unshare", args=[post.pk]))
    assert too_long.status_code == 302
    response = client.post(reverse("social:share", args=[post.pk]), {"comment": "x" * 281})
    assert response.status_code == 400 and "at most 280" in html(response)


def test_private_group_posts_cannot_be_shared(client, user, other_user):
    group = group_by(user, "Closed", private=True)
    join(group, other_user)
    post = write(user, "inside", group=group)
    client.force_login(other_user)
    response = client.post(reverse("social:share", args=[post.pk]))
    assert response.status_code == 403 and "cannot be shared" in html(response)


# --- comments --------------------------------------------------------------------------


def test_comment_without_javascript_and_with_htmx(client, other_user, post):
    client.force_login(other_user)
    response = client.post(reverse("social:comment_create", args=[post.pk]), {"text": "plain"})
    comment = Comment.objects.get()
    assert response["Location"] == f"/posts/{post.pk}/#comment-{comment.pk}"
    response = client.post(
        reverse("social:comment_create", args=[post.pk]), {"text": "<i>swapped</i>"}, **HTMX
    )
    page = html(response)
    assert response.status_code == 200 and is_fragment(response)
    assert 'hx-swap-oob="beforeend:#comment-list"' in page
    assert "&lt;i&gt;swapped&lt;/i&gt;" in page
    assert f'id="comment-count-{post.pk}" hx-swap-oob="true">2<' in page


def test_empty_comment_shows_the_error(client, other_user, post):
    client.force_login(other_user)
    for extra in ({}, HTMX):
        response = client.post(
            reverse("social:comment_create", args=[post.pk]), {"text": ""}, **extra
        )
        assert response.status_code == 400 and "the comment is empty" in html(response)


def test_comment_deletion_rules(client, user, other_user, staff_user, post):
    third = someone("third")
    by_ben = services.comment_create(author=other_user, post=post, text="ben says")
    by_third = services.comment_create(author=third, post=post, text="third says")
    by_third_again = services.comment_create(author=third, post=post, text="again")
    # someone who is neither the comment's author nor the post's author
    client.force_login(other_user)
    assert client.post(reverse("social:comment_delete", args=[by_third.pk])).status_code == 403
    # the comment's author
    response = client.post(reverse("social:comment_delete", args=[by_ben.pk]), **HTMX)
    assert response.status_code == 200 and f'id="comment-count-{post.pk}"' in html(response)
    # the post's author removes someone else's comment
    client.force_login(user)
    assert client.post(reverse("social:comment_delete", args=[by_third.pk])).status_code == 302
    # staff
    client.force_login(staff_user)
    assert (
        client.post(reverse("social:comment_delete", args=[by_third_again.pk])).status_code == 302
    )
    assert not Comment.objects.exists()
    post.refresh_from_db()
    assert post.comment_count == 0
    assert client.post(reverse("social:comment_delete", args=[by_ben.pk])).status_code == 404


def test_comments_on_private_posts_are_not_found_for_outsiders(client, user, other_user):
    group = group_by(user, "Club", private=True)
    post = write(user, "inside", group=group)
    comment = services.comment_create(author=user, post=post, text="inner")
    client.force_login(other_user)
    assert (
        client.post(reverse("social:comment_create", args=[post.pk]), {"text": "hi"}).status_code
        == 404
    )
    assert client.post(reverse("social:comment_delete", args=[comment.pk])).status_code == 404
    assert client.get(reverse("social:report_comment", args=[comment.pk])).status_code == 404


# --- follow, mute, block ---------------------------------------------------------------


def test_follow_and_unfollow_from_a_profile_with_htmx(client, user, other_user):
    client.force_login(user)
    response = client.post(reverse("social:follow", args=["ben"]), **HTMX)
    assert response.status_code == 200 and is_fragment(response)
    assert "Following" in html(response) and 'id="profile-stats" hx-swap-oob="true"' in html(
        response
    )
    assert Follow.objects.filter(follower=user, followee=other_user).exists()
    response = client.post(reverse("social:unfollow", args=["ben"]), **HTMX)
    assert ">Follow<" in html(response)
    assert not Follow.objects.exists()


def test_follow_button_in_a_list_and_without_javascript(client, user, other_user):
    client.force_login(user)
    response = client.post(reverse("social:follow", args=["ben"]), {"variant": "button"}, **HTMX)
    assert 'aria-label="Unfollow @ben"' in html(response) and "profile-actions" not in html(
        response
    )
    response = client.post(reverse("social:unfollow", args=["ben"]), {"next": "/@ana/followers"})
    assert response["Location"] == "/@ana/followers"
    response = client.post(reverse("social:follow", args=["ben"]))
    assert response["Location"] == "/@ben"


def test_follow_yourself_or_unknown_people(client, user):
    client.force_login(user)
    response = client.post(reverse("social:follow", args=["ana"]), **HTMX)
    assert response.status_code == 400 and "cannot follow yourself" in html(response)
    assert client.post(reverse("social:follow", args=["ghost"])).status_code == 404


def test_mute_and_block(client, user, other_user):
    services.follow_create(follower=user, followee=other_user)
    services.follow_create(follower=other_user, followee=user)
    client.force_login(user)
    response = client.post(reverse("social:mute", args=["ben"]), **HTMX)
    assert "Unmute @ben" in html(response) and Mute.objects.filter(muter=user).exists()
    client.post(reverse("social:unmute", args=["ben"]))
    assert not Mute.objects.exists()
    response = client.post(reverse("social:block", args=["ben"]), **HTMX)
    assert "Unblock" in html(response) and "You have blocked @ben" in html(response)
    assert Block.objects.filter(blocker=user, blocked=other_user).exists()
    assert not Follow.objects.exists()
    # blocked: ben cannot follow ana back, nor even find her
    client.force_login(other_user)
    assert client.post(reverse("social:follow", args=["ana"])).status_code == 404
    # ana cannot follow someone she blocks
    client.force_login(user)
    assert client.post(reverse("social:follow", args=["ben"])).status_code == 403
    client.post(reverse("social:unblock", args=["ben"]))
    assert not Block.objects.exists()


# --- groups ----------------------------------------------------------------------------


def test_create_a_group(client, user):
    client.force_login(user)
    response = client.post(
        reverse("social:groups"), {"name": "Night owls", "description": "", "privacy": "private"}
    )
    assert response.status_code == 302 and response["Location"] == "/groups/night-owls/"
    response = client.post(
        reverse("social:groups"), {"name": "Early birds", "privacy": "public"}, **HTMX
    )
    assert response["HX-Redirect"] == "/groups/early-birds/"
    bad = client.post(reverse("social:groups"), {"name": "", "privacy": "public"}, **HTMX)
    assert bad.status_code == 400 and is_fragment(bad) and "required" in html(bad)
    bad = client.post(reverse("social:groups"), {"name": "x", "privacy": "secret"})
    assert bad.status_code == 400 and "<html" in html(bad)


def test_join_leave_and_requests(client, user, other_user, staff_user):
    public = group_by(user, "Open")
    private = group_by(user, "Closed", private=True)
    client.force_login(other_user)
    response = client.post(reverse("social:group_join", args=[public.slug]), **HTMX)
    assert (
        response.status_code == 200 and "Member" in html(response) and "2 members" in html(response)
    )
    response = client.post(reverse("social:group_join", args=[private.slug]), **HTMX)
    assert "Requested" in html(response)
    assert Membership.objects.get(group=private, user=other_user).state == "pending"
    assert Notification.objects.filter(recipient=user, verb="group_request").exists()
    # a member who is not a moderator cannot decide requests
    third = someone("third")
    services.group_join(user=third, group=private)
    url = reverse("social:group_approve", args=[private.slug, "third"])
    assert client.post(url).status_code == 403
    # the owner approves with htmx; staff rejects without JavaScript
    client.force_login(user)
    response = client.post(reverse("social:group_approve", args=[private.slug, "ben"]), **HTMX)
    assert response.status_code == 200 and html(response) == ""
    assert Membership.objects.get(group=private, user=other_user).state == "active"
    client.force_login(staff_user)
    response = client.post(reverse("social:group_reject", args=[private.slug, "third"]))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=third).exists()
    again = client.post(reverse("social:group_reject", args=[private.slug, "third"]))
    assert again.status_code == 400 and "no pending request" in html(again)
    # leaving; the owner cannot leave
    client.force_login(other_user)
    response = client.post(reverse("social:group_leave", args=[public.slug]))
    assert response.status_code == 302
    assert not Membership.objects.filter(group=public, user=other_user).exists()
    client.force_login(user)
    response = client.post(reverse("social:group_leave", args=[public.slug]), **HTMX)
    assert response.status_code == 400 and "owner cannot leave" in html(response)


# --- notifications ---------------------------------------------------------------------


def test_mark_all_read(client, user, other_user):
    services.follow_create(follower=other_user, followee=user)
    services.like_create(user=other_user, post=write(user, "x"))
    client.force_login(user)
    response = client.post(reverse("social:notifications_read"), **HTMX)
    assert response.status_code == 200 and is_fragment(response)
    assert response["HX-Trigger"] == "notifications-read"
    assert "is-unread" not in html(response) and "all caught up" in html(response)
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    services.follow_delete(follower=other_user, followee=user)
    services.follow_create(follower=other_user, followee=user)
    response = client.post(reverse("social:notifications_read"))
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert not Notification.objects.filter(read_at__isnull=True).exists()


# --- reports ---------------------------------------------------------------------------


def test_report_a_post_a_comment_and_a_person(client, user, other_user, post):
    comment = services.comment_create(author=user, post=post, text="a comment")
    client.force_login(other_user)
    form = client.get(reverse("social:report_post", args=[post.pk]))
    assert form.status_code == 200 and "Harassment or abuse" in html(form)
    response = client.post(reverse("social:report_post", args=[post.pk]), {"reason": "spam"})
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}/"
    response = client.post(
        reverse("social:report_comment", args=[comment.pk]), {"reason": "abuse"}, **HTMX
    )
    assert response.status_code == 200 and "Thank you" in html(response)
    response = client.post(
        reverse("social:report_person", args=["ana"]), {"reason": "other", "details": "hm"}
    )
    assert response.status_code == 302
    assert Report.objects.count() == 3
    assert {r.target_kind for r in Report.objects.all()} == {"post", "comment", "person"}


def test_report_errors(client, user, other_user, post):
    client.force_login(user)
    response = client.post(reverse("social:report_person", args=["ana"]), {"reason": "spam"})
    assert response.status_code == 400 and "cannot report yourself" in html(response)
    response = client.post(reverse("social:report_post", args=[post.pk]), {}, **HTMX)
    assert response.status_code == 400 and "Choose a reason" in html(response)
    private = write(other_user, "p", group=group_by(other_user, "P", private=True))
    assert client.get(reverse("social:report_post", args=[private.pk])).status_code == 404
    assert not Report.objects.exists()
