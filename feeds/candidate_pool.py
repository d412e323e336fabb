"""Every candidate of a person's first page, with what ranking needs to know about each.

On PostgreSQL this is one statement, prepared once per connection (`flywheel.prepared`):
the sources (people followed, groups, own, fresh, popular and interests for cold start, and
the posts the model, trends and followees' shares point at), each an ordered, limited
branch through the visibility rule (`social.selectors.VISIBLE_POST_SQL`) minus muted people
and posts seen in the last day; then, per candidate, its hashtags (all candidates' in one
join: per candidate, the lookups cost a sixth of the statement on the bots' world), the
latest share by someone followed, its place in the trends, and the person's most liked
hashtag on it (for "because you liked posts about #x") with how many liked posts carry
each of its hashtags (`liked_share`). Elsewhere (SQLite, the embedded default) the same pool
comes from the ORM, a query per source: `orm_pool`, also the yardstick the statement is
tested against (tests/feeds/test_candidate_pool.py).

Followees' new posts are found by the `(author, -id)` index, a short range scan per person
followed, rather than pushed into a per-person inbox on every post (docs/architecture.md).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import CharField, Count, QuerySet, Value

from events.models import Event, EventKind
from feeds import topic_engagement
from feeds.models import PostAudience, Trend
from flywheel.prepared import IntArray, prepared_cursor
from social import selectors
from social.models import Follow, Mute, Post, Share

FOLLOWING_LIMIT, FOLLOWING_DAYS = 200, 14
GROUP_LIMIT, GROUP_DAYS = 150, 14
SHARED_LIMIT = 100
FRESH_LIMIT, FRESH_HOURS = 100, 48
OWN_LIMIT = 20
POPULAR_LIMIT, POPULAR_DAYS = 100, 7
INTEREST_LIMIT, INTEREST_DAYS = 100, 14
TRENDING_LIMIT = 50
LIKED_TAGS = 200
SEEN_HOURS = 24  # a post shown (an impression) this recently is not ranked again

FIELDS = (
    "id", "author_id", "author__username", "group_id", "group__name", "like_count",
    "share_count", "impression_count", "read_ms", "created_at",
)  # fmt: skip


@dataclass
class CandidatePool:
    """Rows (`FIELDS` and `src`, the source: one row per source that found the post, or
    "by_id" for posts named by the model, trends or shares), and facts per post id."""

    rows: list[dict] = field(default_factory=list)
    hashtags: dict[int, frozenset[str]] = field(default_factory=dict)
    shared: dict[int, dict] = field(default_factory=dict)  # username, comment, at
    trending: dict[int, float] = field(default_factory=dict)  # 1 at the top, falling
    liked_tag: dict[int, str] = field(default_factory=dict)  # for the model's reason
    liked_share: dict[int, float] = field(default_factory=dict)  # see `liked_share`
    # The person's time on each post's hashtags (feeds.topic_engagement): seconds read per
    # view, and log(1 + views); posts without hashtags are absent (the prior, and 0).
    topic_read_time: dict[int, float] = field(default_factory=dict)
    topic_views: dict[int, float] = field(default_factory=dict)
    expected_read_ms: dict[int, int] = field(default_factory=dict)  # feeds.PostAudience


def interests_of(viewer) -> list[str]:
    interests = viewer.interests if isinstance(viewer.interests, list) else []
    words = {str(word).strip().lstrip("#").lower() for word in interests}
    return sorted(word for word in words if word)[:50]


def candidate_pool(viewer, now, *, model_ids, cold: bool, visible=None) -> CandidatePool:
    """The person's candidates: one prepared statement on PostgreSQL, the ORM elsewhere."""
    if connection.vendor == "postgresql":
        return statement_pool(viewer, now, model_ids=model_ids, cold=cold)
    return orm_pool(viewer, now, model_ids=model_ids, cold=cold, visible=visible)


# --- one statement (PostgreSQL) --------------------------------------------------------

POOL_SQL = f"""
WITH seen AS MATERIALIZED (
    SELECT post_id FROM analytics_event
    WHERE user_id = %(viewer)s AND kind = {int(EventKind.IMPRESSION)}
      AND created_at >= %(seen_since)s AND post_id IS NOT NULL
), followees AS MATERIALIZED (
    SELECT followee_id AS id FROM social_follow WHERE follower_id = %(viewer)s
), muted AS MATERIALIZED (
    SELECT muted_id AS id FROM social_mute WHERE muter_id = %(viewer)s
), visible AS NOT MATERIALIZED (
    SELECT p.id, p.author_id, u.username, p.group_id, g.name AS group_name, p.like_count,
           p.share_count, p.impression_count, p.read_ms, p.created_at
    FROM social_post p JOIN accounts_user u ON u.id = p.author_id
    LEFT JOIN social_group g ON g.id = p.group_id
    WHERE {selectors.VISIBLE_POST_SQL}
      AND p.author_id NOT IN (SELECT id FROM muted) AND p.id NOT IN (SELECT post_id FROM seen)
), trending AS MATERIALIZED (
    SELECT post_id, min(position) AS position, max(total) AS total FROM (
        SELECT post_id, row_number() OVER (ORDER BY rank, id) - 1 AS position,
               count(*) OVER () AS total
        FROM (SELECT id, post_id, rank FROM feeds_trend
              WHERE kind = 'post' AND post_id IS NOT NULL
              ORDER BY rank, id LIMIT {TRENDING_LIMIT}) top
    ) ranked GROUP BY post_id
), shares AS MATERIALIZED (
    SELECT DISTINCT ON (post_id) post_id, username, comment, created_at FROM (
        SELECT s.post_id, su.username, s.comment, s.created_at
        FROM social_share s JOIN accounts_user su ON su.id = s.user_id
        WHERE s.user_id IN (SELECT id FROM followees) AND s.created_at >= %(following_since)s
          AND su.is_active AND s.user_id NOT IN (SELECT id FROM muted)
        ORDER BY s.created_at DESC LIMIT {SHARED_LIMIT}
    ) recent ORDER BY post_id, created_at DESC
), liked AS MATERIALIZED (
    SELECT h.name, count(DISTINCT ph.post_id) AS posts
    FROM social_like l JOIN social_post_hashtags ph ON ph.post_id = l.post_id
    JOIN social_hashtag h ON h.id = ph.hashtag_id
    WHERE l.user_id = %(viewer)s AND %(explain_model)s
    GROUP BY h.name ORDER BY posts DESC, h.name LIMIT {LIKED_TAGS}
), tastes AS MATERIALIZED (
    SELECT hashtag_id, views, read_ms FROM feeds_topicengagement WHERE user_id = %(viewer)s
), picked AS MATERIALIZED (
    (SELECT *, 'following' AS src FROM visible
     WHERE author_id IN (SELECT id FROM followees) AND created_at >= %(following_since)s
     ORDER BY id DESC LIMIT {FOLLOWING_LIMIT})
    UNION ALL
    (SELECT *, 'groups' FROM visible
     WHERE group_id IN (SELECT group_id FROM social_membership
                        WHERE user_id = %(viewer)s AND state = 'active')
       AND created_at >= %(group_since)s
     ORDER BY id DESC LIMIT {GROUP_LIMIT})
    UNION ALL
    (SELECT *, 'own' FROM visible
     WHERE author_id = %(viewer)s AND created_at >= %(fresh_since)s
     ORDER BY id DESC LIMIT {OWN_LIMIT})
    UNION ALL
    (SELECT *, 'fresh' FROM visible WHERE created_at >= %(fresh_since)s
     ORDER BY id DESC LIMIT {FRESH_LIMIT})
    UNION ALL
    (SELECT *, 'popular' FROM visible
     WHERE %(cold)s AND created_at >= %(popular_since)s AND like_count > 0
     ORDER BY like_count DESC, id DESC LIMIT {POPULAR_LIMIT})
    UNION ALL
    (SELECT *, 'interests' FROM visible
     WHERE %(cold)s AND created_at >= %(interest_since)s AND id IN (
         SELECT ph.post_id FROM social_post_hashtags ph
         JOIN social_hashtag h ON h.id = ph.hashtag_id WHERE h.name = ANY(%(interests)s))
     ORDER BY id DESC LIMIT {INTEREST_LIMIT})
    UNION ALL
    (SELECT *, 'by_id' FROM visible WHERE id = ANY(
        %(model_ids)s::bigint[] || ARRAY(SELECT post_id FROM trending)
        || ARRAY(SELECT post_id FROM shares)))
), tagged AS (
    SELECT ph.post_id, array_agg(h.name) AS tags, array_agg(coalesce(te.views, 0)) AS views,
           array_agg(coalesce(te.read_ms, 0)) AS read_ms
    FROM social_post_hashtags ph JOIN social_hashtag h ON h.id = ph.hashtag_id
    LEFT JOIN tastes te ON te.hashtag_id = ph.hashtag_id
    WHERE ph.post_id IN (SELECT id FROM picked) GROUP BY ph.post_id
)
SELECT c.src, c.id, c.author_id, c.username, c.group_id, c.group_name, c.like_count,
       c.share_count, c.impression_count, c.read_ms, c.created_at, coalesce(t.tags, '{{}}'),
       t.views, t.read_ms, pa.expected_ms,
       sh.username, sh.comment, sh.created_at, tr.position, tr.total,
       lk.best, lk.posts, (SELECT max(posts) FROM liked)
FROM picked c
LEFT JOIN tagged t ON t.post_id = c.id
LEFT JOIN LATERAL (
    SELECT (array_agg(l.name ORDER BY l.posts DESC, l.name DESC))[1] AS best,
           sum(l.posts) AS posts
    FROM liked l WHERE l.name = ANY(t.tags)
) lk ON true
LEFT JOIN shares sh ON sh.post_id = c.id LEFT JOIN trending tr ON tr.post_id = c.id
LEFT JOIN feeds_postaudience pa ON pa.post_id = c.id
"""


def statement_pool(viewer, now, *, model_ids, cold: bool) -> CandidatePool:
    params = {
        "viewer": viewer.pk,
        "seen_since": now - timedelta(hours=SEEN_HOURS),
        "following_since": now - timedelta(days=FOLLOWING_DAYS),
        "group_since": now - timedelta(days=GROUP_DAYS),
        "fresh_since": now - timedelta(hours=FRESH_HOURS),
        "popular_since": now - timedelta(days=POPULAR_DAYS),
        "interest_since": now - timedelta(days=INTEREST_DAYS),
        "cold": bool(cold),
        "explain_model": bool(model_ids),
        "interests": interests_of(viewer) if cold else [],
        "model_ids": IntArray(sorted(int(pk) for pk in model_ids)),
    }
    with prepared_cursor() as cursor:
        cursor.execute(POOL_SQL, params)
        found = cursor.fetchall()
    pool = CandidatePool()
    for (
        src,
        *row,
        tags,
        views,
        read_ms,
        expected,
        sharer,
        comment,
        shared_at,
        position,
        total,
        liked,
        weight,
        top,
    ) in found:
        entry = dict(zip(FIELDS, row, strict=True))  # one dict a row: a few hundred a page
        entry["src"] = src
        pool.rows.append(entry)
        post_id = row[0]
        pool.hashtags[post_id] = frozenset(tags)
        if views:
            _add_topic_engagement(pool, post_id, views, read_ms)
        if expected is not None:
            pool.expected_read_ms[post_id] = expected
        if sharer is not None:
            pool.shared[post_id] = {"username": sharer, "comment": comment, "at": shared_at}
        if position is not None:
            pool.trending[post_id] = 1.0 - position / total
        if liked is not None:
            pool.liked_tag[post_id] = liked
            pool.liked_share[post_id] = float(weight) / (len(tags) * top)
    return pool


# --- the ORM, a query per source (SQLite; the yardstick) --------------------------------


def orm_pool(viewer, now, *, model_ids, cold: bool, visible=None) -> CandidatePool:
    trending = _trending()
    shared = _shared_by_followees(viewer, now - timedelta(days=FOLLOWING_DAYS))
    by_id = set(model_ids) | set(trending) | set(shared)
    rows = _candidate_rows(viewer, now, by_id=by_id, cold=cold, visible=visible)
    post_ids = {row["id"] for row in rows}
    tags = _hashtags_of(post_ids) if post_ids else {}
    liked = liked_hashtags(viewer) if model_ids else Counter()
    engagement = topic_engagement.engagement_by_hashtag(viewer)
    pool = CandidatePool(rows=rows)
    pool.expected_read_ms = dict(
        PostAudience.objects.filter(post_id__in=post_ids).values_list("post_id", "expected_ms")
    )
    for post_id in post_ids:
        pool.hashtags[post_id] = tags.get(post_id, frozenset())
        if post_id in shared:
            pool.shared[post_id] = shared[post_id]
        if post_id in trending:
            pool.trending[post_id] = trending[post_id]
        engaged = [engagement.get(tag, (0, 0)) for tag in pool.hashtags[post_id]]
        if engaged:
            _add_topic_engagement(pool, post_id, *zip(*engaged, strict=True))
        liked_here = [tag for tag in pool.hashtags[post_id] if liked[tag] > 0]
        if liked_here:
            pool.liked_tag[post_id] = max(liked_here, key=lambda t: (liked[t], t))
            pool.liked_share[post_id] = liked_share(pool.hashtags[post_id], liked)
    return pool


def _add_topic_engagement(pool: CandidatePool, post_id: int, views, read_ms) -> None:
    pool.topic_read_time[post_id] = topic_engagement.topic_read_time(views, read_ms)
    pool.topic_views[post_id] = topic_engagement.topic_views(views)


def liked_share(hashtags, liked: Counter) -> float:
    """How much the person's likes say they care for a post's hashtags, 0 to 1: the mean over
    its hashtags of the posts they liked with it, over those with their most liked hashtag.
    It reads likes as bots.truth reads tastes (a topic's weight over the favourite's)."""
    top = max(liked.values(), default=0)
    if not hashtags or not top:
        return 0.0
    return sum(liked[tag] for tag in hashtags) / (len(hashtags) * top)


def _trending() -> dict[int, float]:
    post_ids = list(
        Trend.objects.filter(kind=Trend.Kind.POST, post__isnull=False)
        .order_by("rank", "id")
        .values_list("post_id", flat=True)[:TRENDING_LIMIT]
    )
    count = len(post_ids)
    scores: dict[int, float] = {}
    for position, post_id in enumerate(post_ids):
        scores.setdefault(post_id, 1.0 - position / count)
    return scores


def _followees(viewer):
    return Follow.objects.filter(follower=viewer).values("followee_id")


def _muted(viewer):
    return Mute.objects.filter(muter=viewer).values("muted_id")


def _shared_by_followees(viewer, since) -> dict[int, dict]:
    """The latest share of each post by someone the person follows (and has not muted)."""
    rows = (
        Share.objects.filter(user_id__in=_followees(viewer), created_at__gte=since)
        .filter(user__is_active=True)
        .exclude(user_id__in=_muted(viewer))
        .order_by("-created_at")
        .values_list("post_id", "user__username", "comment", "created_at")[:SHARED_LIMIT]
    )
    shared: dict[int, dict] = {}
    for post_id, username, comment, at in rows:
        shared.setdefault(post_id, {"username": username, "comment": comment, "at": at})
    return shared


def seen_recently(viewer, now):
    """Posts the person was shown (an impression) in the last SEEN_HOURS."""
    return Event.objects.filter(
        user=viewer,
        kind=EventKind.IMPRESSION,
        created_at__gte=now - timedelta(hours=SEEN_HOURS),
        post_id__isnull=False,
    ).values("post_id")


def _branch(queryset: QuerySet, source: str) -> QuerySet:
    return queryset.values(*FIELDS, src=Value(source, output_field=CharField()))


def _candidate_rows(viewer, now, *, by_id: set[int], cold: bool, visible=None) -> list[dict]:
    """Every source's posts (a UNION ALL of ordered, limited branches where the database
    allows it), each through the one visibility rule, minus muted people and posts seen."""
    base = (
        (selectors.visible_posts(viewer) if visible is None else visible)
        .exclude(author_id__in=_muted(viewer))
        .exclude(pk__in=seen_recently(viewer, now))
    )
    fresh_since = now - timedelta(hours=FRESH_HOURS)
    newest = ("-id",)
    branches = [
        _branch(
            base.filter(
                author_id__in=_followees(viewer),
                created_at__gte=now - timedelta(days=FOLLOWING_DAYS),
            ).order_by(*newest)[:FOLLOWING_LIMIT],
            "following",
        ),
        _branch(
            base.filter(
                group_id__in=selectors.member_group_ids(viewer),
                created_at__gte=now - timedelta(days=GROUP_DAYS),
            ).order_by(*newest)[:GROUP_LIMIT],
            "groups",
        ),
        _branch(
            base.filter(author=viewer, created_at__gte=fresh_since).order_by(*newest)[:OWN_LIMIT],
            "own",
        ),
        _branch(base.filter(created_at__gte=fresh_since).order_by(*newest)[:FRESH_LIMIT], "fresh"),
    ]
    if cold:
        branches.append(
            _branch(
                base.filter(
                    created_at__gte=now - timedelta(days=POPULAR_DAYS), like_count__gt=0
                ).order_by("-like_count", "-id")[:POPULAR_LIMIT],
                "popular",
            )
        )
        interests = interests_of(viewer)
        if interests:
            tagged = Post.hashtags.through.objects.filter(hashtag__name__in=interests)
            branches.append(
                _branch(
                    base.filter(
                        pk__in=tagged.values("post_id"),
                        created_at__gte=now - timedelta(days=INTEREST_DAYS),
                    ).order_by(*newest)[:INTEREST_LIMIT],
                    "interests",
                )
            )
    if by_id:
        branches.append(_branch(base.filter(pk__in=sorted(by_id)), "by_id"))
    if connection.features.supports_slicing_ordering_in_compound:
        first, *rest = branches
        return list(first.union(*rest, all=True))
    return [row for branch in branches for row in branch]  # SQLite: one query per source


def _hashtags_of(post_ids) -> dict[int, frozenset[str]]:
    tags: dict[int, set[str]] = {}
    rows = Post.hashtags.through.objects.filter(post_id__in=post_ids).values_list(
        "post_id", "hashtag__name"
    )
    for post_id, name in rows:
        tags.setdefault(post_id, set()).add(name)
    return {post_id: frozenset(names) for post_id, names in tags.items()}


def liked_hashtags(viewer) -> Counter:
    """How many of the posts the person likes (now) carry each hashtag."""
    rows = (
        Post.hashtags.through.objects.filter(post__likes__user=viewer)
        .values("hashtag__name")
        .annotate(posts=Count("post_id", distinct=True))
        .order_by("-posts", "hashtag__name")[:LIKED_TAGS]
    )
    return Counter({row["hashtag__name"]: row["posts"] for row in rows})
