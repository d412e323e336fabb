"""Serving the learned ranker: the `personalised-learned` arm's order.

The arm's candidates are the personalised arm's (feeds.home_ranking.rank_home); the active
ranker version (feeds.ranker_training) predicts each one's engagement from its FEATURES
(feeds.ranker_features) with the position set to 0, and the feed is that order, best first
(ties: the hand blend, then the newest), before the personalised arm's soft caps. Reasons
do not change: the reason stays the candidate's strongest source, a fact the candidate
query established. Without an active ranker (or one that cannot be loaded) the arm keeps
the hand blend's order, which the staff page's models list says.

The model is loaded once per process and version, like the feed model (feeds.serving), and
predicts on one thread: a web process's threads are its parallelism.
"""

import logging
import threading
from dataclasses import dataclass

import joblib
import numpy as np
from threadpoolctl import threadpool_limits

from feeds import artifact_store
from feeds.models import ModelKind, ModelVersion
from feeds.ranker_features import FEATURES, POSITION
from feeds.ranking import Candidate

log = logging.getLogger(__name__)
MODEL_FILE = "ranker.joblib"


@dataclass(frozen=True)
class Ranker:
    version_id: int
    model: object  # a fitted scikit-learn classifier with predict_proba

    def engagement(self, features: np.ndarray) -> np.ndarray:
        """The predicted chance of engagement of each row, each as if on top."""
        return self.model.predict_proba(_as_if_on_top(features))[:, 1]

    def order_scores(self, features: np.ndarray) -> np.ndarray:
        """Scores in the order of `engagement`, each row as if on top, for serving: a ranker
        trained with reading weights is its trees plus a calibration (feeds.ranker_training)
        whose map is increasing for any ranker the gate lets serve, so the trees' own
        scores give the same order without the calibration's cost on every page."""
        model = self.model
        calibrated = getattr(model, "calibrated_classifiers_", None)
        if calibrated:
            model = calibrated[0].estimator.estimator  # FrozenEstimator -> the trees
        return model.predict_proba(_as_if_on_top(features))[:, 1]


def _as_if_on_top(features: np.ndarray) -> np.ndarray:
    rows = np.array(features, dtype=np.float32, copy=True)
    rows[:, POSITION] = 0.0
    return rows


_loaded: dict[int, Ranker] = {}
_lock = threading.Lock()


def load_ranker(path: str, version_id: int) -> Ranker:
    folder = artifact_store.fetched(path)
    model = joblib.load(folder / MODEL_FILE)
    if getattr(model, "n_features_in_", len(FEATURES)) != len(FEATURES):
        raise ValueError(f"v{version_id} was trained on other features")
    return Ranker(version_id=version_id, model=model)


def current_ranker() -> Ranker | None:
    """The active ranker, loaded once per process and version; None when none is active
    or its artifact cannot be read (logged: the arm then keeps the hand blend's order)."""
    row = (
        ModelVersion.objects.filter(kind=ModelKind.FEED_RANKER, state=ModelVersion.State.ACTIVE)
        .values("id", "artifact_path")
        .first()
    )
    if row is None:
        return None
    ranker = _loaded.get(row["id"])
    if ranker is not None:
        return ranker
    with _lock:
        threadpool_limits(1, "openmp")  # tree predictions: one thread per request
        try:
            ranker = load_ranker(row["artifact_path"], row["id"])
        except (OSError, ValueError, KeyError, EOFError) as error:
            log.error("cannot load the feed ranker v%s: %s", row["id"], error)
            return None
        _loaded.clear()
        _loaded[row["id"]] = ranker
        return ranker


def forget_loaded_rankers() -> None:
    _loaded.clear()


def order_by_ranker(ranker: Ranker, candidates: list[Candidate], features: np.ndarray):
    """The candidates (rows of `features` in the same order) by predicted engagement, best
    first; ties by the hand blend's score, then the newest. Each gets its `engagement` (the
    ranker's serving score, `Ranker.order_scores`)."""
    if not candidates:
        return []
    predicted = ranker.order_scores(features)
    for candidate, chance in zip(candidates, predicted, strict=True):
        candidate.engagement = float(chance)
    blend = np.fromiter((c.score for c in candidates), float, len(candidates))
    ids = np.fromiter((c.id for c in candidates), np.int64, len(candidates))
    order = np.lexsort((-ids, -blend, -predicted))
    return [candidates[index] for index in order]
