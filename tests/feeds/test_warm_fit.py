"""Warm-started retrains: the active version's factors, aligned by id, as the starting point;
fewer iterations; from scratch every Nth retrain, after a large change, or after a warm fit
its gate rejected."""

import numpy as np
import pytest
from implicit.utils import check_random_state

from feeds import registry, warm_start
from feeds.models import ModelVersion
from tests.feeds.test_training import add_likes, make_taste_world, train_now

State = ModelVersion.State


@pytest.fixture
def world(db, settings, tmp_path):
    from feeds.serving import forget_loaded_models

    settings.MODEL_ROOT = tmp_path / "models"
    settings.FEED_ALS_FACTORS = 16
    forget_loaded_models()
    # Six tastes of 15 posts: which posts a person likes next is a question of taste, so a
    # model's recall says how well it learnt the tastes.
    yield make_taste_world(groups=6, people=20, posts=15, likes=8)
    forget_loaded_models()


def test_known_ids_keep_their_vectors_and_new_ones_start_as_implicit_starts_them():
    old = np.arange(12, dtype=np.float32).reshape(4, 3)
    start = warm_start.aligned(
        old, np.array([10, 20, 30, 40]), np.array([5, 20, 40, 50]), check_random_state(1)
    )
    np.testing.assert_array_equal(start[1], old[1])
    np.testing.assert_array_equal(start[2], old[3])
    for new in (start[0], start[3]):
        assert ((new >= 0) & (new < 0.01)).all()
    assert start.dtype == np.float32 and start.shape == (4, 3)


def test_a_retrain_starts_warm_from_the_active_version_and_learns_as_well_as_from_scratch(
    world, settings
):
    first = train_now()
    assert first.state == State.ACTIVE and first.warm_from is None
    assert first.metrics["fit"] == {
        "start": "cold", "why": "no active version to start from", "iterations": 15,
    }  # fmt: skip
    add_likes(world, per_person=2)

    settings.FEED_ALS_WARM_START = False
    cold = train_now(gate_enabled=False)  # on the same data, judged on the same hold-out
    registry.version_activate(first.pk)
    settings.FEED_ALS_WARM_START = True
    warm = train_now()

    assert warm.state == State.ACTIVE, warm.reason
    assert warm.warm_from == first.pk and warm.fit_start == f"warm from v{first.pk}"
    assert warm.metrics["fit"]["start"] == "warm"
    assert warm.metrics["fit"]["iterations"] == settings.FEED_ALS_WARM_ITERATIONS == 3
    assert warm.metrics["holdout"] == cold.metrics["holdout"]
    for metric in ("recall@20", "ndcg@20"):
        assert warm.metrics["model"][metric] >= 0.98 * cold.metrics["model"][metric] > 0
    assert warm.metrics["model"]["recall@20"] > 2 * warm.metrics["baseline"]["recall@20"]


def test_every_nth_retrain_and_a_large_change_fit_from_scratch(world, settings):
    settings.FEED_ALS_COLD_EVERY = 3
    train_now()
    starts = []
    for seed in range(4):
        add_likes(world, per_person=1, seed=seed)
        version = train_now(gate_enabled=False)
        starts.append(version.metrics["fit"]["start"])
    assert starts == ["warm", "warm", "cold", "warm"]

    settings.FEED_ALS_COLD_CHANGE_SHARE = 0.15
    add_likes(world, per_person=3, seed=9)  # 3 x 120 new likes on 12 x 120
    big = train_now(gate_enabled=False)
    assert big.warm_from is None
    assert big.metrics["fit"]["why"].startswith("the interactions grew by 20% since v")


def test_after_a_rejected_warm_fit_the_next_retrain_fits_from_scratch(world, settings):
    first = train_now()
    add_likes(world, per_person=2)
    settings.FEED_GATE_ACTIVE_RATIO = 100  # nothing can pass: the warm fit is rejected
    rejected = train_now()
    assert rejected.state == State.REJECTED and rejected.warm_from == first.pk

    settings.FEED_GATE_ACTIVE_RATIO = 0.9
    again = train_now()
    assert again.warm_from is None
    assert "rejected" in again.metrics["fit"]["why"]
    assert again.state == State.ACTIVE, again.reason


def test_other_factors_or_warm_starts_off_fit_from_scratch(world, settings):
    train_now()
    add_likes(world, per_person=1)
    assert train_now(gate_enabled=False, factors=8).metrics["fit"]["why"] == (
        "the number of factors changed"
    )
    settings.FEED_ALS_WARM_START = False
    add_likes(world, per_person=1, seed=5)
    assert train_now(gate_enabled=False).metrics["fit"]["why"] == "warm starts are turned off"


def test_a_warm_fit_really_starts_at_the_active_versions_vectors(world):
    from feeds.artifacts import load_factor_model

    first = train_now()
    add_likes(world, per_person=1)
    unmoved = train_now(gate_enabled=False, warm_iterations=0)  # start, and no sweep after it
    assert unmoved.warm_from == first.pk
    before, after = load_factor_model(first.artifact_path), load_factor_model(unmoved.artifact_path)
    np.testing.assert_array_equal(after.post_ids, before.post_ids)
    np.testing.assert_array_equal(after.item_factors, before.item_factors)
