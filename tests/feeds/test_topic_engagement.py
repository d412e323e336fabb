"""Each person's views and reading time per hashtag reach feeds.TopicEngagement from the log,
each event once, and give the ranker their time per view of a candidate's hashtags; each
post's expected reading time (feeds.PostAudience) is what its viewers usually spend."""

import math

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event, EventKind, RollUpMark
from feeds.models import PostAudience, TopicEngagement
from feeds.topic_engagement import (
    TOPIC_ENGAGEMENT,
    topic_engagement_roll_up,
    topic_read_time,
    topic_views,
)
from tests.feeds.home_helpers import person, write

pytestmark = pytest.mark.django_db


def logged(post, viewer, times=1, kind=EventKind.IMPRESSION, dwell_ms=None):
    Event.objects.bulk_create(
        Event(kind=kind, user=viewer, post_id=post.pk, dwell_ms=dwell_ms, created_at=timezone.now())
        for _ in range(times)
    )


def engagement() -> dict[tuple[str, str], tuple[int, int]]:
    rows = TopicEngagement.objects.values_list(
        "user__username", "hashtag__name", "views", "read_ms"
    )
    return {(name, tag): (views, ms) for name, tag, views, ms in rows}


@pytest.fixture
def posts():
    author = person("author")
    return write(author, "tunes #jazz"), write(author, "soup and tunes #soup #jazz")


def test_views_and_reading_time_are_added_per_person_and_hashtag_once(posts):
    jazz, both = posts
    ana, ben = person("ana"), person("ben")
    logged(jazz, ana, times=2)
    logged(jazz, ana, kind=EventKind.DWELL, dwell_ms=5000)
    logged(both, ana)
    logged(both, ben, kind=EventKind.DWELL, dwell_ms=10 * 60 * 1000)  # capped at a minute
    logged(both, ben, kind=EventKind.LIKE)  # not a view nor a reading
    logged(jazz, None)  # nobody signed in: nobody's tastes
    logged(jazz, person("cleo"), kind=EventKind.DWELL)  # no time: counts 0, stops nothing

    assert topic_engagement_roll_up(settle_seconds=0) == 5
    assert engagement() == {
        ("ana", "jazz"): (3, 5000),
        ("ana", "soup"): (1, 0),
        ("ben", "jazz"): (0, 60_000),
        ("cleo", "jazz"): (0, 0),
        ("ben", "soup"): (0, 60_000),
    }
    assert topic_engagement_roll_up(settle_seconds=0) == 0  # a rerun adds nothing
    logged(both, ana, kind=EventKind.DWELL, dwell_ms=3000)
    topic_engagement_roll_up(settle_seconds=0)
    assert engagement()[("ana", "jazz")] == (3, 8000)
    assert engagement()[("ana", "soup")] == (1, 3000)
    mark = RollUpMark.objects.get(name=TOPIC_ENGAGEMENT).event_id
    assert mark == Event.objects.latest("id").pk


def expected_ms() -> dict[str, int]:
    return dict(PostAudience.objects.values_list("post__text", "expected_ms"))


def test_a_posts_expected_reading_time_is_what_its_viewers_spent_on_its_hashtags_before(posts):
    jazz, both = posts
    ana, ben = person("ana"), person("ben")
    logged(jazz, ana)
    logged(jazz, ana, kind=EventKind.DWELL, dwell_ms=10_000)
    topic_engagement_roll_up(settle_seconds=0)
    # Ana had read nothing before this run: her view of #jazz is expected at the prior, 2 s.
    assert expected_ms() == {jazz.text: 2000}

    logged(both, ana)  # now she reads #jazz for 10 s in 1 view, and never saw #soup
    logged(jazz, ben, times=2)  # Ben has no history: the prior, twice
    logged(both, ana, kind=EventKind.LIKE)  # not a view
    topic_engagement_roll_up(settle_seconds=0)
    assert expected_ms() == {
        jazz.text: 2000 + 2 * 2000,
        both.text: round(1000 * topic_read_time([1, 0], [10_000, 0])),  # 2.67 s
    }
    jazz.delete()
    assert list(expected_ms()) == [both.text]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's one writer settles all")
def test_events_too_recent_to_be_settled_wait_for_a_later_run(posts):
    ana = person("ana")
    logged(posts[0], ana, times=2)
    assert topic_engagement_roll_up(settle_seconds=600) == 0
    assert engagement() == {}
    topic_engagement_roll_up(settle_seconds=0)
    assert engagement() == {("ana", "jazz"): (2, 0)}


def test_the_person_can_export_their_tastes_and_they_go_with_the_account(posts):
    from accounts.privacy import export_user_data

    ana = person("ana")
    logged(posts[0], ana, kind=EventKind.DWELL, dwell_ms=2000)
    logged(posts[0], ana)
    topic_engagement_roll_up(settle_seconds=0)
    assert export_user_data(ana)["time_on_hashtags"] == [
        {"hashtag": "jazz", "views": 1, "read_ms": 2000}
    ]
    assert export_user_data(person("ben"))["time_on_hashtags"] == []
    ana.delete()
    assert not TopicEngagement.objects.exists()


def test_time_per_view_is_smoothed_per_hashtag_and_averaged_over_them():
    assert topic_read_time([], []) == 2.0  # no hashtags: the prior
    assert topic_read_time([0], [0]) == 2.0  # never shown: the prior
    assert topic_read_time([95], [950_000]) == pytest.approx((950 + 10) / 100)  # near 10 s
    assert topic_read_time([5, 0], [0, 0]) == pytest.approx((1.0 + 2.0) / 2)
    assert topic_views([3, 4]) == pytest.approx(math.log1p(7))


def test_the_roll_up_runs_every_minute_on_a_schedule_staff_can_edit():
    from django_celery_beat.models import PeriodicTask

    schedule = PeriodicTask.objects.get(task="feeds.roll_up_topic_engagement")
    assert schedule.enabled
    assert (schedule.interval.every, schedule.interval.period) == (1, "minutes")


def test_the_roll_up_task_runs_in_a_real_worker(celery_worker_process, transactional_db, posts):
    from feeds.tasks import roll_up_topic_engagement

    ana = person("ana")
    logged(posts[1], ana, kind=EventKind.DWELL, dwell_ms=7000)
    if connection.vendor == "postgresql":  # settled: inserted well before the worker's settling
        with connection.cursor() as cursor:
            cursor.execute("UPDATE analytics_event SET recorded_at = now() - interval '1 hour'")
    assert roll_up_topic_engagement.delay().get(timeout=30) == 2
    assert engagement() == {("ana", "jazz"): (0, 7000), ("ana", "soup"): (0, 7000)}
