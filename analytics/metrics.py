"""The system-level measures of the loop and the statistics to compare experiment arms.

Pure functions over plain numbers, shared by the loop report (bots) and the stakeholder and
experiment dashboards (analytics), so both always compute a figure the same way.
"""

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

Z_95 = 1.959963984540054


def gini(values: Iterable[float]) -> float:
    """Concentration of a non-negative quantity (impressions per author): 0 when everyone has
    the same, towards 1 when one has everything. 0 for no data."""
    ordered = sorted(float(v) for v in values)
    n = len(ordered)
    total = sum(ordered)
    if n == 0 or total <= 0:
        return 0.0
    weighted = sum((rank + 1) * value for rank, value in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n


def top_share(values: Iterable[float], fraction: float = 0.01) -> float:
    """The share of the total held by the top `fraction` (at least one) of holders."""
    ordered = sorted((float(v) for v in values), reverse=True)
    total = sum(ordered)
    if not ordered or total <= 0:
        return 0.0
    top = max(1, math.ceil(len(ordered) * fraction))
    return sum(ordered[:top]) / total


def entropy(counts: Iterable[float], *, normalised: bool = False) -> float:
    """Shannon entropy in bits of a distribution given by counts (topics shown to a person).
    With `normalised`, divided by log2 of the number of categories present (0 to 1)."""
    positive = [float(c) for c in counts if c > 0]
    total = sum(positive)
    if total <= 0:
        return 0.0
    bits = -sum((c / total) * math.log2(c / total) for c in positive)
    if normalised:
        return bits / math.log2(len(positive)) if len(positive) > 1 else 0.0
    return bits


def jaccard(a, b) -> float:
    """Jaccard similarity of two collections of unique ids: sets, or sorted arrays (the daily
    rollup keeps what each sampled person saw as an array: a set costs ten times the memory)."""
    if isinstance(a, set | frozenset):
        shared = len(a & set(b))
    else:
        shared = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def mean_pairwise_jaccard(sets: Sequence[set], *, pairs: int = 2000, seed: int = 0) -> float:
    """Homogenisation: the mean Jaccard similarity of what random pairs of people consumed.
    Every pair when there are few people, else `pairs` random ones (seeded, so reproducible).
    Empty sets are left out: someone who saw nothing says nothing about similarity."""
    people = [s for s in sets if len(s)]
    n = len(people)
    if n < 2:
        return 0.0
    if n * (n - 1) // 2 <= pairs:
        chosen = [(i, j) for i in range(n) for j in range(i + 1, n)]
    else:
        rng = random.Random(seed)
        chosen = []
        for _ in range(pairs):
            i, j = rng.sample(range(n), 2)
            chosen.append((i, j))
    return sum(jaccard(people[i], people[j]) for i, j in chosen) / len(chosen)


@dataclass(frozen=True)
class Estimate:
    """A rate with its 95% confidence interval."""

    value: float
    low: float
    high: float
    n: int

    @property
    def margin(self) -> float:
        return (self.high - self.low) / 2


def rate_interval(successes: float, trials: float) -> Estimate:
    """Wilson score interval for a proportion (likes per impression): honest at small n and
    near 0, where the plain normal interval goes below zero."""
    n = float(trials)
    if n <= 0:
        return Estimate(0.0, 0.0, 0.0, 0)
    p = min(max(successes / n, 0.0), 1.0)
    z2 = Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), int(n))


def mean_interval(values: Sequence[float]) -> Estimate:
    """A mean (dwell per session) with the normal-approximation 95% interval."""
    n = len(values)
    if n == 0:
        return Estimate(0.0, 0.0, 0.0, 0)
    mean = sum(values) / n
    if n == 1:
        return Estimate(mean, mean, mean, 1)
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = Z_95 * math.sqrt(variance / n)
    return Estimate(mean, mean - half, mean + half, n)


def mean_difference(treatment: Sequence[float], control: Sequence[float]) -> Estimate | None:
    """treatment's mean minus control's, with Welch's normal-approximation 95% interval
    (unequal variances); None without two values on each side."""
    if len(treatment) < 2 or len(control) < 2:
        return None
    ours, theirs = mean_interval(treatment), mean_interval(control)
    half = math.hypot(ours.margin, theirs.margin)  # margins are Z x standard errors
    difference = ours.value - theirs.value
    return Estimate(difference, difference - half, difference + half, ours.n + theirs.n)


@dataclass(frozen=True)
class Lift:
    """A treatment's relative lift over control with its 95% interval (delta method on the
    log of the ratio of two rates)."""

    lift: float  # 0.18 means +18%
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def rate_lift(
    treatment_successes: float,
    treatment_trials: float,
    control_successes: float,
    control_trials: float,
) -> Lift | None:
    """Relative lift of one rate over another; None when either rate is zero (no ratio)."""
    if min(treatment_trials, control_trials) <= 0:
        return None
    if treatment_successes <= 0 or control_successes <= 0:
        return None
    p_t = treatment_successes / treatment_trials
    p_c = control_successes / control_trials
    log_ratio = math.log(p_t / p_c)
    se = math.sqrt(
        max(0.0, (1 - p_t) / treatment_successes) + max(0.0, (1 - p_c) / control_successes)
    )
    return Lift(
        lift=math.exp(log_ratio) - 1,
        low=math.exp(log_ratio - Z_95 * se) - 1,
        high=math.exp(log_ratio + Z_95 * se) - 1,
    )


def lift_verdict(treatment: str, control: str, metric: str, lift: Lift | None) -> str:
    """'personalised beats chronological on likes per impression by 18% ± 5%'."""
    if lift is None:
        return f"Not enough data to compare {treatment} with {control} on {metric} yet."
    margin = (lift.high - lift.low) / 2 * 100
    size = f"{abs(lift.lift) * 100:.0f}% ± {margin:.0f}%"
    if not lift.significant:
        return (
            f"No clear difference between {treatment} and {control} on {metric} "
            f"({lift.lift * 100:+.0f}% ± {margin:.0f}%)."
        )
    verb = "beats" if lift.lift > 0 else "trails"
    return f"{treatment} {verb} {control} on {metric} by {size}."
