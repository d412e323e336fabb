"""Figures of a model that predicts a yes/no outcome (a click, an engagement), shared by
the ad targeter (ads.evaluation) and the feed ranker (feeds.ranker_evaluation).

AUC (does it rank the yeses above the noes?) and log-loss (are its probabilities honest?)
are scikit-learn's; the AUC's 95% interval, and that of the difference with the active
version on the same rows, are percentile bootstraps (feeds.gates.paired_interval), seeded so
a run is reproducible.
"""

import numpy as np
from sklearn.metrics import log_loss as sklearn_log_loss
from sklearn.metrics import roc_auc_score

from feeds import gates

AUC = "auc"
LOG_LOSS = "log_loss"
AUC_LOW, AUC_HIGH = "auc_low", "auc_high"
PERSON_AUC = "person_auc"


def auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve; None without both classes."""
    labels = np.asarray(labels, dtype=bool)
    if labels.all() or not labels.any():
        return None
    return float(roc_auc_score(labels, scores))


def auc_interval(labels, scores, *, seed: int = 0) -> tuple[float, float] | None:
    """The AUC's 95% bootstrap interval; None without both classes. A resample with one
    class only (rare with the gate's minimum clicks) counts as a coin toss."""
    labels = np.asarray(labels, dtype=bool)
    if labels.all() or not labels.any():
        return None
    return gates.paired_interval(
        lambda y, p: auc(y, p) or 0.5, labels, np.asarray(scores, dtype=np.float64), seed=seed
    )


def auc_shortfall(labels, ours, theirs, *, ratio: float) -> tuple[float, float] | None:
    """The 95% bootstrap interval of (our AUC - ratio x theirs), paired on the same pairs."""
    labels = np.asarray(labels, dtype=bool)
    if labels.all() or not labels.any():
        return None
    return gates.paired_interval(
        lambda y, a, b: (auc(y, a) or 0.5) - ratio * (auc(y, b) or 0.5), labels, ours, theirs
    )


def person_auc(labels, scores, people) -> float | None:
    """The AUC within each person's rows, averaged with each person weighted by their rows;
    only people with both outcomes count (None without any). A model can score a high AUC
    over everyone by telling keen people from idle ones; this asks whether it orders each
    person's own posts, which is what a feed does."""
    labels, scores, people = np.asarray(labels, bool), np.asarray(scores), np.asarray(people)
    # One sort groups the rows by person (a mask per person rescanned every row per person).
    order = np.argsort(people, kind="stable")
    starts = np.unique(people[order], return_index=True)[1]
    total = weight = 0.0
    for mine in np.split(order, starts[1:]):
        value = auc(labels[mine], scores[mine])
        if value is not None:
            total += value * len(mine)
            weight += len(mine)
    return round(total / weight, 6) if weight else None


def log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float | None:
    if not len(labels):
        return None
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-9, 1 - 1e-9)
    return float(sklearn_log_loss(np.asarray(labels, dtype=bool), p, labels=[False, True]))


def judge(labels: np.ndarray, probabilities: np.ndarray, *, interval: bool = False) -> dict:
    """AUC and log-loss (and the AUC's interval, for the version being judged)."""
    value, loss = auc(labels, probabilities), log_loss(labels, probabilities)
    figures = {
        AUC: None if value is None else round(value, 6),
        LOG_LOSS: None if loss is None else round(loss, 6),
    }
    if interval:
        bounds = auc_interval(labels, probabilities)
        figures[AUC_LOW], figures[AUC_HIGH] = (
            (None, None) if bounds is None else (round(bounds[0], 6), round(bounds[1], 6))
        )
    return figures


def metric_rows(
    metrics: dict, names=(AUC, LOG_LOSS)
) -> list[tuple[str, float | None, float | None, float | None]]:
    """(metric, this version, its baseline, the version active then) on the same hold-out,
    for display side by side (feeds.registry.metric_rows)."""
    model = (metrics or {}).get("model") or {}
    baseline = (metrics or {}).get("baseline") or {}
    champion = (metrics or {}).get("champion") or {}
    return [(name, model.get(name), baseline.get(name), champion.get(name)) for name in names]


def champion_figures(labels, ours, theirs, *, version: int, ratio: float) -> dict:
    """The active version's figures on the same rows, and the paired interval of our AUC
    minus `ratio` x its AUC (the gate's champion clause)."""
    shortfall = auc_shortfall(labels, ours, theirs, ratio=ratio)
    return {
        "version": version,
        **judge(labels, theirs),
        "shortfall": None if shortfall is None else [round(v, 6) for v in shortfall],
    }


def quality_gate(
    metrics: dict,
    *,
    evidence: list[gates.Count],
    baseline_name: str,
    no_better: str,
    less_honest: str,
    rules: gates.Rules,
    champion_version: int | None = None,
) -> gates.Verdict:
    """The shared gate (feeds.gates) for a yes/no model: enough of each outcome held out
    (`evidence`), an AUC whose 95% interval lies above chance, beating the baseline
    (`no_better` says what losing means), not clearly below `rules.champion_ratio` times the
    active version on the same rows; and probabilities no worse calibrated than the
    baseline's (`less_honest`)."""
    model, baseline = metrics["model"], metrics["baseline"]
    champion = metrics.get("champion") or {}
    low, high = model.get(AUC_LOW), model.get(AUC_HIGH)
    return gates.judge(
        evidence=evidence,
        main=gates.Scores(
            AUC,
            model[AUC],
            baseline[AUC],
            champion.get(AUC),
            meaning=no_better,
            shortfall=champion.get("shortfall"),
        ),
        interval=None if low is None else gates.Interval(low, high, chance=0.5),
        guards=(
            gates.Scores(
                LOG_LOSS,
                model[LOG_LOSS],
                baseline[LOG_LOSS],
                higher_is_better=False,
                meaning=less_honest,
            ),
        ),
        baseline_name=baseline_name,
        rules=rules,
        champion_version=champion_version,
    )
