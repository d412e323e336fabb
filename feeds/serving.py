"""Serving the active feed model in a web process.

The active version is looked up on every call (one indexed query) and its artifact is loaded
lazily and kept per process, keyed by version, so an activation is picked up on the next
request without a restart. A person's vector is folded in at request time from their own
event history, so a like changes their next feed before any retrain.
"""

import logging
import threading
from dataclasses import dataclass

import numpy as np

from analytics.models import Event
from feeds.artifacts import FactorModel, load_factor_model
from feeds.matrix import MatrixWeights, event_weights
from feeds.models import ModelKind, ModelVersion

log = logging.getLogger(__name__)
HISTORY_LIMIT = 2000  # most recent events folded in; older taste is in the trained factors


@dataclass
class ServedModel:
    model: FactorModel
    gram: np.ndarray  # YᵀY of the item factors, for folding people in
    regularization: float
    alpha: float
    weights: MatrixWeights

    @property
    def version_id(self) -> int:
        return self.model.version_id


_loaded: dict[str, ServedModel] = {}
_lock = threading.Lock()


def current_model(kind: str = ModelKind.FEED_ALS) -> ServedModel | None:
    """The active version of `kind`, loaded once per process; None before any training."""
    row = (
        ModelVersion.objects.filter(kind=kind, state=ModelVersion.State.ACTIVE)
        .values("id", "artifact_path")
        .first()
    )
    served = _loaded.get(kind)
    if row is None:
        return None
    if served is not None and served.version_id == row["id"]:
        return served
    with _lock:
        served = _loaded.get(kind)
        if served is not None and served.version_id == row["id"]:
            return served
        try:
            model = load_factor_model(row["artifact_path"])
        except (OSError, ValueError, KeyError) as error:
            # Keep serving what this process already had rather than break the feed.
            log.error("cannot load %s v%s: %s", kind, row["id"], error)
            return _loaded.get(kind)
        params = model.meta.get("params", {})
        factors = np.asarray(model.item_factors, dtype=np.float64)
        served = ServedModel(
            model=model,
            gram=factors.T @ factors,
            regularization=float(params.get("regularization", 0.05)),
            alpha=float(params.get("alpha", 1.0)),
            weights=MatrixWeights(**model.meta.get("weights", {})),
        )
        _loaded[kind] = served
        return served


def forget_loaded_models() -> None:
    """Drop what this process holds (tests, and after deleting artifacts)."""
    _loaded.clear()


def history_confidences(user_id: int, weights: MatrixWeights) -> dict[int, float]:
    """The person's confidence per post from their own recent events, weighted exactly as
    the training matrix is (unlikes cancel likes)."""
    rows = list(
        Event.objects.filter(user_id=user_id, kind__in=weights.kinds(), post_id__isnull=False)
        .order_by("-id")
        .values_list("post_id", "kind", "dwell_ms", "created_at")[:HISTORY_LIMIT]
    )
    if not rows:
        return {}
    posts, kinds, dwell, times = zip(*rows, strict=True)
    values = event_weights(
        np.array(kinds, dtype=np.int16),
        np.array([ms or 0 for ms in dwell], dtype=np.int64),
        np.array([at.timestamp() for at in times], dtype=np.float64),
        weights,
    )
    unique, slots = np.unique(np.array(posts, dtype=np.int64), return_inverse=True)
    totals = np.bincount(slots, weights=values, minlength=len(unique))
    keep = totals > 0
    return dict(zip(unique[keep].tolist(), totals[keep].tolist(), strict=True))


def solve_vector(
    gram: np.ndarray, regularization: float, alpha: float, item_factors, values
) -> np.ndarray:
    """One person's factors against fixed item factors: the least-squares step ALS (and
    implicit's recalculate_user) takes, (YᵀY + λI + Yᵀ(C-I)Y) x = YᵀC p, with C = alpha x
    the person's confidences on the posts `item_factors` holds the rows of. Serving and the
    evaluation of every version (feeds.evaluation) fold people in with this one step."""
    item_factors = np.asarray(item_factors, dtype=np.float64)
    confidence = alpha * np.asarray(values, dtype=np.float64)
    matrix = gram + regularization * np.eye(gram.shape[0])
    matrix += (item_factors.T * (confidence - 1.0)) @ item_factors
    return np.linalg.solve(matrix, item_factors.T @ confidence)


def fold_in(served: ServedModel, confidences: dict[int, float]) -> np.ndarray | None:
    """The person's vector from their confidences on the posts the model knows."""
    if not confidences:
        return None
    columns = served.model.post_cols(np.fromiter(confidences, dtype=np.int64))
    known = columns >= 0
    if not known.any():
        return None
    values = np.fromiter(confidences.values(), dtype=np.float64)[known]
    vector = solve_vector(
        served.gram,
        served.regularization,
        served.alpha,
        served.model.item_factors[columns[known]],
        values,
    )
    return vector.astype(np.float32)


def user_vector(served: ServedModel, user_id: int) -> np.ndarray | None:
    """The person's vector with everything they did up to now folded in; None for someone
    the model cannot place yet (no interactions with posts it knows)."""
    return fold_in(served, history_confidences(user_id, served.weights))


def score_posts(served: ServedModel, vector: np.ndarray, *, exclude: set[int], limit: int):
    """The model's top posts for a vector, as (post id, score), best first."""
    scores = np.asarray(served.model.item_factors @ vector, dtype=np.float32)
    if exclude:
        columns = served.model.post_cols(np.fromiter(exclude, dtype=np.int64))
        scores[columns[columns >= 0]] = -np.inf
    limit = min(limit, len(scores))
    if limit <= 0:
        return []
    top = np.argpartition(-scores, limit - 1)[:limit]
    top = top[np.argsort(-scores[top])]
    return [
        (int(served.model.post_ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])
    ]


def user_vector_and_history(
    served: ServedModel, user_id: int
) -> tuple[np.ndarray | None, dict[int, float]]:
    """`user_vector` and the history it was folded from, in one read of the event log (the
    ranker needs both: the vector to score, the history to leave out what was already had)."""
    confidences = history_confidences(user_id, served.weights)
    return fold_in(served, confidences), confidences
