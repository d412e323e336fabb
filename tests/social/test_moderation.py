"""Moderation services: what staff do to reports, and what everyone then sees."""

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError

from flywheel.errors import NotFound
from social import moderation, selectors, services
from social.models import Comment, Post, Report
from tests.social.helpers import (
    fast_password_hashing,  # noqa: F401
    ids,
    person,
    post_by,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def offender(db):
    return person("offender")


@pytest.fixture
def bad_post(offender):
    return post_by(offender, "buy cheap watches #deals")


def report_on(reporter=None, **target) -> Report:
    return services.report_create(reporter=reporter or person(), reason="spam", **target)


def refreshed(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_hiding_a_reported_post_removes_it_for_everyone_and_closes_the_report(bad_post, staff_user):
    report = report_on(post=bad_post)
    assert bad_post.pk in ids(selectors.explore_posts(None))
    moderation.report_hide_content(staff=staff_user, report=report)
    assert bad_post.pk not in ids(selectors.explore_posts(None))
    assert bad_post.pk not in ids(selectors.hashtag_posts(None, "deals"))
    report = refreshed(report)
    assert report.status == Report.Status.ACTIONED
    assert report.resolution == "post hidden"
    assert report.handled_by == staff_user and report.handled_at is not None


def test_hiding_a_post_closes_the_other_open_reports_about_it(bad_post, staff_user):
    first, second = report_on(post=bad_post), report_on(post=bad_post)
    unrelated = report_on(post=post_by(person()))
    moderation.report_hide_content(staff=staff_user, report=first)
    assert refreshed(second).status == Report.Status.ACTIONED
    assert refreshed(unrelated).status == Report.Status.OPEN


def test_hiding_a_reported_comment_removes_it_and_its_count(offender, staff_user):
    post = post_by(person())
    comment = services.comment_create(author=offender, post=post, text="rude words")
    moderation.report_hide_content(staff=staff_user, report=report_on(comment=comment))
    assert list(selectors.comments_for(None, post)) == []
    assert refreshed(post).comment_count == 0
    assert refreshed(comment).is_hidden is True


def test_hiding_content_of_a_reported_person_suspends_them(offender, staff_user):
    report = report_on(person=offender)
    moderation.report_hide_content(staff=staff_user, report=report)
    assert refreshed(offender).is_active is False
    assert refreshed(report).resolution == "account suspended"


def test_suspending_the_author_of_a_reported_post(offender, bad_post, staff_user):
    other_post = post_by(offender, "more spam")
    report = report_on(post=bad_post)
    earlier_about_them = report_on(person=offender)
    moderation.report_suspend_account(staff=staff_user, report=report)
    assert refreshed(offender).is_active is False
    assert not {bad_post.pk, other_post.pk} & set(ids(selectors.explore_posts(None)))
    with pytest.raises(NotFound):
        selectors.user_by_username(None, offender.username)
    assert refreshed(report).status == Report.Status.ACTIONED
    assert refreshed(earlier_about_them).status == Report.Status.ACTIONED


def test_a_suspended_person_cannot_sign_in(offender, staff_user, password):
    offender.set_password(password)
    offender.save()
    assert authenticate(username="offender", password=password) == offender
    moderation.report_suspend_account(staff=staff_user, report=report_on(person=offender))
    assert authenticate(username="offender", password=password) is None


def test_suspending_the_author_of_a_reported_comment(offender, staff_user):
    comment = services.comment_create(author=offender, post=post_by(person()), text="rude")
    moderation.report_suspend_account(staff=staff_user, report=report_on(comment=comment))
    assert refreshed(offender).is_active is False
    assert Comment.objects.filter(pk=comment.pk).exists()  # kept, but no longer shown


def test_dismissing_a_report_leaves_the_content_up(bad_post, staff_user):
    report = report_on(post=bad_post)
    moderation.report_dismiss(staff=staff_user, report=report)
    report = refreshed(report)
    assert report.status == Report.Status.DISMISSED and report.handled_by == staff_user
    assert bad_post.pk in ids(selectors.explore_posts(None))


def test_a_hidden_post_can_be_brought_back(bad_post, staff_user):
    assert moderation.post_hide(staff=staff_user, post=bad_post) is True
    assert moderation.post_hide(staff=staff_user, post=bad_post) is False
    assert moderation.post_unhide(staff=staff_user, post=bad_post) is True
    assert bad_post.pk in ids(selectors.explore_posts(None))


def test_a_suspension_can_be_lifted(offender, bad_post, staff_user):
    moderation.account_suspend(staff=staff_user, person=offender)
    assert moderation.account_unsuspend(staff=staff_user, person=offender) is True
    assert bad_post.pk in ids(selectors.explore_posts(None))


def test_staff_cannot_suspend_themselves(staff_user):
    with pytest.raises(ValidationError):
        moderation.account_suspend(staff=staff_user, person=staff_user)


@pytest.mark.parametrize(
    "action",
    [
        lambda who, post, report: moderation.post_hide(staff=who, post=post),
        lambda who, post, report: moderation.post_unhide(staff=who, post=post),
        lambda who, post, report: moderation.account_suspend(staff=who, person=post.author),
        lambda who, post, report: moderation.report_hide_content(staff=who, report=report),
        lambda who, post, report: moderation.report_suspend_account(staff=who, report=report),
        lambda who, post, report: moderation.report_dismiss(staff=who, report=report),
    ],
)
def test_only_staff_can_moderate(action, bad_post, user):
    report = report_on(post=bad_post)
    with pytest.raises(PermissionDenied):
        action(user, bad_post, report)
    assert Post.objects.get(pk=bad_post.pk).is_hidden is False
    assert refreshed(bad_post.author).is_active is True
    assert refreshed(report).status == Report.Status.OPEN
