"""The quality gate every kind of model shares: champion and challenger on the same hold-out.

A training run (feeds.training, ads.training, and any kind added to feeds.registry.TRAINERS)
builds one hold-out, then scores three things on it in the same run: the new version (the
challenger), the kind's baseline, and the active version (the champion), loaded from its
artifact. It hands the figures to `judge`, which checks every clause and says, in words a
staff member understands, why a version must not serve:

1. evidence:  the hold-out holds at least the minimum of each count the kind names
              (clicks and non-clicks; held-out interactions and people);
2. measured:  the main metric could be computed at all;
3. chance:    where the metric has an interval (AUC), its 95% interval lies above chance;
4. baseline:  the main metric beats the baseline's, times `baseline_lift`;
5. champion:  the main metric is at least `champion_ratio` times the champion's, on the
              same hold-out, or the shortfall is within the hold-out's noise (the paired 95%
              interval of challenger - ratio x champion reaches 0): only a version clearly
              worse is kept out, because rejecting equals on noise stalls the loop (no
              champion: the clause passes);
6. guards:    each secondary metric (log-loss) is no worse than the baseline's.

Every clause is evaluated and recorded (`Verdict.as_metrics`), so the staff page can show the
whole comparison; the version may serve only if all of them pass (or the gate is disabled,
which the record says too).
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import bootstrap

RESAMPLES = 1000


def paired_interval(statistic, *samples, seed: int = 0) -> tuple[float, float]:
    """The 95% percentile-bootstrap interval of `statistic(*samples)`, resampling the rows
    of the samples together (scipy.stats.bootstrap), seeded so a run is reproducible."""
    result = bootstrap(
        tuple(np.asarray(sample) for sample in samples),
        statistic,
        paired=True,
        vectorized=False,
        n_resamples=RESAMPLES,
        method="percentile",
        confidence_level=0.95,
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


@dataclass(frozen=True)
class Count:
    """How much evidence of one kind the hold-out holds, and the least a verdict needs."""

    what: str  # plural noun phrase: "clicks", "held-out interactions"
    value: int
    minimum: int


@dataclass(frozen=True)
class Scores:
    """One metric of the challenger, the baseline and the champion on the same hold-out."""

    metric: str
    challenger: float | None
    baseline: float | None
    champion: float | None = None  # None: no active version
    higher_is_better: bool = True
    meaning: str = ""  # what falling short means for people, for the staff page
    # 95% interval of (challenger - ratio x champion), paired on the hold-out's rows
    shortfall: tuple[float, float] | None = None

    def better(self, ours: float, theirs: float) -> bool:
        return ours > theirs if self.higher_is_better else ours < theirs


@dataclass(frozen=True)
class Interval:
    """A 95% interval of the challenger's main metric, and the value chance would give."""

    low: float
    high: float
    chance: float


@dataclass(frozen=True)
class Rules:
    enabled: bool
    baseline_lift: float
    champion_ratio: float

    @classmethod
    def of(cls, config) -> "Rules":
        """A kind's rules from its training config (gate_enabled, gate_baseline_lift,
        gate_active_ratio), recorded on every version."""
        return cls(config.gate_enabled, config.gate_baseline_lift, config.gate_active_ratio)


@dataclass
class Check:
    clause: str
    passed: bool
    words: str


@dataclass
class Verdict:
    enabled: bool
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.enabled or all(check.passed for check in self.checks)

    @property
    def reason(self) -> str:
        """Why the version must not serve ("" if it may): every failed clause, in words."""
        if self.passed:
            return ""
        return " ".join(check.words for check in self.checks if not check.passed)

    def as_metrics(self) -> dict:
        return {
            "enabled": self.enabled,
            "passed": self.passed,
            "checks": [vars(check) for check in self.checks],
        }


def _figure(value: float) -> str:
    return f"{value:.4f}"


def _evidence(counts: list[Count]) -> Check:
    short = [c for c in counts if c.value < c.minimum]
    held = ", ".join(f"{c.value:,} {c.what}" for c in counts)
    if not short:
        return Check("evidence", True, f"Enough evidence: the hold-out has {held}.")
    needs = " and ".join(f"at least {c.minimum:,} {c.what}" for c in short)
    return Check(
        "evidence",
        False,
        f"Not enough evidence yet: the hold-out has {held}, and a version needs {needs} "
        "before it can be judged. It will be judged again when more activity has come in.",
    )


def _chance(scores: Scores, interval: Interval) -> Check:
    span = f"{_figure(interval.low)} to {_figure(interval.high)}"
    if interval.low > interval.chance:
        return Check("chance", True, f"{scores.metric} 95% interval {span}, above chance.")
    return Check(
        "chance",
        False,
        f"{scores.metric} {_figure(scores.challenger)} could be luck: its 95% interval, {span}, "
        f"does not lie above {interval.chance:g}, what guessing would score.",
    )


def _baseline(scores: Scores, baseline_name: str, lift: float) -> Check:
    ours, theirs = scores.challenger, scores.baseline
    need = f"{lift:g} x " if lift != 1 else ""
    target = theirs * lift if scores.higher_is_better else theirs / lift
    if theirs is not None and scores.better(ours, target):
        return Check(
            "baseline",
            True,
            f"{scores.metric} {_figure(ours)} beats {need}{baseline_name}'s {_figure(theirs)}.",
        )
    theirs_text = "nothing" if theirs is None else _figure(theirs)
    return Check(
        "baseline",
        False,
        f"{scores.metric} {_figure(ours)} does not beat {need}{baseline_name}'s {theirs_text} "
        f"on the same hold-out{': ' + scores.meaning if scores.meaning else ''}.",
    )


def _champion(scores: Scores, champion_version: int | None, ratio: float) -> Check:
    if scores.champion is None:
        return Check("champion", True, "No version is active: nothing to compare with.")
    ours, theirs = scores.challenger, scores.champion
    floor = theirs * ratio if scores.higher_is_better else theirs / ratio
    name = f"the active version v{champion_version}" if champion_version else "the active version"
    ok = ours >= floor if scores.higher_is_better else ours <= floor
    if ok:
        return Check(
            "champion",
            True,
            f"{scores.metric} {_figure(ours)} against {name}'s {_figure(theirs)} on the same "
            "hold-out.",
        )
    relation = f"below {ratio:g} x" if scores.higher_is_better else f"worse than {ratio:g} x"
    gap = (
        f"{scores.metric} {_figure(ours)} is {relation} {name}'s {_figure(theirs)} on the same "
        "hold-out"
    )
    if scores.shortfall is not None:
        low, high = scores.shortfall
        span = f"95% interval of the difference {_figure(low)} to {_figure(high)}"
        noise = high >= 0 if scores.higher_is_better else low <= 0
        if noise:
            return Check("champion", True, f"{gap}, but within its noise ({span}).")
        gap = f"{gap}, beyond its noise ({span})"
    return Check(
        "champion",
        False,
        f"{gap}: it would serve people worse than the version serving now.",
    )


def _guard(scores: Scores, baseline_name: str) -> Check:
    ours, theirs = scores.challenger, scores.baseline
    if ours is not None and theirs is not None and not scores.better(theirs, ours):
        return Check(
            f"guard:{scores.metric}",
            True,
            f"{scores.metric} {_figure(ours)} is no worse than {baseline_name}'s "
            f"{_figure(theirs)}.",
        )
    return Check(
        f"guard:{scores.metric}",
        False,
        f"{scores.metric} {'unknown' if ours is None else _figure(ours)} is worse than "
        f"{baseline_name}'s {'unknown' if theirs is None else _figure(theirs)}"
        f"{': ' + scores.meaning if scores.meaning else ''}.",
    )


def judge(
    *,
    evidence: list[Count],
    main: Scores,
    baseline_name: str,
    rules: Rules,
    champion_version: int | None = None,
    interval: Interval | None = None,
    guards: tuple[Scores, ...] = (),
) -> Verdict:
    """Check every clause of the gate (see the module's docstring) and return the verdict."""
    verdict = Verdict(enabled=rules.enabled)
    verdict.checks.append(_evidence(evidence))
    if main.challenger is None:
        verdict.checks.append(
            Check(
                "measured",
                False,
                f"{main.metric} could not be measured: the hold-out lacks an outcome "
                "(nothing held out, or only one kind of answer).",
            )
        )
        return verdict
    if interval is not None:
        verdict.checks.append(_chance(main, interval))
    verdict.checks.append(_baseline(main, baseline_name, rules.baseline_lift))
    verdict.checks.append(_champion(main, champion_version, rules.champion_ratio))
    verdict.checks.extend(_guard(guard, baseline_name) for guard in guards)
    return verdict
