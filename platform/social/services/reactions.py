"""Likes and shares: one row per person and post, the post's counter moving with it. Each
records its event with the surface the person acted from (social.surfaces)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from events.models import EventKind
from events.services import event_record
from social.models import Like, Notification, Post, Share
from social.services.common import _bump, _insert_once, _notify, _require_interaction_allowed
from social.surfaces import surface_from


@transaction.atomic
def like_create(*, user, post: Post, surface: str = "") -> bool:
    """Like a post; returns False when it was already liked (the count is unchanged)."""
    surface = surface_from(surface)
    _require_interaction_allowed(user, post)
    return _react(
        Like,
        user=user,
        post=post,
        counter="like_count",
        kind=EventKind.LIKE,
        verb=Notification.Verb.LIKE,
        surface=surface,
    )


@transaction.atomic
def like_delete(*, user, post: Post, surface: str = "") -> bool:
    surface = surface_from(surface)
    return _unreact(
        Like, user=user, post=post, counter="like_count", kind=EventKind.UNLIKE, surface=surface
    )


@transaction.atomic
def share_create(*, user, post: Post, comment: str = "", surface: str = "") -> bool:
    surface = surface_from(surface)
    _require_interaction_allowed(user, post)
    if post.group_id and post.group.is_private:
        raise PermissionDenied("Posts in private groups cannot be shared outside the group.")
    comment = (comment or "").strip()
    if len(comment) > 280:
        raise ValidationError({"comment": "A share comment can be at most 280 characters."})
    return _react(
        Share,
        user=user,
        post=post,
        counter="share_count",
        kind=EventKind.SHARE,
        verb=Notification.Verb.SHARE,
        surface=surface,
        comment=comment,
    )


@transaction.atomic
def share_delete(*, user, post: Post, surface: str = "") -> bool:
    surface = surface_from(surface)
    return _unreact(
        Share, user=user, post=post, counter="share_count", kind=EventKind.UNSHARE, surface=surface
    )


def _react(model, *, user, post: Post, counter: str, kind, verb, surface: str, **extra) -> bool:
    """A like or a share: the insert that wins the race moves the counter, records the event
    and notifies the author; a repeat changes nothing and returns False."""
    if _insert_once(model, user=user, post=post, **extra) is None:
        return False
    _bump(post, counter, +1)
    event_record(kind, user=user, post=post, surface=surface)
    _notify(recipient=post.author, actor=user, verb=verb, post=post)
    return True


def _unreact(model, *, user, post: Post, counter: str, kind, surface: str) -> bool:
    """Undo a like or a share: only a delete that removed a row moves the counter back."""
    deleted, _ = model.objects.filter(user=user, post=post).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(**{counter: F(counter) - 1})
        event_record(kind, user=user, post=post, surface=surface)
    return bool(deleted)
