"""Fitting and judging the targeter's click model: logistic regression, AUC, log-loss, gate.

The hold-out is by time: the newest ADS_EVAL_HOLDOUT share of (person, campaign) pairs, by
the moment the person first saw the campaign, is kept out of training. The model and a
targeting-only baseline (the same logistic regression restricted to what targeting knows:
declared interest and the campaign's own prior) are fitted on the older pairs and judged on
the newer ones in the same run: AUC (does it rank clickers above the others?) and log-loss
(are its probabilities honest?). The active version (the champion) is scored on the same
pairs, by the same features serving would give it (ads.targeter): a person or a campaign it
never saw gets what serving gives them, no click factors and the global prior, so every pair
can be scored by both. Pairs it learnt from are never in the hold-out (ads.training).

The logistic regression, AUC and log-loss are scikit-learn's (the figures and their
intervals: feeds.binary_metrics, shared with the feed ranker).
"""

import numpy as np
from sklearn.linear_model import LogisticRegression

from ads.targeter import FEATURES, campaign_priors, sigmoid
from feeds import gates
from feeds.binary_metrics import judge, metric_rows
from feeds.binary_metrics import quality_gate as binary_quality_gate

# The training and feeds.registry read these from here.
__all__ = ["judge", "metric_rows"]
from feeds.artifacts import FactorModel


def fit_logistic(features: np.ndarray, labels: np.ndarray, *, l2: float = 1.0) -> np.ndarray:
    """Coefficients of scikit-learn's L2-penalised logistic regression, intercept first (the
    first column of `features` is the constant 1, as ads.targeter scores with `x @ weights`).
    The penalty is on the slopes only, as the intercept is the campaign-free base rate."""
    x = np.asarray(features, dtype=np.float64)
    model = LogisticRegression(C=1.0 / l2, solver="lbfgs", max_iter=1000, tol=1e-8)
    model.fit(x[:, 1:], np.asarray(labels, dtype=bool))
    return np.concatenate([model.intercept_, model.coef_[0]])


def champion_probabilities(model: FactorModel, test, features: np.ndarray) -> np.ndarray:
    """The active version's click probabilities for the held-out pairs: the same features as
    the new version's (`features`, FEATURES order), with its own click factors and priors in
    place of the new version's, as ads.targeter.predict would compute them."""
    x = np.array(features, dtype=np.float64, copy=True)
    x[:, FEATURES.index("prior")] = campaign_priors(model.meta, test.campaigns)
    mf, has_mf = np.zeros(len(test)), np.zeros(len(test))
    rows = np.array([model.user_row(int(u)) for u in test.users], dtype=object)
    cols = model.post_cols(test.campaigns)
    known = np.array([r is not None for r in rows]) & (cols >= 0)
    if known.any():
        people = np.asarray(model.user_factors, dtype=np.float64)[rows[known].astype(np.int64)]
        campaigns = np.asarray(model.item_factors, dtype=np.float64)[cols[known]]
        clicked = np.abs(people).sum(axis=1) > 0  # serving: no clicks, no click factors
        mf[known] = np.einsum("ij,ij->i", people, campaigns) * clicked
        has_mf[known] = clicked
    x[:, FEATURES.index("mf")], x[:, FEATURES.index("has_mf")] = mf, has_mf
    coefficients = np.asarray(model.meta["coefficients"], dtype=np.float64)
    return sigmoid(x @ coefficients)


def quality_gate(
    metrics: dict,
    *,
    rules: gates.Rules,
    min_clicks: int,
    min_non_clicks: int,
    champion_version: int | None = None,
) -> gates.Verdict:
    """The shared gate (feeds.binary_metrics.quality_gate): enough clicks and non-clicks
    held out, an AUC above chance and above the targeting-only baseline, not below the
    active version's; log-loss no worse than the baseline's."""
    clicks = metrics["held_out_clicks"]
    non_clicks = metrics["eval_pairs"] - clicks
    return binary_quality_gate(
        metrics,
        evidence=[
            gates.Count("clicks", clicks, min_clicks),
            gates.Count("ads shown without a click", non_clicks, min_non_clicks),
        ],
        baseline_name="the targeting-only baseline",
        no_better="the person model adds nothing to what targeting alone knows",
        less_honest="its click probabilities are less honest, which would misprice the auction",
        rules=rules,
        champion_version=champion_version,
    )
