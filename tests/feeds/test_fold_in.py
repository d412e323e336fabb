"""Folding a person in at request time gives the vector implicit itself would compute."""

import numpy as np
import pytest
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares

from feeds.artifacts import load_factor_model, save_factor_model
from feeds.matrix import MatrixWeights
from feeds.serving import ServedModel, fold_in, score_posts


@pytest.fixture
def trained(tmp_path, settings):
    settings.MODEL_ROOT = tmp_path
    rng = np.random.default_rng(7)
    interactions = sp.random(60, 40, density=0.15, random_state=7, format="csr", dtype=np.float32)
    interactions.data = rng.integers(1, 6, size=interactions.nnz).astype(np.float32)
    als = AlternatingLeastSquares(
        factors=8, regularization=0.1, alpha=2.0, iterations=5, random_state=1
    )
    als.fit(interactions, show_progress=False)
    path = save_factor_model(
        "feed_als",
        1,
        user_factors=als.user_factors,
        item_factors=als.item_factors,
        user_ids=np.arange(100, 160),
        post_ids=np.arange(1000, 1040),
        meta={"params": {"regularization": 0.1, "alpha": 2.0}},
    )
    model = load_factor_model(path)
    factors = np.asarray(model.item_factors, dtype=np.float64)
    served = ServedModel(
        model=model,
        gram=factors.T @ factors,
        regularization=0.1,
        alpha=2.0,
        weights=MatrixWeights(),
    )
    return als, interactions, served


def test_fold_in_matches_implicits_recalculate_user(trained):
    als, interactions, served = trained
    row = interactions[3]
    confidences = {1000 + int(c): float(v) for c, v in zip(row.indices, row.data, strict=True)}
    ours = fold_in(served, confidences)
    theirs = als.recalculate_user(3, row)
    assert np.allclose(ours, np.asarray(theirs).ravel(), atol=1e-3)


def test_unknown_posts_cannot_place_a_person(trained):
    _, _, served = trained
    assert fold_in(served, {99999: 4.0}) is None


def test_scores_exclude_what_was_seen_and_come_best_first(trained):
    als, interactions, served = trained
    vector = np.asarray(als.user_factors[5])
    seen = {1000 + int(c) for c in interactions[5].indices}
    ranked = score_posts(served, vector, exclude=seen, limit=10)
    assert len(ranked) == 10
    assert not seen & {post for post, _ in ranked}
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)


def test_artifacts_are_memory_mapped_and_written_whole(trained, tmp_path):
    _, _, served = trained
    assert isinstance(served.model.item_factors, np.memmap)
    assert (tmp_path / "feed_als" / "v1" / "meta.json").exists()
    assert not list((tmp_path / "feed_als").glob("*.tmp-*"))
