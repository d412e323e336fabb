"""The social REST API: what the endpoint modules share.

The endpoints live in api_posts.py (posts, comments), api_people.py (profiles, follows,
blocks, mutes, notifications, reports), api_groups.py and api_search.py; api_urls.py routes
them under /api/ (the home timeline is feeds', in feeds.api_timeline). Views are thin: they
parse input with a serializer, call a service or a selector, and serialize what comes back.
Services raise Django's ValidationError / PermissionDenied, flywheel.errors.NotFound and
RateLimited, which the project exception handler (flywheel.api) answers as 400 / 403 / 404 /
429 with Retry-After.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from rest_framework import status

from flywheel.errors import NotFound
from social import selectors
from social.models import Comment, Group, Post

User = get_user_model()

COMMENT_NOT_FOUND = "That comment does not exist or is not visible to you."


def with_cards(posts):
    """What a post card needs beyond `visible_posts`' joins: the people it mentions (to link
    them in `html`), fetched once per page rather than once per post."""
    return posts.prefetch_related(
        Prefetch("mentions", queryset=User.objects.only("id", "username"))
    )


def post_for(viewer, post_id) -> Post:
    """A post the viewer may see, loaded as a card (404 otherwise, including bad ids)."""
    return selectors.post_visible_to(viewer, post_id)


def comment_for(viewer, comment_id, *, post: Post | None = None) -> Comment:
    """A comment the viewer may see, on a post they may see; on `post` when it is given (a
    comment of another post is not found there)."""
    try:
        comment_id = int(comment_id)
    except (TypeError, ValueError):
        raise NotFound(COMMENT_NOT_FOUND) from None
    if post is None:
        post_id = Comment.objects.filter(pk=comment_id).values_list("post_id", flat=True).first()
        if post_id is None:
            raise NotFound(COMMENT_NOT_FOUND)
        try:
            post = selectors.post_visible_to(viewer, post_id)
        except NotFound:
            raise NotFound(COMMENT_NOT_FOUND) from None
    comment = selectors.comments_for(viewer, post).filter(pk=comment_id).first()
    if comment is None:
        raise NotFound(COMMENT_NOT_FOUND)
    comment.post = post
    return comment


def require_group_moderator(viewer, group: Group) -> None:
    membership = selectors.membership_of(viewer, group)
    if not (viewer.is_staff or (membership is not None and membership.can_moderate)):
        raise PermissionDenied("Only the group's owner and moderators can handle join requests.")


def require_group_content(viewer, group: Group) -> None:
    """Private groups show their name to everyone, their posts and members to members only."""
    if not selectors.can_see_group_content(viewer, group):
        raise PermissionDenied("This group is private: only its members can see inside it.")


def created_or_ok(created: bool) -> int:
    """201 when the request made something new, 200 when it was already so (idempotent)."""
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK
