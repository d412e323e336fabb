"""How one person stands with another: follows, blocks and mutes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from events.models import EventKind
from events.services import event_record
from flywheel.ratelimit import check_and_count
from social import selectors
from social.models import Block, Follow, Mute, Notification
from social.services.common import _insert_once, _notify


@transaction.atomic
def follow_create(*, follower, followee) -> bool:
    if follower.pk == followee.pk:
        raise ValidationError({"detail": "You cannot follow yourself."})
    if selectors.is_blocked_between(follower, followee):
        raise PermissionDenied("You cannot follow this person.")
    if Follow.objects.filter(follower=follower, followee=followee).exists():
        return False
    check_and_count("follow", follower.pk, action="follows")
    if _insert_once(Follow, follower=follower, followee=followee) is None:
        return False
    _notify(recipient=followee, actor=follower, verb=Notification.Verb.FOLLOW)
    event_record(EventKind.FOLLOW, user=follower, target_user=followee)
    return True


@transaction.atomic
def follow_delete(*, follower, followee) -> bool:
    deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        event_record(EventKind.UNFOLLOW, user=follower, target_user=followee)
    return bool(deleted)


@transaction.atomic
def block_create(*, blocker, blocked) -> bool:
    """Block someone: they can no longer see or interact with the blocker, and follows between
    the two end in both directions."""
    if blocker.pk == blocked.pk:
        raise ValidationError({"detail": "You cannot block yourself."})
    created = _insert_once(Block, blocker=blocker, blocked=blocked) is not None
    Follow.objects.filter(follower=blocker, followee=blocked).delete()
    Follow.objects.filter(follower=blocked, followee=blocker).delete()
    return created


@transaction.atomic
def block_delete(*, blocker, blocked) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


@transaction.atomic
def mute_create(*, muter, muted) -> bool:
    if muter.pk == muted.pk:
        raise ValidationError({"detail": "You cannot mute yourself."})
    return _insert_once(Mute, muter=muter, muted=muted) is not None


@transaction.atomic
def mute_delete(*, muter, muted) -> bool:
    deleted, _ = Mute.objects.filter(muter=muter, muted=muted).delete()
    return bool(deleted)
