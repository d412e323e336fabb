"""Reads for the home feed, shared by the home page and `/api/timeline/home/`.

A person's arm decides the feed: the chronological arm (and everyone who turned the
personalised feed off) gets `social.selectors.home_timeline`, paged by keyset as before; the
ranked arms get a page of their snapshot (feeds.snapshot). Either way every post comes back
with `feed_reason`, `feed_arm`, `feed_model_version` and `feed_position` set, which the card
and the API show so that impressions record the arm and the model version that chose them.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from feeds.experiments import Assignment, assign
from feeds.snapshot import build_snapshot, decode_cursor, encode_cursor, load_snapshot
from social import selectors
from social.models import Follow, Mute

__all__ = ["Assignment", "HomePage", "assign", "chronological_home", "ranked_home_page"]


@dataclass
class HomePage:
    posts: list
    arm: str
    model_version: int | None
    is_first: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None


# --- the chronological arm -------------------------------------------------------------


def chronological_home(viewer):
    """`home_timeline`, with whether the viewer follows each author (for the reason)."""
    return selectors.home_timeline(viewer).annotate(
        author_followed=Exists(
            Follow.objects.filter(follower=viewer, followee_id=OuterRef("author_id"))
        )
    )


def chronological_reason(post, viewer) -> str:
    """Why a post is in the chronological home; true by `home_timeline`'s own rule."""
    if getattr(post, "shared_by_username", None):
        return f"shared by @{post.shared_by_username}, whom you follow"
    if post.author_id == viewer.pk:
        return "your post"
    if getattr(post, "author_followed", False):
        return f"from @{post.author.username}, whom you follow"
    if post.group_id:
        return f"from your group {post.group.name}"
    return ""


def explain_chronological(posts, *, viewer, assignment: Assignment, start: int = 0) -> None:
    for offset, post in enumerate(posts):
        post.feed_reason = chronological_reason(post, viewer)
        post.feed_arm = assignment.arm
        post.feed_model_version = None
        post.feed_position = start + offset


# --- the ranked arms -------------------------------------------------------------------


def ranked_home_page(
    viewer, assignment: Assignment, *, cursor: str | None, size: int, prepare=None
) -> HomePage:
    """One page of the person's ranked snapshot: a fresh snapshot without a cursor, else the
    page at the cursor's position (flywheel.pagination.BadCursor for a cursor we did not
    sign). `prepare` adds what cards need to the posts' queryset (prefetches)."""
    snapshot = None
    position = 0
    visible = selectors.visible_posts(viewer)  # blocks read once for ranking and the page
    if cursor:
        snapshot_id, position = decode_cursor(cursor)
        snapshot = load_snapshot(viewer.pk, snapshot_id)
        if snapshot is None:  # expired: rank afresh (impressions keep what was seen out)
            position = 0
    if snapshot is None:
        snapshot = build_snapshot(viewer, assignment, visible=visible)
    window, next_position = snapshot.window(position, size)
    posts = _posts_for(viewer, window, visible=visible, prepare=prepare)
    for post in posts:
        post.feed_arm = snapshot.arm
        post.feed_model_version = snapshot.model_version
    previous_position = snapshot.previous_position(position, size)
    return HomePage(
        posts=posts,
        arm=snapshot.arm,
        model_version=snapshot.model_version,
        is_first=position == 0,
        next_cursor=None if next_position is None else encode_cursor(snapshot.id, next_position),
        previous_cursor=(
            None if previous_position is None else encode_cursor(snapshot.id, previous_position)
        ),
    )


def _posts_for(viewer, window: list[tuple[int, dict]], *, visible, prepare=None) -> list:
    """The page's posts, in snapshot order, read again through the visibility rule (a block,
    a mute or a moderator's hiding since the snapshot takes effect at once)."""
    if not window:
        return []
    queryset = visible.filter(pk__in=[entry["post"] for _, entry in window]).exclude(
        author_id__in=Mute.objects.filter(muter=viewer).values("muted_id")
    )
    if prepare is not None:
        queryset = prepare(queryset)
    found = {post.pk: post for post in queryset}
    posts = []
    for position, entry in window:
        post = found.get(entry["post"])
        if post is None:
            continue
        shared = entry.get("shared")
        post.shared_by_username = shared["username"] if shared else None
        post.shared_comment = shared["comment"] if shared else ""
        post.shared_at = shared["at"] if shared else None
        post.activity_at = max(post.created_at, post.shared_at or post.created_at)
        post.feed_reason = entry["reason"]
        post.feed_source = entry["source"]
        post.feed_position = position
        posts.append(post)
    return posts
