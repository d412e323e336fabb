"""A newcomer's warm first feed in the chronological arms.

Someone who follows almost no one and belongs to no group would open an empty home in the
chronological arm (and with the personalised feed off) while the site is full of posts. Until
their own follows and groups take over (WARM_UNTIL of them), *For you* in those arms also
lists recent posts about their declared interests and the week's most liked posts, still
newest first, each with its reason. The ranked arms have the same sources for cold start
(feeds.candidate_pool: `interests` and `popular`), so every arm starts warm.

With the personalised feed off nothing about the person is used: no interests, only the
week's popular posts, which are the same for everyone (a non-profiled order, as the EU's
Digital Services Act asks of large platforms).
"""

from datetime import timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from feeds.candidate_pool import INTEREST_DAYS, POPULAR_DAYS, interests_of
from flywheel import soft_cache
from flywheel.prepared import prepared_cursor
from social.models import Follow, Membership, Post
from social.selectors import member_group_ids

WARM_UNTIL = 5  # follows and groups together: from this many, the person's own sources rule
WARM_INTERESTS = 60  # newest posts about the person's interests
WARM_POPULAR = 40  # most liked posts of the week
POPULAR_REASON = "popular this week"
POPULAR_KEY = "feeds:warm-popular"
# The week's most liked posts are the same for everyone: found once a minute, not on every
# newcomer's page (a sort of the week's posts by likes, which no index serves).
POPULAR_SECONDS = 60


# Asked on every page of the chronological arm: one statement prepared once per connection
# (two ORM counts cost about 1 ms of Python to build and compile), each count stopping at
# WARM_UNTIL, so someone who follows thousands costs no more than a newcomer.
OWN_SOURCES_SQL = """
SELECT (SELECT count(*) FROM (SELECT 1 FROM social_follow
                               WHERE follower_id = %(viewer)s LIMIT %(until)s) follows)
     + (SELECT count(*) FROM (SELECT 1 FROM social_membership
                               WHERE user_id = %(viewer)s AND state = %(active)s
                               LIMIT %(until)s) groups)
"""


def needs_warm_start(viewer) -> bool:
    """Whether the person follows and belongs to fewer than WARM_UNTIL people and groups."""
    if connection.vendor != "postgresql":
        follows = Follow.objects.filter(follower=viewer).count()
        return follows < WARM_UNTIL and follows + member_group_ids(viewer).count() < WARM_UNTIL
    params = {"viewer": viewer.pk, "until": WARM_UNTIL, "active": str(Membership.State.ACTIVE)}
    with prepared_cursor() as cursor:
        cursor.execute(OWN_SOURCES_SQL, params)
        return cursor.fetchone()[0] < WARM_UNTIL


def popular_post_ids(now=None) -> list[int]:
    """The week's most liked posts (WARM_POPULAR of them), kept for POPULAR_SECONDS."""
    ids = soft_cache.get(POPULAR_KEY)
    if isinstance(ids, list):
        return ids
    now = now or timezone.now()
    ids = list(
        Post.objects.filter(created_at__gte=now - timedelta(days=POPULAR_DAYS), like_count__gt=0)
        .order_by("-like_count", "-id")
        .values_list("id", flat=True)[:WARM_POPULAR]
    )
    soft_cache.set(POPULAR_KEY, ids, POPULAR_SECONDS)
    return ids


def warm_post_ids(viewer, *, profiled: bool, now=None) -> list[QuerySet]:
    """Ids of the warm sources, each ordered and limited, to add to the chronological home's
    sources (social.selectors.home_timeline); visibility is applied by the home's own rule."""
    popular_ids, about = _warm_sources(viewer, profiled=profiled, now=now)
    sources = [about] if about is not None else []
    if popular_ids:
        sources.insert(0, Post.objects.order_by().filter(pk__in=popular_ids).values("id"))
    return sources


def warm_id_list(viewer, *, profiled: bool, now=None) -> list[int]:
    """The warm sources' ids as one list (for social.home_rows' statement)."""
    popular_ids, about = _warm_sources(viewer, profiled=profiled, now=now)
    return popular_ids + ([row["id"] for row in about] if about is not None else [])


def _warm_sources(viewer, *, profiled: bool, now=None) -> tuple[list[int], QuerySet | None]:
    """The week's popular post ids, and the newest posts about the person's interests (None
    when nothing about the person may be used or they declared none)."""
    now = now or timezone.now()
    interests = interests_of(viewer) if profiled else []
    about = None
    if interests:
        about = (
            Post.objects.filter(
                hashtags__name__in=interests,
                created_at__gte=now - timedelta(days=INTEREST_DAYS),
            )
            .distinct()
            .order_by("-id")
            .values("id")[:WARM_INTERESTS]
        )
    return popular_post_ids(now), about


def explain_warm(posts, viewer, *, profiled: bool) -> None:
    """Give the warm posts of a page (those with no reason yet) theirs: the interest they
    are about, else that they are popular this week."""
    unexplained = [post for post in posts if not getattr(post, "feed_reason", "")]
    if not unexplained:
        return
    interests = interests_of(viewer) if profiled else []
    tags: dict[int, list[str]] = {}
    if interests:
        rows = Post.hashtags.through.objects.filter(
            post_id__in=[post.pk for post in unexplained], hashtag__name__in=interests
        ).values_list("post_id", "hashtag__name")
        for post_id, name in rows:
            tags.setdefault(post_id, []).append(name)
    for post in unexplained:
        about = sorted(tags.get(post.pk, []))
        if about:
            post.feed_reason = f"about #{about[0]}, one of your interests"
        else:
            post.feed_reason = POPULAR_REASON
