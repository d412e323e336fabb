"""The time-based hold-out, the metrics and the quality gate, checked by hand."""

from datetime import timedelta

import numpy as np
import pytest
import scipy.sparse as sp
from django.utils import timezone

from accounts.models import User
from events.models import Event, EventKind
from feeds import gates
from feeds.evaluation import (
    HoldOut,
    metric_rows,
    popularity_recommendations,
    quality_gate,
    ranking_metrics,
    split_holdout,
)
from feeds.matrix import MatrixWeights, build_interaction_matrix
from social.models import Post


@pytest.fixture
def little_world(db):
    """ana engaged with five posts, ben with two, cy with one; times are known."""
    author = User.objects.create(username="author", password="!")
    made = Post.objects.bulk_create(Post(author=author, text=str(i)) for i in range(6))
    posts = [p.pk for p in made]
    ana, ben, cy = (User.objects.create(username=n, password="!") for n in ("ana", "ben", "cy"))
    start = timezone.now() - timedelta(hours=1)
    rows = [
        # (person, post index, kind, minutes after start)
        (ana, 0, EventKind.LIKE, 1),
        (ana, 1, EventKind.LIKE, 2),
        (ana, 2, EventKind.CLICK, 3),
        (ana, 3, EventKind.LIKE, 9),  # the newest two of ana's five ...
        (ana, 4, EventKind.COMMENT, 8),
        (ana, 0, EventKind.CLICK, 4),  # ... a later click on an old like does not make it new
        (ana, 5, EventKind.LIKE, 5),
        (ana, 5, EventKind.UNLIKE, 10),  # liked then unliked: not an interaction any more
        (ben, 0, EventKind.LIKE, 1),
        (ben, 1, EventKind.LIKE, 2),
        (cy, 0, EventKind.LIKE, 1),
    ]
    Event.objects.bulk_create(
        Event(kind=kind, user=person, post_id=posts[i], created_at=start + timedelta(minutes=m))
        for person, i, kind, m in rows
    )
    return {"posts": posts, "ana": ana, "ben": ben, "cy": cy}


def split(world_matrix, **options):
    defaults = {"sample_users": 100, "fraction": 0.4, "seed": 1, "weights": MatrixWeights()}
    return split_holdout(world_matrix, **{**defaults, **options})


def held_posts(interactions, holdout: HoldOut, person) -> set[int]:
    i = list(interactions.user_ids[holdout.rows]).index(person.pk)
    return {int(interactions.post_ids[c]) for c in holdout.held[i].indices}


def test_each_persons_most_recent_interactions_are_held_out(little_world):
    interactions = build_interaction_matrix()
    holdout = split(interactions)
    posts, ana, ben = little_world["posts"], little_world["ana"], little_world["ben"]

    # cy has one interaction: nothing to learn from if it were held out
    assert sorted(interactions.user_ids[holdout.rows]) == sorted([ana.pk, ben.pk])
    assert held_posts(interactions, holdout, ana) == {posts[3], posts[4]}  # 40% of 5
    assert held_posts(interactions, holdout, ben) == {posts[1]}  # at least one
    assert holdout.held_out == 3
    # the training matrix lost exactly those, and nothing else
    assert holdout.train.nnz == interactions.matrix.nnz - 3
    row = interactions.row_of(ana.pk)
    kept = {int(interactions.post_ids[c]) for c in holdout.train[row].indices}
    assert kept == {posts[0], posts[1], posts[2]}
    assert interactions.matrix[row].nnz == 5  # the matrix itself is untouched


def test_only_what_the_active_version_never_saw_is_held_out(little_world):
    """With an active version whose data window ends at ana's click on post 2 (events were
    stored ana's first, then ben's), only interactions first made after it count: ana's like
    of post 3 and comment on post 4, not her later click on post 0, liked before."""
    posts, ana, ben = little_world["posts"], little_world["ana"], little_world["ben"]
    window = Event.objects.get(user=ana, post_id=posts[2]).pk
    interactions = build_interaction_matrix()
    holdout = split(interactions, fraction=1.0, after_event_id=window)
    assert sorted(interactions.user_ids[holdout.rows]) == sorted([ana.pk, ben.pk])
    assert held_posts(interactions, holdout, ana) == {posts[3], posts[4]}  # not post 0
    assert held_posts(interactions, holdout, ben) == {posts[1]}
    assert holdout.describe(fraction=1.0, seed=1) == {
        "what": "each sampled person's most recent interactions",
        "fraction": 1.0,
        "seed": 1,
        "after_event_id": window,
        "max_event_id": interactions.max_event_id,
        "people": 2,
        "interactions": 3,
    }


def test_the_sample_is_limited_and_reproducible(little_world):
    interactions = build_interaction_matrix()
    one = split(interactions, sample_users=1, seed=5)
    again = split(interactions, sample_users=1, seed=5)
    assert len(one.rows) == 1 and list(one.rows) == list(again.rows)
    assert one.train.nnz == interactions.matrix.nnz - one.held_out


def test_metrics_by_hand():
    held = sp.csr_matrix(np.array([[1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1]], dtype=np.float32))
    recommended = np.array([[1, 3, 0], [2, 3, 4]])
    metrics = ranking_metrics(recommended, held, n_items=6)
    # person 1: both held-out posts found, at ranks 1 and 3; person 2: none
    assert metrics["recall@20"] == pytest.approx((1.0 + 0.0) / 2)
    ndcg = (1 + 1 / np.log2(4)) / (1 + 1 / np.log2(3))
    assert metrics["ndcg@20"] == pytest.approx(ndcg / 2, abs=1e-6)
    assert metrics["coverage"] == pytest.approx(5 / 6)


def test_popularity_recommends_the_most_engaged_posts_not_yet_seen():
    train = sp.csr_matrix(
        np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0], [0, 0, 0, 1]], dtype=np.float32)
    )
    holdout = HoldOut(train=train, rows=np.array([0, 3]), held=sp.csr_matrix((2, 4)))
    recommended = popularity_recommendations(holdout, k=3)
    assert recommended.tolist() == [[2, 3, -1], [0, 2, 1]]


def feed_metrics(ours, baseline, champion=None, *, held_out=200, people=50):
    return {
        "held_out": held_out,
        "eval_users": people,
        "model": {"recall@20": ours},
        "baseline": {"recall@20": baseline},
        "champion": None if champion is None else {"version": 3, "recall@20": champion},
    }


RULES = gates.Rules(enabled=True, baseline_lift=1.0, champion_ratio=0.9)


def feed_gate(metrics, rules=RULES, min_held_out=50, min_people=20):
    return quality_gate(
        metrics, rules=rules, min_held_out=min_held_out, min_people=min_people, champion_version=3
    )


def test_the_feed_gate_passes_a_version_that_beats_the_baseline_and_keeps_up():
    verdict = feed_gate(feed_metrics(0.37, 0.2, champion=0.4))
    assert verdict.passed and verdict.reason == ""
    assert [c["clause"] for c in verdict.as_metrics()["checks"]] == [
        "evidence", "baseline", "champion",
    ]  # fmt: skip


def test_the_feed_gate_wants_enough_held_out_interactions_and_people():
    few = feed_gate(feed_metrics(0.5, 0.1, held_out=49))
    assert not few.passed
    assert "the hold-out has 49 held-out interactions, 50 people" in few.reason
    assert "at least 50 held-out interactions" in few.reason
    lonely = feed_gate(feed_metrics(0.5, 0.1, people=19))
    assert not lonely.passed and "at least 20 people" in lonely.reason


def test_the_feed_gate_wants_to_beat_the_popularity_baseline():
    verdict = feed_gate(feed_metrics(0.3, 0.3))
    assert "recall@20 0.3000 does not beat the popularity baseline's 0.3000" in verdict.reason
    doubled = feed_gate(feed_metrics(0.3, 0.2), gates.Rules(True, 2.0, 0.9))
    assert "does not beat 2 x the popularity baseline's" in doubled.reason


def test_the_feed_gate_compares_with_the_active_version_on_the_same_hold_out():
    verdict = feed_gate(feed_metrics(0.35, 0.2, champion=0.4))
    assert not verdict.passed
    assert "below 0.9 x the active version v3's 0.4000 on the same hold-out" in verdict.reason


def test_a_shortfall_within_the_hold_outs_noise_is_forgiven():
    metrics = feed_metrics(0.35, 0.2, champion=0.4)
    metrics["champion"]["shortfall"] = [-0.09, 0.01]
    verdict = feed_gate(metrics)
    assert verdict.passed, verdict.reason
    assert "but within its noise" in verdict.as_metrics()["checks"][-1]["words"]
    metrics["champion"]["shortfall"] = [-0.09, -0.01]
    assert "beyond its noise" in feed_gate(metrics).reason


def test_an_empty_hold_out_cannot_be_measured():
    verdict = feed_gate(feed_metrics(None, None, held_out=0, people=0))
    assert not verdict.passed and "could not be measured" in verdict.reason


def test_metric_rows_put_the_model_next_to_the_baseline_and_the_active_version():
    rows = metric_rows(feed_metrics(0.4, 0.1, champion=0.3))
    assert rows[0] == ("recall@20", 0.4, 0.1, 0.3)
    assert rows[1] == ("ndcg@20", None, None, None)
    assert metric_rows({}) == [("recall@20", None, None, None), ("ndcg@20", None, None, None),
                               ("coverage", None, None, None)]  # fmt: skip
