"""Figures of yes/no models (feeds.binary_metrics): the per-person AUC a feed is judged by."""

import numpy as np
import pytest

from feeds.binary_metrics import AUC, PERSON_AUC, auc, metric_rows, person_auc


def test_telling_keen_people_from_idle_ones_is_not_ordering_anyones_feed():
    rng = np.random.default_rng(0)
    people = np.repeat(np.arange(40), 50)
    keen = people < 20
    labels = rng.random(len(people)) < np.where(keen, 0.6, 0.05)
    scores = keen + rng.random(len(people)) * 0.1  # knows who is keen, nothing about posts
    assert auc(labels, scores) > 0.7
    assert person_auc(labels, scores, people) == pytest.approx(0.5, abs=0.06)


def test_a_model_that_orders_each_persons_posts_scores_well_on_both():
    rng = np.random.default_rng(1)
    people = np.repeat(np.arange(30), 40)
    quality = rng.random(len(people))
    labels = rng.random(len(people)) < quality
    assert person_auc(labels, quality, people) > 0.75


def test_people_with_one_outcome_only_are_left_out_and_weighted_by_their_rows():
    people = np.array([1, 1, 1, 1, 2, 2, 3, 3])
    labels = np.array([1, 0, 1, 0, 1, 0, 1, 1], dtype=bool)
    scores = np.array([0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.5, 0.5])
    # person 1: perfect (1.0) over 4 rows; person 2: reversed (0.0) over 2; person 3: no noes
    assert person_auc(labels, scores, people) == pytest.approx(4 / 6)
    assert person_auc(np.ones(3, bool), np.ones(3), np.arange(3)) is None


def test_the_rankers_rows_show_the_person_auc_even_for_a_version_that_lacks_it():
    from feeds.ranker_evaluation import metric_rows as ranker_rows

    measured = {"model": {AUC: 0.8, PERSON_AUC: 0.6}, "baseline": {AUC: 0.7, PERSON_AUC: 0.55}}
    assert [row[0] for row in ranker_rows(measured)] == [AUC, "log_loss", PERSON_AUC]
    assert ranker_rows(measured)[2] == (PERSON_AUC, 0.6, 0.55, None)
    assert ranker_rows({"model": {AUC: 0.8}})[2] == (PERSON_AUC, None, None, None)
    assert [row[0] for row in metric_rows(measured)] == [AUC, "log_loss"]
