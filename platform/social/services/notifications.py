"""A person's own notifications: marking them read and dismissing them."""

from django.utils import timezone

from social.models import Notification


def notifications_mark_read(*, user, ids=None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notifications_dismiss(*, user, ids=None) -> int:
    """Remove the person's notifications (these ids, or all of them); others' are untouched."""
    mine = Notification.objects.filter(recipient=user)
    if ids is not None:
        mine = mine.filter(pk__in=ids)
    deleted, _ = mine.delete()
    return deleted
