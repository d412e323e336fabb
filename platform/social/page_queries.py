"""Read-only helpers the pages need on top of `social.selectors` (which they wrap, never
bypass, for anything that decides visibility)."""

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, QuerySet
from django.db.models.query import prefetch_related_objects

from social import selectors
from social.models import Membership, Post

User = get_user_model()


def _mentions_prefetch() -> Prefetch:
    return Prefetch("mentions", queryset=User.objects.only("id", "username"))


def with_mentions(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Load each post's mentioned people in one query, so text renders links without more."""
    return posts.prefetch_related(_mentions_prefetch())


def post_for_page(viewer, post_id) -> Post:
    """A post the viewer may see (else flywheel.errors.NotFound), ready for a card."""
    post = selectors.post_visible_to(viewer, post_id)
    prefetch_related_objects([post], _mentions_prefetch())
    return post


def followers_for_page(viewer, person):
    """followers_of, ordered by a readable key so the list can be paged by cursor."""
    people = selectors.followers_of(viewer, person).annotate(
        followed_at=F("following_set__created_at")
    )
    return people, ["-followed_at", "-id"]


def following_for_page(viewer, person):
    people = selectors.following_of(viewer, person).annotate(
        followed_at=F("follower_set__created_at")
    )
    return people, ["-followed_at", "-id"]


def visible_post_ids(viewer, post_ids) -> set[int]:
    """Which of these posts the viewer may see now (a notification may point at a post that
    was hidden since, or sits in a private group the viewer is not in)."""
    post_ids = {pk for pk in post_ids if pk}
    if not post_ids:
        return set()
    return set(selectors.visible_posts(viewer).filter(pk__in=post_ids).values_list("pk", flat=True))


def groups_of(viewer, *, limit: int = 8) -> list:
    """The groups the viewer belongs to, most recently joined first (for the home sidebar)."""
    return [
        m.group
        for m in Membership.objects.filter(user=viewer, state=Membership.State.ACTIVE)
        .select_related("group")
        .order_by("-created_at")[:limit]
    ]
