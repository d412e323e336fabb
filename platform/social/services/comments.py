"""Commenting on posts and removing comments, the post's comment count following."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from events.models import EventKind
from events.services import event_record
from flywheel.ratelimit import check_and_count
from social.models import COMMENT_MAX_LENGTH, Comment, Notification, Post
from social.services.common import _bump, _clean_text, _notify, _require_interaction_allowed
from social.surfaces import surface_from


@transaction.atomic
def comment_create(*, author, post: Post, text, surface: str = "") -> Comment:
    """`surface`: where the person commented from (social.surfaces)."""
    surface = surface_from(surface)
    _require_interaction_allowed(author, post)
    text = _clean_text(text, limit=COMMENT_MAX_LENGTH, what="comment")
    check_and_count("comment", author.pk, action="comments")
    comment = Comment.objects.create(post=post, author=author, text=text)
    _bump(post, "comment_count", +1)
    event_record(EventKind.COMMENT, user=author, post=post, surface=surface)
    _notify(
        recipient=post.author,
        actor=author,
        verb=Notification.Verb.COMMENT,
        post=post,
        comment=comment,
    )
    return comment


@transaction.atomic
def comment_delete(*, user, comment: Comment) -> None:
    """The comment's author, the post's author and staff may remove a comment."""
    if user.pk not in (comment.author_id, comment.post.author_id) and not user.is_staff:
        raise PermissionDenied("You can only delete your own comments or comments on your posts.")
    # Decide from the database, not the instance: two concurrent deletes of one comment must
    # not both decrement, and a hidden comment was already taken off the count.
    counted = Comment.objects.filter(pk=comment.pk, is_hidden=False).exists()
    _, deleted = Comment.objects.filter(pk=comment.pk).delete()
    if deleted.get(Comment._meta.label) and counted:
        Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)
