"""Judging the learned ranker: the same hold-out, the hand blend beside it, the shared gate.

The hold-out is by time: the newest FEED_RANKER_HOLDOUT share of the examples
(feeds.ranker_data), and never an example the active ranker learnt from. On it, in the same
run:

- the new ranker's predicted engagement, each post as if on top (position 0, as serving);
- the hand blend's ordering (its `blend` score): its AUC is the blend's own; for log-loss its
  scores are made probabilities by a one-feature logistic regression fitted on the training
  part, the least a probability from the blend can be;
- the active ranker's prediction, where one is active.

AUC says whether a ranker puts what people engaged with above what they passed over;
log-loss whether its probabilities are honest. The gate (feeds.gates) lets a version serve
only with enough engaged and ignored examples held out, an AUC whose 95% interval is above
chance, an AUC above the hand blend's, not clearly below the active ranker's, and a log-loss
no worse than the calibrated blend's.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression

from feeds import binary_metrics, gates
from feeds.binary_metrics import AUC, LOG_LOSS, PERSON_AUC, judge
from feeds.binary_metrics import quality_gate as binary_quality_gate

BASELINE = "the hand blend"
__all__ = ["calibrated_blend", "judge", "metric_rows", "quality_gate"]


def calibrated_blend(train_blend, train_engaged, test_blend) -> np.ndarray:
    """The hand blend's scores on the hold-out as probabilities of engagement (scikit-learn's
    logistic regression on the blend score alone, fitted on the training part)."""
    labels = np.asarray(train_engaged, dtype=bool)
    if labels.all() or not labels.any():
        return np.full(len(test_blend), float(labels.mean()) if len(labels) else 0.5)
    model = LogisticRegression().fit(np.asarray(train_blend).reshape(-1, 1), labels)
    return model.predict_proba(np.asarray(test_blend).reshape(-1, 1))[:, 1]


def metric_rows(metrics: dict) -> list[tuple]:
    """AUC and log-loss, and the AUC within each person's posts (a version trained before it
    was measured shows none)."""
    return binary_metrics.metric_rows(metrics, names=(AUC, LOG_LOSS, PERSON_AUC))


def baseline_figures(labels, blend, calibrated) -> dict:
    """The hand blend's AUC (its own order) and log-loss (its calibrated probabilities)."""
    return {AUC: judge(labels, blend)[AUC], LOG_LOSS: judge(labels, calibrated)[LOG_LOSS]}


def quality_gate(
    metrics: dict,
    *,
    rules: gates.Rules,
    min_engaged: int,
    min_ignored: int,
    champion_version: int | None = None,
) -> gates.Verdict:
    engaged = metrics["held_out_engaged"]
    return binary_quality_gate(
        metrics,
        evidence=[
            gates.Count("engaged posts", engaged, min_engaged),
            gates.Count("posts passed over", metrics["eval_examples"] - engaged, min_ignored),
        ],
        baseline_name=BASELINE,
        no_better="it orders posts no better than the hand blend does",
        less_honest="its predicted engagement is less honest than the blend's",
        rules=rules,
        champion_version=champion_version,
    )
