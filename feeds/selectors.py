"""Reads for the home feed, shared by the home page and `/api/timeline/home/`.

A person's arm decides the feed: the chronological arm (and everyone who turned the
personalised feed off) gets `social.selectors.home_timeline`, paged by keyset as before; the
ranked arms get a page of their snapshot (feeds.snapshot). Either way every post comes back
with `feed_reason`, `feed_arm`, `feed_model_version` and `feed_position` set, which the card
and the API show so that impressions record the arm and the model version that chose them.

Sponsored slots: the ranked arms' snapshots keep a slot every SPONSORED_EVERY-th position;
the chronological arm gets slots at the same positions (before every fifth post), so arms
compare fairly. `place_sponsored` fills a page's slots through feeds.slots (the ad auction,
which ads registers) and hangs each ad on the post it is shown before (`post.sponsored`); the
page lists them in `HomePage.sponsored`.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from events.models import Surface
from events.serve_tokens import serve_token
from feeds import slots as sponsored_slots
from feeds import warm
from feeds.experiments import OPTED_OUT_ARM, Assignment, assign
from feeds.ranker_log import log_served
from feeds.snapshot import (
    SPONSORED,
    SPONSORED_EVERY,
    build_snapshot,
    cache_key,
    decode_cursor,
    encode_cursor,
    load_snapshot,
)
from flywheel.pagination import BadCursor
from social import cards, selectors
from social.models import Follow, Mute
from social.text_html import html_of

__all__ = [
    "Assignment",
    "HomePage",
    "SnapshotGone",
    "TimelineCard",
    "assign",
    "chronological_home",
    "explain_following",
    "following_home",
    "ranked_home_page",
    "snapshot_cache_key",
    "snapshot_cursor",
    "sponsored_for_chronological",
]


@dataclass
class HomePage:
    posts: list
    arm: str
    model_version: int | None
    is_first: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None
    sponsored: list = field(default_factory=list)  # what feeds.slots' filler served


# --- the chronological arm -------------------------------------------------------------


def chronological_home(viewer, assignment: Assignment | None = None):
    """`home_timeline`, with whether the viewer follows each author (for the reason). Given
    the person's (chronological) arm, a newcomer's home is warmed (feeds.warm); without one
    it is the *Following* tab: people followed and groups only."""
    also = ()
    if assignment is not None and warm.needs_warm_start(viewer):
        also = warm.warm_post_ids(viewer, profiled=profiled(assignment))
    return selectors.home_timeline(viewer, also=also).annotate(
        author_followed=Exists(
            Follow.objects.filter(follower=viewer, followee_id=OuterRef("author_id"))
        )
    )


def following_home(viewer):
    """The *Following* tab: people followed, groups and their shares, newest first."""
    return chronological_home(viewer)


def profiled(assignment: Assignment) -> bool:
    """May the person's own data shape their home? Not with the personalised feed off."""
    return assignment.arm != OPTED_OUT_ARM


def chronological_reason(post, viewer) -> str:
    """Why a post is in the chronological home; true by `home_timeline`'s own rule (its
    posts come with their authors and groups)."""
    return home_reason(
        viewer_id=viewer.pk,
        author_id=post.author_id,
        author_username=post.author.username,
        author_followed=getattr(post, "author_followed", False),
        shared_by=getattr(post, "shared_by_username", None),
        group_name=post.group.name if post.group_id else None,
    )


def home_reason(
    *, viewer_id, author_id, author_username, author_followed, shared_by, group_name
) -> str:
    """The chronological home's reason, from the facts that decide it."""
    if shared_by:
        return f"shared by @{shared_by}, whom you follow"
    if author_id == viewer_id:
        return "your post"
    if author_followed:
        return f"from @{author_username}, whom you follow"
    if group_name:
        return f"from your group {group_name}"
    return ""


def explain_chronological(posts, *, viewer, assignment: Assignment, start: int = 0) -> None:
    for offset, post in enumerate(posts):
        post.feed_reason = chronological_reason(post, viewer)
        post.feed_position = start + offset
    warm.explain_warm(posts, viewer, profiled=profiled(assignment))
    mark_served(posts, viewer=viewer, arm=assignment.arm, model_version=None)


def explain_following(posts, *, viewer, start: int = 0) -> None:
    """The *Following* tab: newest first for everyone, chosen by no arm and no model. Its
    impressions carry the surface `following` and no arm, so the arms are compared on *For
    you* alone."""
    for offset, post in enumerate(posts):
        post.feed_reason = chronological_reason(post, viewer)
        post.feed_position = start + offset
        post.feed_arm, post.feed_model_version, post.feed_serve = "", None, ""


def home_serve_token(viewer, *, arm: str, model_version: int | None) -> str:
    """The signed serve token of one page of the person's home (events.serve_tokens)."""
    return serve_token(
        viewer_id=viewer.pk, surface=Surface.HOME, arm=arm, model_version=model_version
    )


def mark_served(posts, *, viewer, arm: str, model_version: int | None) -> None:
    """Each post of the page carries the arm and model version that chose it, and the
    page's signed serve token (events.serve_tokens), which beacons echo: the server's
    record of what it served, not the client's word."""
    token = home_serve_token(viewer, arm=arm, model_version=model_version)
    for post in posts:
        post.feed_arm = arm
        post.feed_model_version = model_version
        post.feed_serve = token


# --- the ranked arms -------------------------------------------------------------------


class SnapshotGone(Exception):
    """A next page was asked for without an assignment, and its snapshot has expired."""


def _snapshot_id(cursor: str | None) -> str | None:
    """The snapshot a ranked cursor points at (None for no cursor, or one of another kind)."""
    if not cursor:
        return None
    try:
        snapshot_id, _ = decode_cursor(cursor)
    except BadCursor:
        return None
    return snapshot_id


def snapshot_cache_key(user_id: int, cursor: str | None) -> str | None:
    """Where the person's snapshot that a ranked cursor points at is cached (None for no
    cursor, or one of another kind), for reading it ahead with other keys."""
    snapshot_id = _snapshot_id(cursor)
    return None if snapshot_id is None else cache_key(user_id, snapshot_id)


def snapshot_cursor(cursor: str | None) -> bool:
    """Whether this is a ranked snapshot's cursor (its page needs no assignment: the
    snapshot knows its arm)."""
    return _snapshot_id(cursor) is not None


def ranked_home_page(
    viewer,
    assignment: Assignment | None,
    *,
    cursor: str | None,
    size: int,
    prepare=None,
    as_cards: bool = False,
    request=None,
    sponsored: bool = True,
) -> HomePage:
    """One page of the person's ranked snapshot: a fresh snapshot without a cursor, else the
    page at the cursor's position (flywheel.pagination.BadCursor for a cursor we did not
    sign). The posts are model instances for templates (`prepare` adds what cards need to
    their queryset), or with `as_cards` `TimelineCard`s whose `data` is the API's item.
    Without `sponsored` the page's ad slots stay empty (clients that cannot show ads: the
    Mastodon API).
    Without an `assignment` (a next page), SnapshotGone when the snapshot has expired."""
    snapshot = None
    position = 0
    # The templates' path reads blocks once for ranking and the page; the cards' path has
    # the visibility rule inside its statements.
    visible = None if as_cards else selectors.visible_posts(viewer)
    if cursor:
        snapshot_id, position = decode_cursor(cursor)
        snapshot = load_snapshot(viewer.pk, snapshot_id)
        if snapshot is None:  # expired: rank afresh (impressions keep what was seen out)
            position = 0
    if snapshot is None:
        if assignment is None:
            raise SnapshotGone
        snapshot = build_snapshot(viewer, assignment, visible=visible)
    window, next_position = snapshot.window(position, size)
    if as_cards:
        posts = _cards_for(viewer, window, visible=visible, snapshot=snapshot, request=request)
    else:
        posts = _posts_for(viewer, window, visible=visible, prepare=prepare)
        mark_served(posts, viewer=viewer, arm=snapshot.arm, model_version=snapshot.model_version)
    served = {post.pk for post in posts}
    log_served(viewer, arm=snapshot.arm, served=[(p, e) for p, e in window if e["post"] in served])
    previous_position = snapshot.previous_position(position, size)
    end = len(snapshot.entries) if next_position is None else next_position
    slots = [
        (slot, sum(1 for post in posts if post.feed_position < slot))
        for slot in range(position, end)
        if snapshot.entries[slot].get("slot") == SPONSORED
    ]
    placed = (
        place_sponsored(
            viewer, posts, slots, arm=snapshot.arm, model_version=snapshot.model_version
        )
        if sponsored
        else []
    )
    return HomePage(
        posts=posts,
        arm=snapshot.arm,
        model_version=snapshot.model_version,
        sponsored=placed,
        is_first=position == 0,
        next_cursor=None if next_position is None else encode_cursor(snapshot.id, next_position),
        previous_cursor=(
            None if previous_position is None else encode_cursor(snapshot.id, previous_position)
        ),
    )


@dataclass
class TimelineCard:
    """A post of a page as the API sends it (`data`), with what slots and reasons need."""

    pk: int
    feed_position: int
    data: dict
    sponsored: object | None = None  # the sponsored item shown before this post

    @property
    def feed_reason(self) -> str:
        return self.data["reason"]

    @feed_reason.setter
    def feed_reason(self, reason: str) -> None:
        self.data["reason"] = reason


def timeline_item(
    row: dict,
    html: str,
    *,
    shared: dict | None,
    reason: str,
    arm: str,
    model_version,
    serve,
    request,
    zone=None,
) -> dict:
    """`TimelinePostSerializer`'s item: a card (social.cards) with the home's fields; `shared`
    is the latest share shown above it ({username, comment, at}), if any."""
    data = cards.card(row, html, request=request, zone=zone)
    activity = row["created_at"]
    data["shared_by"] = None
    if shared:
        activity = max(activity, shared["at"])
        data["shared_by"] = {
            "username": shared["username"],
            "comment": shared["comment"] or "",
            "shared_at": cards.format_datetime(shared["at"], zone),
        }
    data["activity_at"] = cards.format_datetime(activity, zone)
    data["reason"] = reason or ""
    data["model_version"] = model_version
    data["arm"] = arm or ""
    data["serve"] = serve
    return data


def _cards_for(viewer, window, *, visible, snapshot, request) -> list[TimelineCard]:
    """The page's posts as `social.serializers.TimelinePostSerializer` items, in snapshot
    order, from one query and the cached rendered texts (`social.cards`)."""
    rows = cards.card_rows(viewer, [entry["post"] for _, entry in window], visible=visible)
    shown = [
        (position, entry, rows[entry["post"]])
        for position, entry in window
        if entry["post"] in rows
    ]
    html = html_of([row for _, _, row in shown])
    serve = home_serve_token(viewer, arm=snapshot.arm, model_version=snapshot.model_version)
    zone = timezone.get_current_timezone()  # once a page, not once a datetime
    page = []
    for position, entry, row in shown:
        data = timeline_item(
            row,
            html[row["id"]],
            shared=entry.get("shared"),
            reason=entry["reason"],
            arm=snapshot.arm,
            model_version=snapshot.model_version,
            serve=serve,
            request=request,
            zone=zone,
        )
        page.append(TimelineCard(pk=row["id"], feed_position=position, data=data))
    return page


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


# --- sponsored slots -------------------------------------------------------------------


def place_sponsored(
    viewer, posts: list, slots: list[tuple[int, int]], *, arm: str, model_version: int | None
) -> list:
    """Fill the page's slots, given as (position in the feed's layout, index of the post it
    is shown before), through feeds.slots (the ad auction, with ads installed); the page's
    posts are the context. Each ad served is hung on its post as `post.sponsored`. A slot
    with no post after it stays empty."""
    slots = [(position, index) for position, index in slots if index < len(posts)]
    if not slots:
        return []
    served = sponsored_slots.serve(
        viewer,
        slots=[position for position, _ in slots],
        context_post_ids=[post.pk for post in posts],
        surface=Surface.HOME,
        arm=arm,
        model_version=model_version,
    )
    index_of = dict(slots)
    for item in served:
        item.index = index_of[item.position]
        posts[item.index].sponsored = item
    return served


def chronological_slots(posts) -> list[tuple[int, int]]:
    """The chronological arm's slots where a snapshot would have them: before every
    (SPONSORED_EVERY - 1)-th post, at the position that slot would take in the layout."""
    between = SPONSORED_EVERY - 1
    return [
        (post.feed_position + post.feed_position // between - 1, index)
        for index, post in enumerate(posts)
        if post.feed_position > 0 and post.feed_position % between == 0
    ]


def sponsored_for_chronological(viewer, posts, assignment: Assignment) -> list:
    """Sponsored items for a page of the chronological home (explained first)."""
    posts = list(posts)
    return place_sponsored(
        viewer, posts, chronological_slots(posts), arm=assignment.arm, model_version=None
    )
