"""The loop's measures and the experiment statistics, against hand-computed numbers."""

import math

import numpy as np
import pytest

from analytics import metrics


def test_gini_is_zero_for_equal_exposure_and_near_one_for_one_winner():
    assert metrics.gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert metrics.gini([0, 0, 0, 10]) == pytest.approx(0.75)  # (n-1)/n for one holder
    assert metrics.gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert metrics.gini([]) == 0.0


def test_top_share_counts_at_least_one_holder():
    assert metrics.top_share([10, 0, 0, 0], 0.01) == pytest.approx(1.0)
    assert metrics.top_share([1] * 200, 0.01) == pytest.approx(0.01)


def test_entropy_in_bits():
    assert metrics.entropy([1, 1]) == pytest.approx(1.0)
    assert metrics.entropy([1, 1, 1, 1]) == pytest.approx(2.0)
    assert metrics.entropy([7, 0]) == 0.0
    assert metrics.entropy([3, 1], normalised=True) == pytest.approx(
        -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))
    )


def test_mean_pairwise_jaccard_uses_every_pair_when_few():
    sets = [{1, 2}, {2, 3}, {1, 2}, set()]
    # pairs: (a,b) 1/3, (a,c) 1, (b,c) 1/3; the empty set is left out
    assert metrics.mean_pairwise_jaccard(sets) == pytest.approx((1 / 3 + 1 + 1 / 3) / 3)


def test_mean_pairwise_jaccard_of_sorted_arrays_equals_that_of_sets():
    sets = [{3, 9, 40}, {9, 40, 41, 77}, set(), {1}, {40}]
    arrays = [np.array(sorted(s), dtype=np.int64) for s in sets]
    assert metrics.mean_pairwise_jaccard(arrays) == pytest.approx(
        metrics.mean_pairwise_jaccard(sets)
    )
    assert metrics.jaccard(arrays[0], arrays[1]) == pytest.approx(2 / 5)


def test_mean_pairwise_jaccard_samples_reproducibly_when_many():
    sets = [{i % 7, i % 11} for i in range(300)]
    first = metrics.mean_pairwise_jaccard(sets, pairs=500, seed=3)
    assert first == metrics.mean_pairwise_jaccard(sets, pairs=500, seed=3)
    assert 0 < first < 1


def test_wilson_interval_matches_the_textbook_example():
    estimate = metrics.rate_interval(81, 263)
    assert estimate.value == pytest.approx(0.308, abs=1e-3)
    assert (estimate.low, estimate.high) == pytest.approx((0.2553, 0.3662), abs=1e-3)
    assert metrics.rate_interval(0, 0).n == 0


def test_mean_interval():
    estimate = metrics.mean_interval([1, 2, 3, 4, 5])
    half = 1.959963984540054 * math.sqrt(2.5 / 5)
    assert (estimate.value, estimate.low, estimate.high) == pytest.approx((3, 3 - half, 3 + half))


def test_lift_and_its_verdict():
    lift = metrics.rate_lift(240, 2000, 200, 2000)  # 12% against 10%
    assert lift.lift == pytest.approx(0.2)
    se = math.sqrt((1 - 0.12) / 240 + (1 - 0.10) / 200)
    assert lift.low == pytest.approx(math.exp(math.log(1.2) - 1.959963984540054 * se) - 1)
    assert lift.significant
    verdict = metrics.lift_verdict("personalised", "chronological", "likes per impression", lift)
    assert verdict.startswith("personalised beats chronological on likes per impression by 20% ±")


def test_a_small_difference_is_called_unclear():
    lift = metrics.rate_lift(11, 100, 10, 100)
    assert not lift.significant
    assert "No clear difference" in metrics.lift_verdict("a", "b", "likes", lift)
    assert "Not enough data" in metrics.lift_verdict("a", "b", "likes", None)


def test_a_difference_of_means_has_welchs_interval():
    difference = metrics.mean_difference([2.0, 4.0, 6.0], [1.0, 1.0, 1.0, 1.0])
    assert difference.value == pytest.approx(3.0)
    assert difference.margin == pytest.approx(metrics.Z_95 * (4.0 / 3) ** 0.5)
    assert metrics.mean_difference([1.0], [1.0, 2.0]) is None
