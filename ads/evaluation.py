"""Fitting and judging the targeter's click model: logistic regression, AUC, log-loss, gate.

The hold-out is by time: the newest ADS_EVAL_HOLDOUT share of (person, campaign) pairs, by
the moment the person first saw the campaign, is kept out of training. The model and a
targeting-only baseline (the same logistic regression restricted to what targeting knows:
declared interest and the campaign's own prior) are fitted on the older pairs and judged on
the newer ones in the same run: AUC (does it rank clickers above the others?) and log-loss
(are its probabilities honest?).
"""

import numpy as np

from feeds.registry import gate_verdict

AUC = "auc"
LOG_LOSS = "log_loss"


def fit_logistic(
    features: np.ndarray, labels: np.ndarray, *, l2: float = 1.0, iterations: int = 50
) -> np.ndarray:
    """Coefficients by Newton's method (IRLS) with an L2 penalty (not on the intercept, the
    first column). Small, dense, exact: a handful of features."""
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    weights = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - y) + penalty * weights
        curvature = (x.T * (p * (1 - p))) @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(curvature, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return weights


def auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve by ranks (ties count half); None without both classes."""
    labels = np.asarray(labels, dtype=bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if not positives or not negatives:
        return None
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = np.asarray(scores)[order]
    ranks = np.empty(len(scores), dtype=np.float64)
    # Average ranks over runs of equal scores.
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(scores)]])
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-9, 1 - 1e-9)
    y = np.asarray(labels, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def judge(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    value = auc(labels, probabilities)
    return {
        AUC: None if value is None else round(value, 6),
        LOG_LOSS: round(log_loss(labels, probabilities), 6),
    }


def quality_gate(
    metrics: dict, *, active_metrics: dict | None, baseline_lift: float, active_ratio: float
) -> str:
    """Why this version must not serve, or "": the registry's gate on AUC (beat the
    targeting-only baseline, not clearly worse than the active version), and its
    probabilities must be no worse calibrated than the baseline's (log-loss)."""
    reason = gate_verdict(
        metric=AUC,
        ours=metrics["model"][AUC],
        baseline=metrics["baseline"][AUC],
        baseline_name="the targeting-only baseline",
        active=((active_metrics or {}).get("model") or {}).get(AUC),
        baseline_lift=baseline_lift,
        active_ratio=active_ratio,
    )
    if reason:
        return reason
    ours, baseline = metrics["model"][LOG_LOSS], metrics["baseline"][LOG_LOSS]
    if ours > baseline:
        return f"log-loss {ours:.4f} is worse than the targeting-only baseline's {baseline:.4f}."
    return ""


def metric_rows(metrics: dict) -> list[tuple[str, float | None, float | None]]:
    """(metric, this version, targeting-only baseline) for display side by side."""
    model = (metrics or {}).get("model") or {}
    baseline = (metrics or {}).get("baseline") or {}
    return [(name, model.get(name), baseline.get(name)) for name in (AUC, LOG_LOSS)]
