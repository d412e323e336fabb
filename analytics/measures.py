"""The measures of the whole system for one day, read from the event log by the daily rollup.

None of them can be added up from hours: churn compares two weeks of people, concentration
needs every author's impressions of the day, diversity and homogenisation need what each
person saw. The arithmetic is `analytics.metrics`; this module only gathers the numbers.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from analytics import metrics
from events.models import BOOKKEEPING_KINDS, Event, EventKind
from social.models import Post

WEEK = timedelta(days=7)


@dataclass
class SystemMeasures:
    churned_people: int = 0
    authors_shown: int = 0
    author_gini: float = 0.0
    author_top1_share: float = 0.0
    new_creators: int = 0
    new_creators_reached: int = 0
    sampled_people: int = 0
    topic_entropy: float = 0.0
    homogenisation: float = 0.0


def system_measures(start: datetime, end: datetime) -> SystemMeasures:
    measures = SystemMeasures(churned_people=churned_people(end))
    shown = impressions_by_author(start, end)
    measures.authors_shown = sum(1 for count in shown.values() if count)
    measures.author_gini = metrics.gini(shown.values())
    measures.author_top1_share = metrics.top_share(shown.values(), 0.01)
    measures.new_creators, measures.new_creators_reached = new_creators(end)
    seen = posts_seen_by_sample(start, end)
    measures.sampled_people = len(seen)
    measures.topic_entropy = mean_topic_entropy(seen, start, end)
    measures.homogenisation = metrics.mean_pairwise_jaccard(
        list(seen.values()), seed=int(start.timestamp())
    )
    return measures


def _impressions(start: datetime, end: datetime):
    return Event.objects.filter(
        kind=EventKind.IMPRESSION, created_at__gte=start, created_at__lt=end, user__isnull=False
    )


def _active_people(start: datetime, end: datetime):
    return (
        Event.objects.filter(created_at__gte=start, created_at__lt=end, user__isnull=False)
        .exclude(kind__in=BOOKKEEPING_KINDS)
        .values("user_id")
    )


def churned_people(end: datetime) -> int:
    """People active in the week before last and not at all in the last 7 days.

    An anti-join (NOT EXISTS, one index probe per person) rather than NOT IN: a NOT IN list
    of the week's events larger than work_mem is scanned whole for every earlier event, and
    took 48 s on a log of 300,000 events (every minute, as today's rollup runs)."""
    recent = _active_people(end - WEEK, end).filter(user_id=OuterRef("user_id"))
    earlier = _active_people(end - 2 * WEEK, end - WEEK)
    return earlier.filter(~Exists(recent)).distinct().count()


def impressions_by_author(start: datetime, end: datetime) -> dict[int, int]:
    """Impressions per author, including authors who posted that day and were shown to no
    one (exposure concentration is about them too)."""
    sql = (
        f"SELECT p.author_id, COUNT(*) FROM {Event._meta.db_table} e "
        f"JOIN {Post._meta.db_table} p ON p.id = e.post_id "
        "WHERE e.kind = %s AND e.created_at >= %s AND e.created_at < %s "
        "AND e.user_id IS NOT NULL GROUP BY p.author_id"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(EventKind.IMPRESSION), adapt(start), adapt(end)])
        shown = {author: int(count) for author, count in cursor.fetchall()}
    posted = Post.objects.filter(created_at__gte=start, created_at__lt=end)
    for author in posted.order_by().values_list("author_id", flat=True).distinct():
        shown.setdefault(author, 0)
    return shown


def new_creators(end: datetime) -> tuple[int, int]:
    """(people whose first post is in the last 7 days, those of them whose posts were seen by
    at least ANALYTICS_AUDIENCE_MIN other people in those days)."""
    start = end - WEEK
    earlier = Post.objects.filter(author_id=OuterRef("author_id"), created_at__lt=start)
    newcomers = (
        Post.objects.filter(created_at__gte=start, created_at__lt=end)
        .filter(~Exists(earlier))
        .order_by()
        .values("author_id")
        .distinct()
    )
    total = newcomers.count()
    if not total:
        return 0, 0
    authors_sql, authors_params = newcomers.query.sql_with_params()
    sql = (
        f"SELECT COUNT(*) FROM (SELECT p.author_id FROM {Event._meta.db_table} e "
        f"JOIN {Post._meta.db_table} p ON p.id = e.post_id "
        "WHERE e.kind = %s AND e.created_at >= %s AND e.created_at < %s "
        f"AND e.user_id <> p.author_id AND p.author_id IN ({authors_sql}) "
        "GROUP BY p.author_id HAVING COUNT(DISTINCT e.user_id) >= %s) reached"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [int(EventKind.IMPRESSION), adapt(start), adapt(end), *authors_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, settings.ANALYTICS_AUDIENCE_MIN])
        reached = cursor.fetchone()[0]
    return total, int(reached)


def sample_viewers(start: datetime, end: datetime) -> list[int]:
    """Up to ANALYTICS_SAMPLE_PEOPLE people who saw posts that day, drawn with a seed made
    from the day, so recomputing the same data draws the same people."""
    viewers = sorted(_impressions(start, end).values_list("user_id", flat=True).distinct())
    size = min(settings.ANALYTICS_SAMPLE_PEOPLE, len(viewers))
    return sorted(random.Random(int(start.timestamp())).sample(viewers, size))


def posts_seen_by_sample(start: datetime, end: datetime) -> dict[int, np.ndarray]:
    """The posts each sampled person was shown that day, as a sorted array of post ids per
    person: an array per person read row by row, so the day's sample never sits in memory as
    Python objects (a worker would keep that high-water mark: docs/benchmarks.md, the soak)."""
    people = sample_viewers(start, end)
    rows = (
        _impressions(start, end)
        .filter(user_id__in=people, post_id__isnull=False)
        .values_list("user_id", "post_id")
        .distinct()
        .order_by("user_id", "post_id")
    )
    return {
        user_id: np.fromiter((post for _, post in pairs), dtype=np.int64)
        for user_id, pairs in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0))
    }


def mean_topic_entropy(seen: dict[int, np.ndarray], start: datetime, end: datetime) -> float:
    """Mean over people of the entropy (bits) of the hashtags on the posts they saw; people
    who saw no tagged post are left out (they say nothing about diversity)."""
    if not seen:
        return 0.0
    tags = Post.hashtags.through.objects.filter(
        post_id__in=_impressions(start, end).filter(user_id__in=list(seen)).values("post_id")
    )
    tags_of: dict[int, list[int]] = defaultdict(list)
    for post_id, hashtag_id in tags.values_list("post_id", "hashtag_id"):
        tags_of[post_id].append(hashtag_id)
    values = []
    for posts in seen.values():
        topics = Counter(tag for post in posts.tolist() for tag in tags_of.get(post, ()))
        if topics:
            values.append(metrics.entropy(topics.values()))
    return sum(values) / len(values) if values else 0.0


def privacy_choices() -> dict[str, int]:
    """Active accounts now, and how many turned personalisation off."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .aggregate(
            accounts=Count("pk"),
            feed_opted_out=Count("pk", filter=Q(personalised_feed=False)),
            ads_opted_out=Count("pk", filter=Q(personalised_ads=False)),
        )
    )
