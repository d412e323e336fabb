"""The learned ranker's training data: every post a ranked arm serves is logged with the
features it had when ranked, and labelled later only from what the person did within the
window after seeing it; opted-out and suspended people are never in it."""

from datetime import timedelta

import numpy as np
import pytest
from django.db import connection, transaction
from django.utils import timezone

from events.models import Event, EventKind
from feeds import ranker_data, ranker_log
from feeds.models import FeedArm, PostAudience, ServedCandidate, TopicEngagement
from feeds.ranker_features import FEATURES
from flywheel.prepared import BytesArray, IntArray, prepared_cursor
from social import services
from social.models import Hashtag, Post
from tests.feeds.home_helpers import api_home, install_model, person, put_everyone_in, write
from tests.feeds.test_home_feed import api_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _models(served_models):
    """Every test here serves models of its own (tests/feeds/conftest.py)."""


def features_of(row: ServedCandidate) -> dict[str, float]:
    return dict(zip(FEATURES, np.frombuffer(bytes(row.features), np.float32), strict=True))


def world(viewer):
    """Ben (followed, liked twice by the viewer), posts his followees like, and a model."""
    ben, carla = person("ben"), person("carla")
    services.follow_create(follower=viewer, followee=ben)
    services.follow_create(follower=viewer, followee=carla)
    for text in ("old one", "old two"):
        services.like_create(user=viewer, post=write(ben, text, age=timedelta(days=20)))
    jazz = [write(person(), f"jazz {n} #jazz", age=timedelta(hours=n)) for n in range(6)]
    services.like_create(user=carla, post=jazz[1])
    services.like_create(user=ben, post=jazz[1])
    services.like_create(user=viewer, post=jazz[0])
    new = write(ben, "new from ben #jazz", age=timedelta(hours=2))
    # 2 likes and 90 s of reading in 30 showings
    Post.objects.filter(pk=jazz[1].pk).update(impression_count=30, read_ms=90_000)
    # Its viewers usually spend 70 s on 30 views of #jazz posts: it reads better than that.
    PostAudience.objects.create(post=jazz[1], expected_ms=70_000)
    # The viewer read #jazz posts for 5 s a view, over 20 views.
    TopicEngagement.objects.create(
        user=viewer, hashtag=Hashtag.objects.get(name="jazz"), views=20, read_ms=100_000
    )
    install_model([jazz, [write(person(), f"stew {n} #cooking") for n in range(6)]])
    return ben, jazz, new


@pytest.mark.parametrize("strategy", [FeedArm.Strategy.PERSONALISED, FeedArm.Strategy.LEARNED])
def test_each_served_post_is_logged_with_its_features_and_place(strategy):
    put_everyone_in(strategy)
    ana = person("ana", interests=["jazz"])
    _, jazz, new = world(ana)
    api = api_for(ana)
    first = api_home(api, page_size=3)
    logged = list(ServedCandidate.objects.filter(user=ana).order_by("id"))
    assert [row.post_id for row in logged] == [item["id"] for item in first["results"]]
    assert {row.arm for row in logged} == {first["results"][0]["arm"]}
    assert [row.position for row in logged] == sorted(row.position for row in logged)

    second = api.get(first["next"]).json()
    assert ServedCandidate.objects.filter(user=ana).count() == len(logged) + len(second["results"])
    page = second
    while page["next"]:
        page = api.get(page["next"]).json()
    by_post = {row.post_id: features_of(row) for row in ServedCandidate.objects.filter(user=ana)}
    from_ben = by_post[new.pk]
    assert from_ben["following"] > 0
    assert from_ben["author_affinity"] == pytest.approx(np.log1p(2))
    assert from_ben["interest_match"] == 1.0
    assert 0.69 < from_ben["age_hours"] < 1.2  # log(1 + 2 hours)
    liked_by_followees = by_post[jazz[1].pk]
    assert liked_by_followees["followee_likes"] == pytest.approx(np.log1p(2))
    assert liked_by_followees["like_rate"] == pytest.approx((2 + 1) / (30 + 10))  # smoothed
    assert from_ben["like_rate"] == pytest.approx(1 / 10)  # never shown: the prior alone
    assert liked_by_followees["read_time"] == pytest.approx((90 + 2 * 10) / (30 + 10))
    assert from_ben["read_time"] == pytest.approx(2.0)  # the prior: 2 s a view
    assert liked_by_followees["read_ratio"] == pytest.approx((90 + 20) / (70 + 20))
    assert from_ben["read_ratio"] == pytest.approx(1.0)  # never shown: as expected
    assert from_ben["topic_read_time"] == pytest.approx((100 + 2 * 5) / (20 + 5))
    assert from_ben["topic_views"] == pytest.approx(np.log1p(20))
    never_read = by_post[
        ServedCandidate.objects.filter(user=ana)
        .exclude(post_id__in=[p.pk for p in (*jazz, new)])
        .values_list("post_id", flat=True)[0]
    ]
    assert never_read["topic_read_time"] == pytest.approx(2.0)  # no views of its tags: prior
    assert never_read["topic_views"] == 0.0
    assert liked_by_followees["model"] > 0 and liked_by_followees["blend"] > 0
    assert all(row["position"] == 0 for row in by_post.values())  # the slot is the column


def test_what_happens_after_serving_never_changes_the_logged_features():
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    ana = person("ana")
    _, jazz, _ = world(ana)
    api_home(api_for(ana), page_size=20)
    before = features_of(ServedCandidate.objects.get(user=ana, post_id=jazz[1].pk))
    for n in range(5):
        follower = person(f"fan{n}")
        services.follow_create(follower=ana, followee=follower)
        services.like_create(user=follower, post=jazz[1])
    after = features_of(ServedCandidate.objects.get(user=ana, post_id=jazz[1].pk))
    assert after == before


def test_the_chronological_arm_and_a_switched_off_log_record_nothing(settings):
    put_everyone_in(FeedArm.Strategy.CHRONOLOGICAL)
    ana = person("ana")
    world(ana)
    api_home(api_for(ana))
    assert not ServedCandidate.objects.exists()
    settings.FEED_RANKER_LOG = False
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    api_home(api_for(person("ben2")))
    assert not ServedCandidate.objects.exists()


# --- labels --------------------------------------------------------------------------


def served(user, post, *, minutes_ago: float, seen=True) -> ServedCandidate:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    row = np.arange(len(FEATURES), dtype=np.float32)
    served = ServedCandidate.objects.create(
        user=user,
        post_id=post.pk,
        served_at=at,
        arm="personalised",
        position=0,
        features=row.tobytes(),
    )
    if seen:
        event(user, post, EventKind.IMPRESSION, at + timedelta(seconds=1))
    return served


def event(user, post, kind, at, **fields):
    Event.objects.create(user=user, post_id=post.pk, kind=kind, created_at=at, **fields)


def test_labels_come_only_from_the_window_after_serving(settings):
    settings.FEED_RANKER_LABEL_MINUTES = 60
    settings.FEED_RANKER_DWELL_MS = 5000
    ana, author = person("ana"), person("author")
    posts = [write(author, f"p{n}") for n in range(7)]
    liked = served(ana, posts[0], minutes_ago=120)
    event(ana, posts[0], EventKind.LIKE, liked.served_at + timedelta(minutes=5))
    late = served(ana, posts[1], minutes_ago=180)
    event(ana, posts[1], EventKind.LIKE, late.served_at + timedelta(minutes=90))
    dwelt = served(ana, posts[2], minutes_ago=120)
    event(ana, posts[2], EventKind.DWELL, dwelt.served_at + timedelta(seconds=9), dwell_ms=8000)
    event(ana, posts[2], EventKind.DWELL, dwelt.served_at + timedelta(minutes=2), dwell_ms=10**6)
    event(ana, posts[2], EventKind.DWELL, dwelt.served_at + timedelta(minutes=70), dwell_ms=5000)
    glanced = served(ana, posts[3], minutes_ago=120)
    event(ana, posts[3], EventKind.DWELL, glanced.served_at + timedelta(seconds=9), dwell_ms=900)
    served(ana, posts[4], minutes_ago=120, seen=False)  # served below the fold: never seen
    served(ana, posts[5], minutes_ago=10)  # its window is still open
    before = served(ana, posts[6], minutes_ago=120)
    event(ana, posts[6], EventKind.LIKE, before.served_at - timedelta(hours=1))

    examples = ranker_data.labelled()
    labels = dict(zip(examples.ids.tolist(), examples.engaged.tolist(), strict=True))
    assert labels == {liked.pk: True, late.pk: False, dwelt.pk: True, glanced.pk: False,
                      before.pk: False}  # fmt: skip
    assert examples.features.shape == (5, len(FEATURES))
    reading = dict(zip(examples.ids.tolist(), examples.read_ms.tolist(), strict=True))
    # Within the window only, each reading capped at a minute (a tab left open).
    assert reading == {liked.pk: 0, late.pk: 0, dwelt.pk: 8000 + 60_000, glanced.pk: 900,
                       before.pk: 0}  # fmt: skip
    assert examples.column("blend")[0] == FEATURES.index("blend")


def test_opted_out_and_suspended_people_and_hidden_posts_are_left_out():
    ana, bea, cal, author = person("ana"), person("bea"), person("cal"), person("author")
    post, hidden = write(author, "fine"), write(author, "hidden")
    kept = served(ana, post, minutes_ago=120)
    served(bea, post, minutes_ago=120)
    served(cal, post, minutes_ago=120)
    served(ana, hidden, minutes_ago=120)
    bea.personalised_feed = False
    bea.save(update_fields=["personalised_feed"])
    cal.is_active = False
    cal.save(update_fields=["is_active"])
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])
    assert ranker_data.labelled().ids.tolist() == [kept.pk]


def test_the_log_is_kept_as_long_as_the_event_log(settings):
    settings.EVENT_RETENTION_DAYS = 30
    ana, post = person("ana"), write(person("author"), "p")
    old = served(ana, post, minutes_ago=31 * 24 * 60, seen=False)
    recent = served(ana, post, minutes_ago=29 * 24 * 60, seen=False)
    assert ranker_log.prune_served() == 1
    assert list(ServedCandidate.objects.values_list("id", flat=True)) == [recent.pk]
    assert not ServedCandidate.objects.filter(pk=old.pk).exists()


def test_the_person_can_export_what_was_served_to_them_and_it_goes_with_the_account():
    from accounts.privacy import export_user_data

    ana, post = person("ana"), write(person("author"), "p")
    served(ana, post, minutes_ago=5)
    exported = export_user_data(ana)["served_posts"]
    assert [row["post_id"] for row in exported] == [post.pk]
    assert exported[0]["features"]["blend"] == FEATURES.index("blend")
    assert exported[0]["arm"] == "personalised"
    ana.delete()
    assert not ServedCandidate.objects.exists()


def test_a_row_logged_under_earlier_features_is_exported_unnamed():
    """FEATURES grew (history_share before position): today's names would mislabel it."""
    from accounts.privacy import export_user_data

    ana, post = person("ana"), write(person("author"), "p")
    row = served(ana, post, minutes_ago=5)
    earlier = np.arange(len(FEATURES) - 1, dtype=np.float32)
    ServedCandidate.objects.filter(pk=row.pk).update(features=earlier.tobytes())
    [exported] = export_user_data(ana)["served_posts"]
    assert exported["features"] == {}
    assert exported["features_of_an_earlier_release"] == earlier.tolist()
    ana.delete()
    assert not ServedCandidate.objects.exists()


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('synchronous_commit')")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.django_db(transaction=True)
def test_the_log_alone_commits_without_waiting_for_the_disk():
    ana, post = person("ana"), write(person("author"), "served")
    entry = {"post": post.pk, "features": np.zeros(len(FEATURES), np.float32).tobytes()}
    # Its own transaction: the rows are in, and the session's commits stay durable after.
    assert ranker_log.log_served(ana, arm="personalised", served=[(0, entry)]) == 1
    assert ServedCandidate.objects.filter(user=ana, post_id=post.pk).count() == 1
    assert synchronous_commit() == "on"
    # The statement relaxes the transaction it runs in...
    with transaction.atomic():
        with prepared_cursor() as cursor:
            cursor.execute(
                ranker_log.ASYNC_COMMIT_INSERT_SQL,
                {"user": ana.pk, "at": timezone.now(), "arm": "x", "posts": IntArray([post.pk]),
                 "positions": IntArray([1]), "features": BytesArray([entry["features"]])},
            )  # fmt: skip
        assert synchronous_commit() == "off"
    # ...so inside someone else's transaction (a like, a charge) the plain one runs.
    with transaction.atomic():
        ranker_log.log_served(ana, arm="personalised", served=[(2, entry)])
        assert synchronous_commit() == "on"
    assert ServedCandidate.objects.filter(user=ana).count() == 3
