"""Staff moderation: hiding posts and comments, suspending accounts, closing reports.

What staff do here disappears everywhere because every selector filters hidden rows and
inactive people; these functions only flip the flags and keep counters and the queue right.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from social.models import Comment, Post, Report

User = get_user_model()


def _close(report: Report, *, staff, status, resolution) -> None:
    report.status = status
    report.resolution = resolution
    report.handled_by = staff
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "resolution", "handled_by", "handled_at"])


def _close_open_reports(*, staff, resolution, **target) -> int:
    """Close every other open report about the same target, so the queue holds no leftovers."""
    return Report.objects.filter(status=Report.Status.OPEN, **target).update(
        status=Report.Status.ACTIONED,
        resolution=resolution,
        handled_by=staff,
        handled_at=timezone.now(),
    )


def _require_staff(user) -> None:
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("Only staff can moderate.")


@transaction.atomic
def post_hide(*, staff, post: Post) -> bool:
    """Hide a post from everyone (the author keeps it in the database; staff can unhide)."""
    _require_staff(staff)
    return bool(Post.objects.filter(pk=post.pk, is_hidden=False).update(is_hidden=True))


@transaction.atomic
def post_unhide(*, staff, post: Post) -> bool:
    _require_staff(staff)
    return bool(Post.objects.filter(pk=post.pk, is_hidden=True).update(is_hidden=False))


@transaction.atomic
def comment_hide(*, staff, comment: Comment) -> bool:
    """Hide a comment; it no longer counts on its post."""
    _require_staff(staff)
    if not Comment.objects.filter(pk=comment.pk, is_hidden=False).update(is_hidden=True):
        return False
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)
    return True


@transaction.atomic
def account_suspend(*, staff, person) -> bool:
    """Suspend an account: the person cannot sign in, and their posts, comments, profile and
    notifications they caused disappear everywhere (selectors only show active people)."""
    _require_staff(staff)
    if person.pk == staff.pk:
        raise ValidationError({"detail": "You cannot suspend your own account."})
    return bool(User.objects.filter(pk=person.pk, is_active=True).update(is_active=False))


@transaction.atomic
def account_unsuspend(*, staff, person) -> bool:
    _require_staff(staff)
    return bool(User.objects.filter(pk=person.pk, is_active=False).update(is_active=True))


@transaction.atomic
def report_hide_content(*, staff, report: Report) -> None:
    """Hide the reported post or comment (a reported person's account is suspended)."""
    _require_staff(staff)
    if report.post_id:
        post_hide(staff=staff, post=report.post)
        target, what = {"post_id": report.post_id}, "post hidden"
    elif report.comment_id:
        comment_hide(staff=staff, comment=report.comment)
        target, what = {"comment_id": report.comment_id}, "comment hidden"
    else:
        return report_suspend_account(staff=staff, report=report)
    _close(report, staff=staff, status=Report.Status.ACTIONED, resolution=what)
    _close_open_reports(staff=staff, resolution=what, **target)


@transaction.atomic
def report_suspend_account(*, staff, report: Report) -> None:
    """Suspend the author of the reported post or comment, or the reported person."""
    _require_staff(staff)
    if report.reported_user_id:
        person = report.reported_user
    elif report.post_id:
        person = report.post.author
    else:
        person = report.comment.author
    account_suspend(staff=staff, person=person)
    _close(report, staff=staff, status=Report.Status.ACTIONED, resolution="account suspended")
    _close_open_reports(staff=staff, resolution="account suspended", reported_user=person)


@transaction.atomic
def report_dismiss(*, staff, report: Report) -> None:
    _require_staff(staff)
    _close(report, staff=staff, status=Report.Status.DISMISSED, resolution="dismissed")
