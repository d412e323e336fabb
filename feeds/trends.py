"""Trending hashtags and posts, from time-decayed counts of recent events.

Every like, share and comment in the window counts, impressions a little; unlikes and
unshares take their like or share back. Each event's weight halves every `half_life_hours`,
so a post liked ten times this hour outranks one liked twenty times yesterday. Only public
posts that anyone may see can trend (not hidden, by an active author, outside private
groups); a hashtag's score is the sum of its trending-eligible posts' scores.

`refresh_trends` replaces the whole set of Trend rows in one transaction, so readers see the
old set or the new one, never half of each; `trending_for` reads them for a viewer and applies
the viewer's own visibility (blocks, mutes, moderation since the refresh) again.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from events.models import EventKind
from feeds.models import Trend
from social import selectors
from social.models import Hashtag, Post

# Weight of one event of each kind before decay.
KIND_WEIGHTS = {
    EventKind.LIKE: 1.0,
    EventKind.UNLIKE: -1.0,
    EventKind.SHARE: 2.0,
    EventKind.UNSHARE: -2.0,
    EventKind.COMMENT: 1.5,
    EventKind.IMPRESSION: 0.05,
}
HALF_LIFE_HOURS = 4.0
WINDOW_HALF_LIVES = 6  # older events weigh under 2% and are not read
TOP_POSTS = 20
TOP_HASHTAGS = 10
MIN_SCORE = 0.5  # below this (ten impressions, say) nothing is trending
CANDIDATE_POSTS = 5000  # best-scored posts checked for visibility and read for hashtags


@dataclass
class TrendCounts:
    hashtags: int
    posts: int
    computed_at: datetime

    def as_dict(self) -> dict:
        return {
            "hashtags": self.hashtags,
            "posts": self.posts,
            "computed_at": self.computed_at.isoformat(),
        }


def _half_life_hours() -> float:
    return float(getattr(settings, "TRENDS_HALF_LIFE_HOURS", HALF_LIFE_HOURS))


def decayed_post_scores(now: datetime, *, half_life_hours: float) -> dict[int, float]:
    """Each post's sum of event weights, every weight halved per half-life of its age. One
    aggregate over the window of the event log (its created_at index), grouped by post."""
    since = now - timedelta(hours=half_life_hours * WINDOW_HALF_LIVES)
    weight = " ".join(f"WHEN {int(kind)} THEN {value!r}" for kind, value in KIND_WEIGHTS.items())
    if connection.vendor == "postgresql":
        age = "(%s - EXTRACT(EPOCH FROM created_at))"
    else:  # SQLite stores UTC text; julianday reads it
        age = "(%s - (julianday(created_at) - 2440587.5) * 86400.0)"
    kinds = ",".join(str(int(kind)) for kind in KIND_WEIGHTS)
    sql = (
        f"SELECT post_id, SUM((CASE kind {weight} ELSE 0 END) "
        f"* POWER(0.5, {age} / %s)) "
        f"FROM analytics_event WHERE created_at > %s AND created_at <= %s "
        f"AND kind IN ({kinds}) AND post_id IS NOT NULL GROUP BY post_id"
    )
    as_param = connection.ops.adapt_datetimefield_value
    params = [now.timestamp(), half_life_hours * 3600.0, as_param(since), as_param(now)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(post_id): float(score) for post_id, score in cursor.fetchall() if score}


def compute_trends(now: datetime, *, half_life_hours: float | None = None):
    """(posts, hashtags), each a list of (id, score), best first, public posts only."""
    half_life = half_life_hours or _half_life_hours()
    scores = decayed_post_scores(now, half_life_hours=half_life)
    best = sorted(
        ((post_id, score) for post_id, score in scores.items() if score > 0),
        key=lambda item: (-item[1], item[0]),
    )[:CANDIDATE_POSTS]
    public = selectors.visible_post_ids(None, [post_id for post_id, _ in best])
    eligible = [(post_id, score) for post_id, score in best if post_id in public]
    posts = [(post_id, score) for post_id, score in eligible if score >= MIN_SCORE][:TOP_POSTS]
    tag_scores: dict[int, float] = {}
    eligible_scores = dict(eligible)
    if eligible_scores:
        for post_id, hashtag_id in Post.hashtags.through.objects.filter(
            post_id__in=list(eligible_scores)
        ).values_list("post_id", "hashtag_id"):
            tag_scores[hashtag_id] = tag_scores.get(hashtag_id, 0.0) + eligible_scores[post_id]
    hashtags = sorted(
        ((tag, score) for tag, score in tag_scores.items() if score >= MIN_SCORE),
        key=lambda item: (-item[1], item[0]),
    )[:TOP_HASHTAGS]
    return posts, hashtags


def _lock_trends() -> None:
    """Two refreshes at once must not both delete the old set and both insert a new one.
    PostgreSQL: a table lock that lets readers through. SQLite's immediate transactions
    already serialise writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Trend._meta.db_table} IN EXCLUSIVE MODE")


def refresh_trends(*, now: datetime | None = None) -> TrendCounts:
    """Compute the trends and replace the stored set in one transaction (idempotent: the same
    events at the same moment give the same rows)."""
    now = now or timezone.now()
    posts, hashtags = compute_trends(now)
    rows = [
        Trend(kind=Trend.Kind.POST, post_id=post_id, score=score, rank=rank, computed_at=now)
        for rank, (post_id, score) in enumerate(posts, start=1)
    ] + [
        Trend(kind=Trend.Kind.HASHTAG, hashtag_id=tag, score=score, rank=rank, computed_at=now)
        for rank, (tag, score) in enumerate(hashtags, start=1)
    ]
    with transaction.atomic():
        _lock_trends()
        Trend.objects.all().delete()
        Trend.objects.bulk_create(rows)
    return TrendCounts(hashtags=len(hashtags), posts=len(posts), computed_at=now)


# --- reading ---------------------------------------------------------------------------


@dataclass
class TrendingHashtag:
    hashtag: Hashtag
    score: float
    rank: int

    @property
    def name(self) -> str:
        return self.hashtag.name


@dataclass
class Trending:
    hashtags: list[TrendingHashtag] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)  # each with trend_rank and trend_score
    computed_at: datetime | None = None

    def __bool__(self) -> bool:
        return bool(self.hashtags or self.posts)


def trending_for(viewer, *, hashtags: int = TOP_HASHTAGS, posts: int = 5, cards=None) -> Trending:
    """The stored trends as this viewer may see them: trending posts go through the explore
    rules again (visible to them, not muted, not hidden since the refresh). `cards` can add
    what a post card needs (a prefetch) to the posts' queryset."""
    rows = list(Trend.objects.select_related("hashtag").order_by("kind", "rank"))
    post_rows = [row for row in rows if row.kind == Trend.Kind.POST and row.post_id]
    trending = Trending(
        hashtags=[
            TrendingHashtag(row.hashtag, row.score, row.rank)
            for row in rows
            if row.kind == Trend.Kind.HASHTAG and row.hashtag is not None
        ][: max(hashtags, 0)],
        computed_at=max((row.computed_at for row in rows), default=None),
    )
    if posts <= 0 or not post_rows:
        return trending
    queryset = selectors.explore_posts(viewer).filter(pk__in=[row.post_id for row in post_rows])
    if cards is not None:
        queryset = cards(queryset)
    found = {post.pk: post for post in queryset}
    for row in post_rows:
        post = found.get(row.post_id)
        if post is not None and len(trending.posts) < posts:
            post.trend_rank, post.trend_score = row.rank, row.score
            trending.posts.append(post)
    return trending
