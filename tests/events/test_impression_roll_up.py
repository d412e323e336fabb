"""Impressions and reading time reach their posts' counts from the log, each event once, a
little behind it."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event, EventKind, RollUpMark
from events.roll_ups import IMPRESSIONS, impressions_roll_up
from social.models import Post

pytestmark = pytest.mark.django_db


def logged(post, person, times=1, kind=EventKind.IMPRESSION, dwell_ms=None):
    Event.objects.bulk_create(
        Event(kind=kind, user=person, post_id=post.pk, dwell_ms=dwell_ms, created_at=timezone.now())
        for _ in range(times)
    )


def counts(*posts) -> list[int]:
    return [Post.objects.get(pk=post.pk).impression_count for post in posts]


@pytest.fixture
def posts(user, other_user):
    return [Post.objects.create(author=other_user, text=f"post {n}") for n in range(2)]


def test_each_impression_is_counted_once_and_nothing_else_is(posts, user):
    first, second = posts
    logged(first, user, times=3)
    logged(second, user)
    logged(first, user, kind=EventKind.LIKE)
    logged(first, user, kind=EventKind.DWELL, dwell_ms=4000)
    assert counts(first, second) == [0, 0]  # not on the beacon's path

    assert impressions_roll_up(settle_seconds=0) == 2
    assert counts(first, second) == [3, 1]
    assert impressions_roll_up(settle_seconds=0) == 0  # a rerun finds nothing new
    assert counts(first, second) == [3, 1]

    logged(second, user, times=2)
    impressions_roll_up(settle_seconds=0)
    assert counts(first, second) == [3, 3]
    assert RollUpMark.objects.get(name=IMPRESSIONS).event_id == Event.objects.latest("id").pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's one writer settles all")
def test_events_too_recent_to_be_settled_wait_for_a_later_run(posts, user):
    logged(posts[0], user, times=2)
    assert impressions_roll_up(settle_seconds=600) == 0  # inserted just now: maybe in flight
    assert counts(posts[0]) == [0]
    impressions_roll_up(settle_seconds=0)
    assert counts(posts[0]) == [2]


def test_a_run_reads_a_bounded_slice_of_the_log_and_the_next_goes_on(posts, user):
    logged(posts[0], user, times=5)
    impressions_roll_up(settle_seconds=0, max_events=2)
    assert counts(posts[0]) == [2]
    impressions_roll_up(settle_seconds=0, max_events=2)
    impressions_roll_up(settle_seconds=0, max_events=2)
    assert counts(posts[0]) == [5]


def test_an_impression_of_a_deleted_post_is_skipped(posts, user):
    logged(posts[0], user)
    logged(posts[1], user)
    posts[1].delete()
    assert impressions_roll_up(settle_seconds=0) == 1
    assert counts(posts[0]) == [1]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's shared test database locks out threads"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_count_each_impression_once(posts, user):
    logged(posts[0], user, times=40)
    barrier = threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            impressions_roll_up(settle_seconds=0, max_events=7)
            impressions_roll_up(settle_seconds=0, max_events=7)
        finally:
            connection.close()

    runners = [threading.Thread(target=run) for _ in range(4)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert counts(posts[0]) == [40]


def test_the_roll_up_runs_every_minute_on_a_schedule_staff_can_edit():
    from django_celery_beat.models import PeriodicTask

    schedule = PeriodicTask.objects.get(task="events.roll_up_impressions")
    assert schedule.enabled and (schedule.interval.every, schedule.interval.period) == (
        1,
        "minutes",
    )


def test_the_roll_up_task_runs_in_a_real_worker(
    celery_worker_process, transactional_db, user, other_user, settings
):
    from events.tasks import roll_up_impressions

    post = Post.objects.create(author=other_user, text="seen by a worker")
    logged(post, user, times=2)
    RollUpMark.objects.filter(name=IMPRESSIONS).delete()
    with connection.cursor() as cursor:  # settled: inserted well before the worker's settling
        cursor.execute("UPDATE analytics_event SET recorded_at = now() - interval '1 hour'")
    assert roll_up_impressions.delay().get(timeout=30) == 1
    assert counts(post) == [2]


def test_reading_time_is_added_up_with_each_reading_capped_at_a_minute(posts, user, other_user):
    first, second = posts
    logged(first, user, kind=EventKind.DWELL, dwell_ms=4000)
    logged(first, other_user, kind=EventKind.DWELL, dwell_ms=6000)
    logged(second, user, kind=EventKind.DWELL, dwell_ms=10 * 60 * 1000)  # a tab left open
    logged(second, user)
    impressions_roll_up(settle_seconds=0)
    assert [Post.objects.get(pk=post.pk).read_ms for post in posts] == [10_000, 60_000]
    assert counts(first, second) == [0, 1]  # a reading is not a showing


def test_a_dwell_without_a_time_counts_nothing_and_stops_nothing(posts, user):
    logged(posts[0], user, kind=EventKind.DWELL)  # the beacon refuses these; other writers
    assert impressions_roll_up(settle_seconds=0) == 1
    assert (counts(posts[0]), Post.objects.get(pk=posts[0].pk).read_ms) == ([0], 0)
    assert RollUpMark.objects.get(name=IMPRESSIONS).event_id == Event.objects.latest("id").pk
