"""Trends: time-decayed counts of recent engagement, public posts only, stored as one set
replaced atomically, read back through the viewer's own visibility, refreshed by a schedule
in a real worker."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventKind
from feeds import trends
from feeds.models import Trend
from social import services
from social.models import Post
from tests.social.helpers import add_member, group_of, person, post_by

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now():
    return timezone.now()


def engage(post, kind=EventKind.LIKE, *, hours_ago=0.0, times=1, now=None):
    """Events as the log holds them (the trend reads the log, not the like table)."""
    at = (now or timezone.now()) - timedelta(hours=hours_ago)
    Event.objects.bulk_create(
        [
            Event(kind=kind, user=None, post_id=post.pk, created_at=at - timedelta(seconds=n))
            for n in range(times)
        ]
    )


def stored(kind):
    return list(
        Trend.objects.filter(kind=kind).order_by("rank").values_list("post_id", "hashtag__name")
    )


def trending_post_ids():
    return [post_id for post_id, _ in stored(Trend.Kind.POST)]


def test_a_like_halves_every_half_life(now, settings):
    settings.TRENDS_HALF_LIFE_HOURS = 4
    post = post_by(person("writer"))
    engage(post, hours_ago=4, now=now)
    engage(post, EventKind.SHARE, hours_ago=8, now=now)

    scores = trends.decayed_post_scores(now, half_life_hours=4)

    assert scores[post.pk] == pytest.approx(1.0 * 0.5 + 2.0 * 0.25, rel=1e-4)


def test_recent_engagement_outranks_more_engagement_long_ago(now):
    writer = person("writer")
    fresh, stale, steady = post_by(writer), post_by(writer), post_by(writer)
    engage(fresh, times=3, hours_ago=0.5, now=now)  # 3 x 0.92
    engage(stale, times=10, hours_ago=20, now=now)  # 10 x 0.03
    engage(steady, times=2, hours_ago=1, now=now)  # 2 x 0.84

    trends.refresh_trends(now=now)

    assert trending_post_ids() == [fresh.pk, steady.pk]  # the stale one fell below the floor


def test_events_older_than_the_window_are_not_read(now):
    post = post_by(person("writer"))
    engage(post, times=1000, hours_ago=trends.HALF_LIFE_HOURS * trends.WINDOW_HALF_LIVES + 1)

    assert trends.decayed_post_scores(now, half_life_hours=trends.HALF_LIFE_HOURS) == {}


def test_impressions_count_a_little_and_undoing_counts_back(now):
    writer = person("writer")
    seen, liked_and_unliked, shared = post_by(writer), post_by(writer), post_by(writer)
    engage(seen, EventKind.IMPRESSION, times=30, now=now)  # 1.5
    engage(liked_and_unliked, EventKind.LIKE, times=5, now=now)
    engage(liked_and_unliked, EventKind.UNLIKE, times=5, now=now)
    engage(shared, EventKind.SHARE, now=now)  # 2.0
    engage(shared, EventKind.COMMENT, now=now)  # 1.5

    trends.refresh_trends(now=now)

    assert trending_post_ids() == [shared.pk, seen.pk]


def test_only_public_posts_anyone_may_see_can_trend(now):
    writer, gone = person("writer"), person("gone")
    public = post_by(writer, "out loud #open")
    in_public_group = post_by(writer, "club news #open", group=group_of(writer))
    secret_group = group_of(writer, private=True)
    add_member(secret_group, person("insider"))
    secret = post_by(writer, "whisper #secret", group=secret_group)
    hidden = post_by(writer, "removed #secret")
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    suspended = post_by(gone, "by someone suspended #secret")
    gone.is_active = False
    gone.save()
    for post in (public, in_public_group, secret, hidden, suspended):
        engage(post, times=5, now=now)

    trends.refresh_trends(now=now)

    assert set(trending_post_ids()) == {public.pk, in_public_group.pk}
    assert stored(Trend.Kind.HASHTAG) == [(None, "open")]


def test_a_hashtag_scores_the_sum_of_its_posts(now):
    writer = person("writer")
    jazz = [post_by(writer, f"#jazz {n}") for n in range(3)]
    rock = post_by(writer, "#rock and #jazz")
    for post in jazz:
        engage(post, times=2, now=now)
    engage(rock, times=5, now=now)

    trends.refresh_trends(now=now)

    hashtags = Trend.objects.filter(kind=Trend.Kind.HASHTAG).order_by("rank")
    assert [(t.hashtag.name, t.rank) for t in hashtags] == [("jazz", 1), ("rock", 2)]
    assert hashtags[0].score == pytest.approx(11.0, rel=1e-3)
    assert hashtags[1].score == pytest.approx(5.0, rel=1e-3)


def test_the_refresh_is_idempotent_and_replaces_the_whole_set(now):
    writer = person("writer")
    first, second = post_by(writer, "#one"), post_by(writer, "#two")
    engage(first, times=3, now=now)

    counts = trends.refresh_trends(now=now)
    before = list(Trend.objects.values_list("kind", "rank", "post_id", "hashtag_id", "score"))
    trends.refresh_trends(now=now)
    again = list(Trend.objects.values_list("kind", "rank", "post_id", "hashtag_id", "score"))

    assert counts.as_dict() == {"hashtags": 1, "posts": 1, "computed_at": now.isoformat()}
    assert again == before and len(again) == 2

    Event.objects.all().delete()
    engage(second, times=3, now=now)
    trends.refresh_trends(now=now + timedelta(minutes=5))
    assert trending_post_ids() == [second.pk]
    assert stored(Trend.Kind.HASHTAG) == [(None, "two")]
    assert set(Trend.objects.values_list("computed_at", flat=True)) == {now + timedelta(minutes=5)}


def test_a_failed_refresh_leaves_the_old_set(now):
    post = post_by(person("writer"), "#kept")
    engage(post, times=3, now=now)
    trends.refresh_trends(now=now)
    before = list(Trend.objects.values_list("pk", flat=True))

    with (
        mock.patch.object(Trend.objects, "bulk_create", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        trends.refresh_trends(now=now + timedelta(minutes=5))

    assert list(Trend.objects.values_list("pk", flat=True)) == before


# --- reading for a viewer ----------------------------------------------------------------


def test_the_viewer_sees_trends_through_their_own_visibility(user, now):
    blocker, muted, writer = person("blocker"), person("muted"), person("writer")
    by_blocker = post_by(blocker, "#loud from someone who blocked ana")
    by_muted = post_by(muted, "#loud from someone ana muted")
    fine = post_by(writer, "#loud and fine")
    later_hidden = post_by(writer, "#loud soon hidden")
    for rank, post in enumerate((by_blocker, by_muted, fine, later_hidden)):
        engage(post, times=10 - rank, now=now)
    trends.refresh_trends(now=now)
    services.block_create(blocker=blocker, blocked=user)
    services.mute_create(muter=user, muted=muted)
    Post.objects.filter(pk=later_hidden.pk).update(is_hidden=True)

    mine = trends.trending_for(user)
    anonymous = trends.trending_for(None)

    assert [p.pk for p in mine.posts] == [fine.pk]
    assert [p.pk for p in anonymous.posts] == [by_blocker.pk, by_muted.pk, fine.pk]
    assert [(p.trend_rank, p.pk) for p in anonymous.posts][-1] == (3, fine.pk)
    assert [t.name for t in mine.hashtags] == ["loud"]
    assert mine.computed_at == now


def test_reading_trends_costs_a_fixed_number_of_queries(user, now, django_assert_max_num_queries):
    writer = person("writer")
    for n in range(30):
        engage(post_by(writer, f"#tag{n} post {n}"), times=n + 1, now=now)
    trends.refresh_trends(now=now)

    with django_assert_max_num_queries(4):
        found = trends.trending_for(user, hashtags=10, posts=10)
        assert [post.author.username for post in found.posts] == ["writer"] * 10
        assert len(found.hashtags) == 10


def test_the_refresh_runs_on_a_schedule_staff_can_edit():
    from django_celery_beat.models import PeriodicTask

    schedule = PeriodicTask.objects.get(task="feeds.refresh_trends")
    assert schedule.enabled
    assert (schedule.interval.every, schedule.interval.period) == (5, "minutes")


def test_the_refresh_task_runs_in_a_real_worker(celery_worker_process, transactional_db):
    from feeds.trend_tasks import refresh_trends

    post = post_by(person("writer"), "worker test #busy")
    engage(post, times=4)

    result = refresh_trends.delay().get(timeout=30)

    assert (result["posts"], result["hashtags"]) == (1, 1)
    assert trending_post_ids() == [post.pk]
    assert stored(Trend.Kind.HASHTAG) == [(None, "busy")]


def test_explore_shows_whats_trending(client, now):
    post = post_by(person("writer"), "late night #jazz session")
    engage(post, times=3, now=now)
    trends.refresh_trends(now=now)

    html = client.get(reverse("social:explore")).content.decode()

    assert "Trending now" in html
    assert 'href="/tags/jazz/">#jazz</a>' in html
    assert f'href="/posts/{post.pk}/">late night #jazz session</a>' in html


def test_explore_without_trends_shows_no_empty_card(client):
    html = client.get(reverse("social:explore")).content.decode()
    assert "Trending now" not in html and "Posts people are talking about" not in html
