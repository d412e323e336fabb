"""The staff console: every social model is there, and staff work the report queue."""

import pytest
from django.test import Client
from django.urls import reverse

from social import selectors, services
from social.models import (
    Block,
    Comment,
    Follow,
    Group,
    Hashtag,
    Like,
    Membership,
    Mute,
    Notification,
    Post,
    Report,
    Share,
)
from tests.social.helpers import (
    fast_password_hashing,  # noqa: F401
    group_of,
    ids,
    person,
    post_by,
)

pytestmark = pytest.mark.django_db

QUEUE = "/admin/social/report/"


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def world(user, other_user):
    """One of everything, made the way people make it."""
    club = group_of(user, "Night owls", private=True)
    services.group_join(user=other_user, group=club)
    post = post_by(user, "A #jazz night with @ben")
    services.like_create(user=other_user, post=post)
    services.share_create(user=other_user, post=post, comment="go!")
    comment = services.comment_create(author=other_user, post=post, text="count me in")
    services.follow_create(follower=other_user, followee=user)
    services.mute_create(muter=user, muted=person("loud"))
    services.block_create(blocker=user, blocked=person("troll"))
    report = services.report_create(reporter=other_user, reason="spam", post=post)
    return {"post": post, "comment": comment, "group": club, "report": report}


def run_action(client, url, action, objects):
    return client.post(
        url, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True
    )


def on_explore(post) -> bool:
    """Whether an anonymous visitor finds the post on the explore page."""
    page = Client().get(reverse("social:explore")).content.decode()
    return reverse("social:post", args=[post.pk]) in page


# --- who gets in -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "a member"])
def test_non_staff_are_sent_to_the_admin_login(client, user, who):
    if who == "a member":
        client.force_login(user)
    for url in (QUEUE, "/admin/social/post/", "/admin/social/group/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_non_staff_cannot_run_moderation_actions(client, user, world):
    client.force_login(user)
    response = run_action(client, QUEUE, "hide_reported_content", [world["report"]])
    assert response.redirect_chain[0][1] == 302
    assert Post.objects.get(pk=world["post"].pk).is_hidden is False
    assert Report.objects.get().status == Report.Status.OPEN


# --- every model -----------------------------------------------------------------------

MODELS = [
    Post,
    Comment,
    Hashtag,
    Like,
    Share,
    Follow,
    Block,
    Mute,
    Group,
    Membership,
    Notification,
    Report,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_social_model_is_listed_searchable_and_opens(staff, world, model):
    name = model._meta.model_name
    listing = staff.get(f"/admin/social/{name}/")
    assert listing.status_code == 200
    assert staff.get(f"/admin/social/{name}/", {"q": "ben"}).status_code == 200
    obj = model.objects.first()
    assert obj is not None, f"the world has no {name}"
    assert staff.get(f"/admin/social/{name}/{obj.pk}/change/").status_code == 200


@pytest.mark.parametrize("model", [Like, Share, Membership], ids=lambda m: m.__name__)
def test_counted_rows_cannot_be_added_or_deleted_in_the_admin(staff, world, model):
    name = model._meta.model_name
    obj = model.objects.first()
    assert staff.get(f"/admin/social/{name}/add/").status_code == 403
    assert staff.get(f"/admin/social/{name}/{obj.pk}/delete/").status_code == 403


def test_the_post_list_searches_text_and_filters_hidden_posts(staff, world, staff_user):
    quiet = post_by(person(), "a quiet sunday")
    services.post_hide(staff=staff_user, post=quiet)
    found = staff.get("/admin/social/post/", {"q": "quiet"}).content.decode()
    assert "a quiet sunday" in found and "jazz night" not in found
    hidden = staff.get("/admin/social/post/", {"is_hidden__exact": "1"}).content.decode()
    assert "a quiet sunday" in hidden and "jazz night" not in hidden


def test_the_post_list_shows_open_reports(staff, world):
    page = staff.get("/admin/social/post/").content.decode()
    assert "open reports" in page.lower()
    assert 'class="field-open_reports">1<' in page


def test_deleting_a_comment_in_the_admin_keeps_the_count_right(staff, world):
    comment = world["comment"]
    response = staff.post(f"/admin/social/comment/{comment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Comment.objects.exists()
    assert Post.objects.get(pk=world["post"].pk).comment_count == 0


# --- the report queue ------------------------------------------------------------------


def test_the_queue_opens_on_open_reports(staff, world, staff_user):
    old = services.report_create(
        reporter=person(), reason="abuse", details="was sorted", person=person("gone")
    )
    services.report_dismiss(staff=staff_user, report=old)
    page = staff.get(QUEUE).content.decode()
    assert f"/admin/social/report/{world['report'].pk}/change/" in page
    assert f"/admin/social/report/{old.pk}/change/" not in page
    everything = staff.get(QUEUE, {"status": "all"}).content.decode()
    assert f"/admin/social/report/{old.pk}/change/" in everything
    dismissed = staff.get(QUEUE, {"status": "dismissed"}).content.decode()
    assert f"/admin/social/report/{world['report'].pk}/change/" not in dismissed


def test_the_queue_shows_target_reporter_reason_details_and_age(staff, world, other_user):
    services.report_create(
        reporter=person("watcher"), reason="abuse", details="called me names", person=other_user
    )
    page = staff.get(QUEUE).content.decode()
    post = world["post"]
    assert reverse("admin:social_post_change", args=[post.pk]) in page
    assert f"post #{post.pk} by @ana" in page
    assert reverse("admin:accounts_user_change", args=[other_user.pk]) in page
    assert "Harassment or abuse" in page and "Spam" in page
    assert "called me names" in page
    assert "watcher" in page
    assert "0\xa0minutes" in page  # the age column


def test_the_queue_filters_by_kind_of_target(staff, world, other_user):
    on_person = services.report_create(reporter=person(), reason="abuse", person=other_user)
    page = staff.get(QUEUE, {"kind": "person"}).content.decode()
    assert f"/admin/social/report/{on_person.pk}/change/" in page
    assert f"/admin/social/report/{world['report'].pk}/change/" not in page


def test_a_report_opens_with_the_reported_text(staff, world):
    page = staff.get(f"{QUEUE}{world['report'].pk}/change/").content.decode()
    assert "A #jazz night with @ben" in page


def test_hide_the_reported_content(staff, world, staff_user):
    assert on_explore(world["post"])
    response = run_action(staff, QUEUE, "hide_reported_content", [world["report"]])
    assert "Content hidden for 1 report(s)." in response.content.decode()
    report = Report.objects.get()
    assert report.status == Report.Status.ACTIONED and report.handled_by == staff_user
    assert world["post"].pk not in ids(selectors.explore_posts(None))
    assert not on_explore(world["post"])


def test_suspend_the_account(staff, world, user):
    response = run_action(staff, QUEUE, "suspend_account", [world["report"]])
    assert "Account suspended for 1 report(s)." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active is False
    assert not on_explore(world["post"])


def test_dismiss(staff, world):
    response = run_action(staff, QUEUE, "dismiss_reports", [world["report"]])
    assert "Dismissed for 1 report(s)." in response.content.decode()
    assert Report.objects.get().status == Report.Status.DISMISSED
    assert on_explore(world["post"])
    assert world["report"].pk not in [r.pk for r in staff.get(QUEUE).context["cl"].result_list]


def test_an_action_that_cannot_be_done_says_why(staff, staff_user):
    report = services.report_create(reporter=person(), reason="other", person=staff_user)
    response = run_action(staff, QUEUE, "suspend_account", [report])
    assert "cannot suspend your own account" in response.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.is_active is True


def test_hide_and_unhide_posts_from_the_post_list(staff, world, client, staff_user):
    post = world["post"]
    run_action(staff, "/admin/social/post/", "hide_posts", [post])
    assert not on_explore(world["post"])
    client.force_login(staff_user)
    run_action(client, "/admin/social/post/", "unhide_posts", [post])
    assert on_explore(world["post"])


def test_the_group_list_shows_privacy_and_members(staff, world):
    page = staff.get("/admin/social/group/", {"privacy__exact": "private"}).content.decode()
    assert "Night owls" in page
    assert Group.objects.get().member_count == 1  # the request is still pending
    requests = staff.get("/admin/social/membership/", {"state__exact": "pending"}).content
    assert b"ben" in requests
