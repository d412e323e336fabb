"""What the learned ranker knows about a candidate, computed once when a feed is ranked.

One row of FEATURES per candidate, float32:

- each source's score (SOURCE_PRIORITY order; 0 where the source did not find the post):
  the ALS model's, people followed, shares by them, groups, trends, fresh, own, popular and
  declared interests (the last two for cold start only);
- `blend`: the hand blend's score (feeds.ranking.DEFAULT_BLEND and the arm's overrides);
- `author_affinity`: log(1 + the person's likes of this author's posts);
- `followee_likes`: log(1 + the people they follow who like this post), social proof;
- `age_hours`: log(1 + the post's age in hours); `popularity`: likes and shares, as ranking
  scales them; `like_rate`: its likes per time shown, smoothed towards RATE_PRIOR_LIKES in
  RATE_PRIOR_IMPRESSIONS for a post shown little (the count trails by a minute or two:
  events.roll_ups), so the ranker can tell a post people like when they see it from one that
  is merely shown often;
- `interest_match`: the post carries one of the person's declared interests;
  `history_match`: it carries a hashtag of posts they liked (known when the model placed
  them); `history_share`: how much: the mean over its hashtags of the posts they liked with
  each, over those with their most liked hashtag (feeds.candidate_pool.liked_share), so the
  ranker can tell a favourite topic from a passing one;
- `read_time`: the seconds people spent reading the post per time it was shown, smoothed as
  `like_rate` (to RATE_PRIOR_IMPRESSIONS views of READ_PRIOR_SECONDS): reading is some ten
  times likelier than a like, so it tells a good post from a dull one sooner;
- `read_ratio`: its reading time over what the people shown it usually spend on its
  hashtags (feeds.topic_engagement), both smoothed by the same prior: 1 for a post read as
  its audience reads its topics, above for a better one, whoever the feed showed it to;
- `topic_read_time`, `topic_views`: the person's own seconds read per view of posts with its
  hashtags, and log(1 + how many they were shown) (feeds.topic_engagement): their tastes
  learned from what they read and what they scrolled past alike;
- `position`: where the post was served. Training learns how much the slot alone explains
  (people engage more with what is on top); scoring sets it to 0 for every candidate, so
  the ranker orders them as if each were on top (position debiasing).

The same rows are logged for what is served (feeds.ranker_log) and read by training
(feeds.ranker_data), so the ranker is trained on exactly what serving computes.
"""

from datetime import datetime

import numpy as np
from django.db import connection

from feeds.ranking import SOURCE_PRIORITY, Candidate, popularity
from flywheel.prepared import IntArray, prepared_cursor
from social.models import Follow, Like

FEATURES = (
    *SOURCE_PRIORITY,
    "blend",
    "author_affinity",
    "followee_likes",
    "age_hours",
    "popularity",
    "like_rate",
    "interest_match",
    "history_match",
    "history_share",
    "read_time",
    "read_ratio",
    "topic_read_time",
    "topic_views",
    "position",
)
POSITION = FEATURES.index("position")
ROW_BYTES = 4 * len(FEATURES)  # a row as logged: float32s; another length, another release
RATE_PRIOR_LIKES, RATE_PRIOR_IMPRESSIONS = 1.0, 10.0  # a post nobody saw yet: 1 like in 10
READ_PRIOR_SECONDS = 2.0  # ... and 2 s of reading per view, in as many views

# The person's likes per candidate author, and per candidate post the people they follow
# who like it: one statement, two short index scans.
CONTEXT_SQL = """
SELECT 'author', p.author_id, count(*) FROM social_like l
JOIN social_post p ON p.id = l.post_id
WHERE l.user_id = %(viewer)s AND p.author_id = ANY(%(authors)s)
GROUP BY p.author_id
UNION ALL
SELECT 'post', l.post_id, count(*) FROM social_like l
WHERE l.post_id = ANY(%(posts)s)
  AND l.user_id IN (SELECT followee_id FROM social_follow WHERE follower_id = %(viewer)s)
GROUP BY l.post_id
"""


def logged_row(raw) -> np.ndarray | None:
    """A logged row's FEATURES, or None for a row logged under an earlier FEATURES."""
    raw = bytes(raw)
    return np.frombuffer(raw, np.float32) if len(raw) == ROW_BYTES else None


def social_context(viewer, candidates: list[Candidate]) -> tuple[dict, dict]:
    """({author id: the person's likes of their posts}, {post id: followees who like it})."""
    if not candidates:
        return {}, {}
    authors = sorted({c.author_id for c in candidates})
    posts = sorted(c.id for c in candidates)
    if connection.vendor != "postgresql":
        return _orm_context(viewer, authors, posts)
    with prepared_cursor() as cursor:
        cursor.execute(
            CONTEXT_SQL,
            {"viewer": viewer.pk, "authors": IntArray(authors), "posts": IntArray(posts)},
        )
        rows = cursor.fetchall()
    by_author = {key: count for what, key, count in rows if what == "author"}
    by_post = {key: count for what, key, count in rows if what == "post"}
    return by_author, by_post


def _orm_context(viewer, authors, posts) -> tuple[dict, dict]:
    from django.db.models import Count

    mine = (
        Like.objects.filter(user=viewer, post__author_id__in=authors)
        .values_list("post__author_id")
        .annotate(n=Count("id"))
    )
    followees = Follow.objects.filter(follower=viewer).values("followee_id")
    theirs = (
        Like.objects.filter(post_id__in=posts, user_id__in=followees)
        .values_list("post_id")
        .annotate(n=Count("id"))
    )
    return dict(mine), dict(theirs)


def feature_rows(
    candidates: list[Candidate],
    *,
    scores: np.ndarray,
    now: datetime,
    interests,
    context: tuple[dict, dict],
) -> np.ndarray:
    """FEATURES for each candidate (after `score_and_explain` set their blend scores),
    `scores` their feeds.ranking.source_scores; position 0."""
    count = len(candidates)
    by_author, by_post = context
    interests = set(interests)

    def column(values, dtype=np.float64) -> np.ndarray:
        return np.fromiter(values, dtype, count)

    rows = np.zeros((count, len(FEATURES)), dtype=np.float32)
    sources = len(SOURCE_PRIORITY)
    rows[:, :sources] = np.nan_to_num(scores, nan=0.0)
    created = column(c.created_at.timestamp() for c in candidates)
    likes = column(c.likes for c in candidates)
    shares = column(c.shares for c in candidates)
    shown = column(c.impressions for c in candidates)
    read_seconds = column(c.read_ms for c in candidates) / 1000.0
    expected_seconds = column(c.expected_read_ms for c in candidates) / 1000.0
    rows[:, sources:POSITION] = np.column_stack(
        (
            column(c.score for c in candidates),
            np.log1p(column(by_author.get(c.author_id, 0) for c in candidates)),
            np.log1p(column(by_post.get(c.id, 0) for c in candidates)),
            np.log1p(np.maximum((now.timestamp() - created) / 3600.0, 0.0)),
            popularity(likes, shares),
            (likes + RATE_PRIOR_LIKES) / (shown + RATE_PRIOR_IMPRESSIONS),
            column(bool(c.hashtags & interests) for c in candidates),
            column(c.liked_tag is not None for c in candidates),
            column(c.liked_share for c in candidates),
            (read_seconds + READ_PRIOR_SECONDS * RATE_PRIOR_IMPRESSIONS)
            / (shown + RATE_PRIOR_IMPRESSIONS),
            (read_seconds + READ_PRIOR_SECONDS * RATE_PRIOR_IMPRESSIONS)
            / (expected_seconds + READ_PRIOR_SECONDS * RATE_PRIOR_IMPRESSIONS),
            column(c.topic_read_time for c in candidates),
            column(c.topic_views for c in candidates),
        )
    )
    return rows
