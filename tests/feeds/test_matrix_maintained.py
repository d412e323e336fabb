"""The maintained matrix (saved cells plus the events after them) equals a full rebuild on the
same data, whatever happened in between: unlikes, deletions, opt-outs, suspensions, hiding."""

from datetime import timedelta

import numpy as np
import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from events.models import Event, EventKind
from feeds import matrix_store
from feeds.matrix import MatrixWeights, build_interaction_matrix, latest_event_id
from social.models import Post
from tests.analytics.matrix_world import T0, build_world

pytestmark = pytest.mark.django_db

WEIGHTS = [MatrixWeights(), MatrixWeights(half_life_days=1.5, impression=0.5)]


@pytest.fixture(autouse=True)
def model_root(tmp_path, settings):
    settings.MODEL_ROOT = tmp_path
    settings.FEED_MATRIX_SETTLE_SECONDS = 0


def assert_same(maintained, rebuilt):
    assert maintained.max_event_id == rebuilt.max_event_id
    np.testing.assert_array_equal(maintained.user_ids, rebuilt.user_ids)
    np.testing.assert_array_equal(maintained.post_ids, rebuilt.post_ids)
    assert maintained.matrix.shape == rebuilt.matrix.shape
    difference = abs(maintained.matrix - rebuilt.matrix)
    assert difference.nnz == 0 or difference.max() < 1e-5
    assert maintained.matrix.nnz == rebuilt.matrix.nnz


def both(weights):
    newest = latest_event_id()
    return (
        matrix_store.maintain_interaction_matrix(weights, max_event_id=newest),
        build_interaction_matrix(weights, max_event_id=newest),
    )


def random_events(people, posts, count, *, start_minutes, seed):
    rng = np.random.default_rng(seed)
    kinds = [EventKind.LIKE, EventKind.UNLIKE, EventKind.SHARE, EventKind.UNSHARE]
    kinds += [EventKind.COMMENT, EventKind.CLICK, EventKind.DWELL, EventKind.IMPRESSION]
    Event.objects.bulk_create(
        Event(
            kind=kinds[rng.integers(len(kinds))],
            user_id=people[rng.integers(len(people))],
            post_id=posts[rng.integers(len(posts))],
            dwell_ms=int(rng.integers(100, 60_000)),
            created_at=T0 + timedelta(minutes=start_minutes + int(rng.integers(0, 600))),
        )
        for _ in range(count)
    )


@pytest.mark.parametrize("weights", WEIGHTS, ids=["plain", "decay"])
def test_the_maintained_matrix_equals_a_rebuild_through_every_kind_of_change(weights):
    ids = build_world()
    people, posts = list(ids["people"].values()), list(ids["posts"].values())
    extra = Post.objects.create(author_id=ids["people"]["author"], text="extra")
    posts.append(extra.pk)
    random_events(people, posts, 400, start_minutes=0, seed=1)

    first, rebuilt = both(weights)
    assert_same(first, rebuilt)
    assert first.events == rebuilt.events  # nothing saved yet: everything read

    # Between versions: unlikes and unshares, a post deleted, a person who opts out, another
    # suspended, a post hidden, a new person and new events after all of it.
    random_events(people, posts, 300, start_minutes=2000, seed=2)
    Post.objects.filter(pk=ids["posts"]["p1"]).delete()
    User.objects.filter(pk=ids["people"]["ana"]).update(personalised_feed=False)
    User.objects.filter(pk=ids["people"]["ben"]).update(is_active=False)
    Post.objects.filter(pk=ids["posts"]["p2"]).update(is_hidden=True)
    User.objects.filter(pk=ids["people"]["opted_out"]).update(personalised_feed=True)
    newcomer = User.objects.create(username="newcomer")
    random_events([*people, newcomer.pk], posts, 200, start_minutes=4000, seed=3)

    second, rebuilt = both(weights)
    assert_same(second, rebuilt)
    # only the events after the saved cells were read (those of the kinds that weigh)
    after = Event.objects.filter(pk__gt=first.max_event_id, kind__in=weights.kinds())
    assert second.events == after.count() > 0
    assert ids["people"]["ana"] not in second.user_ids
    assert newcomer.pk in second.user_ids

    # A person deleted and a suspension lifted: still the same as a rebuild.
    User.objects.filter(pk=ids["people"]["ben"]).update(is_active=True)
    User.objects.filter(pk=newcomer.pk).delete()  # their events go with them
    Event.objects.create(
        kind=EventKind.LIKE, user_id=ids["people"]["ben"], post_id=extra.pk, created_at=T0
    )
    third, rebuilt = both(weights)
    assert_same(third, rebuilt)
    assert third.events == 1


def recorded_an_hour_ago():
    """The events so far went into the log an hour ago (by the server's clock)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE analytics_event SET recorded_at = NOW() - interval '1 hour'")


def test_recent_events_are_read_again_not_frozen_into_the_saved_cells(settings):
    ids = build_world()
    recorded_an_hour_ago()
    settings.FEED_MATRIX_SETTLE_SECONDS = 600
    settled = Event.objects.order_by("-id").first().pk
    Event.objects.create(  # committed just now: a slower transaction might still add below it
        kind=EventKind.LIKE,
        user_id=ids["people"]["ben"],
        post_id=ids["posts"]["p1"],
        created_at=timezone.now(),
    )
    maintained, rebuilt = both(MatrixWeights())
    assert_same(maintained, rebuilt)
    saved = matrix_store.load_cells(MatrixWeights(), latest_event_id(), matrix_store.oldest_event())
    assert saved.max_event_id == settled  # the fresh like is read again next time

    again, rebuilt = both(MatrixWeights())
    assert_same(again, rebuilt)
    assert again.events == 1


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_below_a_backdated_one_is_not_lost(settings):
    """A beacon may say its event happened hours ago; it still went in just now, above an id
    whose slow transaction has not committed yet. Saved cells must not pass that id."""
    ids = build_world()
    recorded_an_hour_ago()
    settings.FEED_MATRIX_SETTLE_SECONDS = 600
    ben, ana = ids["people"]["ben"], ids["people"]["ana"]
    with psycopg.connect(**connection.get_connection_params()) as slow:
        late = slow.execute(
            "INSERT INTO analytics_event (kind, user_id, post_id, surface, arm, query, created_at)"
            " VALUES (%s, %s, %s, '', '', '', NOW()) RETURNING id",
            [EventKind.LIKE, ben, ids["posts"]["p4"]],
        ).fetchone()[0]
        backdated = Event.objects.create(
            kind=EventKind.LIKE,
            user_id=ana,
            post_id=ids["posts"]["p3"],
            created_at=timezone.now() - timedelta(hours=6),
        )
        assert backdated.pk > late
        while_in_flight, rebuilt = both(MatrixWeights())
        assert_same(while_in_flight, rebuilt)
        slow.commit()

    after, rebuilt = both(MatrixWeights())
    assert_same(after, rebuilt)
    row = list(after.user_ids).index(ben)
    column = list(after.post_ids).index(ids["posts"]["p4"])
    assert after.matrix[row, column] > 0  # ben's like, committed last, counts


def test_other_weights_or_a_lost_folder_start_from_a_full_read(tmp_path, settings):
    build_world()
    first, _ = both(MatrixWeights())
    assert first.events > 0
    other, rebuilt = both(MatrixWeights(like=2))
    assert_same(other, rebuilt)
    assert other.events == first.events  # saved cells of other weights are not used

    settings.MODEL_ROOT = tmp_path / "elsewhere"
    lost, rebuilt = both(MatrixWeights())
    assert_same(lost, rebuilt)
    assert lost.events == first.events


def test_an_unreadable_file_is_skipped(settings):
    build_world()
    both(MatrixWeights())
    [(_last_id, path)] = matrix_store._files(MatrixWeights())
    path.write_bytes(b"half a file")
    maintained, rebuilt = both(MatrixWeights())
    assert_same(maintained, rebuilt)


def test_cells_summed_from_another_event_log_are_not_used():
    build_world()
    first, _ = both(MatrixWeights())
    # The same ids now hold other events: a reset log, or a MODEL_ROOT shared by two databases.
    last = Event.objects.get(pk=first.max_event_id)
    Event.objects.filter(pk=last.pk).update(created_at=last.created_at + timedelta(seconds=1))
    other, rebuilt = both(MatrixWeights())
    assert_same(other, rebuilt)
    assert other.events == first.events  # read whole again, not added to the saved sums


def test_after_the_oldest_events_are_pruned_the_log_is_read_whole():
    from events.services import events_prune

    ids = build_world()
    ana = Event.objects.filter(user_id=ids["people"]["ana"])  # not the newest events
    ana.update(created_at=T0 - timedelta(days=400))
    first, _ = both(MatrixWeights())
    assert ids["people"]["ana"] in first.user_ids
    assert events_prune(older_than_days=(timezone.now() - T0).days + 10) == 9  # ana's only
    pruned, rebuilt = both(MatrixWeights())
    assert_same(pruned, rebuilt)  # the saved cells still held the pruned events' sums
    assert ids["people"]["ana"] not in pruned.user_ids
    assert pruned.events == Event.objects.filter(kind__in=MatrixWeights().kinds()).count()
