"""Each person's response to each hashtag's posts, kept from the event log a minute behind it.

For every (person, hashtag) the roll-up adds the impressions of posts carrying the hashtag
and the time spent reading them (feeds.models.TopicEngagement), with its own mark in the
log (events.roll_ups.roll_up): each event counts once however often the task runs or dies.
Time spent per post shown is the learned ranker's estimate of how much the person cares for
a topic: it learns from what they scrolled past as well as what they read, where liked
hashtags (`candidate_pool.liked_share`) see only the likes, and favour what the feed already
showed most.

A candidate's value is the mean over its hashtags of the person's seconds read per view,
each smoothed towards PRIOR_SECONDS in PRIOR_VIEWS views (`topic_read_time`), so a topic
seen twice does not outrank one read for months.

The same run keeps each post's *expected* reading time (feeds.models.PostAudience): for
each impression, what that viewer usually spends on its hashtags, read before the run adds
its own views. A post's reading time over it (the ranker's `read_ratio`) tells a good post
from one merely shown to its topic's fans: a feed that shows jazz posts to jazz lovers
makes every jazz post look well read, and only the ratio corrects for it.
"""

import math

from events.models import EventKind
from events.roll_ups import ROLL_UP_EVENTS, capped_dwell_sql, roll_up

TOPIC_ENGAGEMENT = "topic_engagement"
PRIOR_SECONDS, PRIOR_VIEWS = 2.0, 5.0

# Run before ADD_SQL: each impression's expectation from the profile as it stood (as
# `topic_read_time` reckons it; the prior for a post without hashtags).
EXPECT_SQL = f"""
INSERT INTO feeds_postaudience (post_id, expected_ms)
SELECT shown.post_id, CAST(round(sum(shown.times * 1000.0 * coalesce((
    SELECT avg((coalesce(te.read_ms, 0) / 1000.0 + {PRIOR_SECONDS * PRIOR_VIEWS})
               / (coalesce(te.views, 0) + {PRIOR_VIEWS}))
    FROM social_post_hashtags ph
    LEFT JOIN feeds_topicengagement te
      ON te.user_id = shown.user_id AND te.hashtag_id = ph.hashtag_id
    WHERE ph.post_id = shown.post_id), {PRIOR_SECONDS}))) AS bigint)
FROM (SELECT e.user_id, e.post_id, count(*) AS times FROM analytics_event e
      WHERE e.id > %s AND e.id <= %s AND e.kind = %s
        AND e.user_id IS NOT NULL AND e.post_id IS NOT NULL
      GROUP BY e.user_id, e.post_id) shown
WHERE shown.post_id IN (SELECT id FROM social_post)
GROUP BY shown.post_id
ON CONFLICT (post_id) DO UPDATE
SET expected_ms = feeds_postaudience.expected_ms + excluded.expected_ms
"""

ADD_SQL = f"""
INSERT INTO feeds_topicengagement (user_id, hashtag_id, views, read_ms)
SELECT e.user_id, ph.hashtag_id,
       sum(CASE WHEN e.kind = {int(EventKind.IMPRESSION)} THEN 1 ELSE 0 END),
       sum(CASE WHEN e.kind = {int(EventKind.DWELL)} THEN {capped_dwell_sql("e.dwell_ms")}
           ELSE 0 END)
FROM analytics_event e
JOIN social_post_hashtags ph ON ph.post_id = e.post_id
WHERE e.id > %s AND e.id <= %s AND e.kind IN (%s, %s) AND e.user_id IS NOT NULL
GROUP BY e.user_id, ph.hashtag_id
ON CONFLICT (user_id, hashtag_id) DO UPDATE
SET views = feeds_topicengagement.views + excluded.views,
    read_ms = feeds_topicengagement.read_ms + excluded.read_ms
"""


def _add(cursor, after: int, upto: int) -> int:
    cursor.execute(EXPECT_SQL, [after, upto, int(EventKind.IMPRESSION)])
    cursor.execute(ADD_SQL, [after, upto, int(EventKind.IMPRESSION), int(EventKind.DWELL)])
    return cursor.rowcount


def topic_engagement_roll_up(
    *, settle_seconds: float | None = None, max_events: int = ROLL_UP_EVENTS
) -> int:
    """Add the views and reading time logged since the last run to each person's hashtags,
    and the impressions' expected reading time to their posts; returns how many (person,
    hashtag) rows were written."""
    return roll_up(TOPIC_ENGAGEMENT, _add, settle_seconds=settle_seconds, max_events=max_events)


def topic_read_time(views, read_ms) -> float:
    """Seconds read per view of a post's hashtags, by the person: the mean over them (the
    person's views and ms read for each, 0 where none), each smoothed; the prior with none."""
    if not views:
        return PRIOR_SECONDS
    per_tag = (
        (ms / 1000.0 + PRIOR_SECONDS * PRIOR_VIEWS) / (seen + PRIOR_VIEWS)
        for seen, ms in zip(views, read_ms, strict=True)
    )
    return sum(per_tag) / len(views)


def topic_views(views) -> float:
    """How well the person's time on a post's hashtags is known: log(1 + their views)."""
    return math.log1p(sum(views))


def export_rows(user) -> list[dict]:
    """The person's views and reading time per hashtag, for their data export."""
    from feeds.models import TopicEngagement

    rows = TopicEngagement.objects.filter(user=user).order_by("hashtag__name")
    return [
        {"hashtag": name, "views": views, "read_ms": read_ms}
        for name, views, read_ms in rows.values_list("hashtag__name", "views", "read_ms")
    ]


def engagement_by_hashtag(viewer) -> dict[str, tuple[int, int]]:
    """{hashtag name: (views, ms read)} for the person: the ORM pool's lookup."""
    from feeds.models import TopicEngagement

    rows = TopicEngagement.objects.filter(user=viewer).values_list(
        "hashtag__name", "views", "read_ms"
    )
    return {name: (views, ms) for name, views, ms in rows}
