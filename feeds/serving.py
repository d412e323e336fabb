"""Serving the active feed model in a web process.

Which version is active is read at most every FEED_SERVING_REFRESH_SECONDS per process (one
indexed query, shared by the process's threads: flywheel.recent), and its artifact is loaded
lazily and kept per process, keyed by version, so an activation is picked up within that
period without a restart. A person's vector is folded in at request time from their own
event history, so a like changes their next feed before any retrain.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from threadpoolctl import threadpool_limits

from events.models import Event
from events.services import MAX_AGE
from feeds import retrieval
from feeds.artifacts import (
    FactorModel,
    FreshItems,
    fresh_items_stamp,
    load_factor_model,
    load_fresh_items,
)
from feeds.matrix import MatrixWeights, event_weights
from feeds.models import ModelKind, ModelVersion
from flywheel.prepared import prepared_cursor
from flywheel.recent import recent

log = logging.getLogger(__name__)
HISTORY_LIMIT = 2000  # most recent events folded in; older taste is in the trained factors


@dataclass
class ServedModel:
    model: FactorModel
    gram: np.ndarray  # YᵀY of the item factors, for folding people in
    regularization: float
    alpha: float
    weights: MatrixWeights
    index: object | None = None  # the artifact's faiss index (feeds.retrieval), memory-mapped
    path: str = ""
    fresh: FreshItems | None = None  # posts folded in after the version (feeds.fresh_posts)
    fresh_stamp: int | None = None
    fresh_checked: float = 0.0

    @property
    def version_id(self) -> int:
        return self.model.version_id

    def sources(self) -> list[retrieval.Source]:
        """Where the model's candidates come from: the version's posts, then the posts
        folded in since the version."""
        return self.version_sources() + self.fresh_sources()

    def version_sources(self) -> list[retrieval.Source]:
        """The version's own posts: its index, or every item without one."""
        model = self.model
        if self.index is None:
            return [retrieval.ExactSource(model.post_ids, model.item_factors)]
        return [retrieval.IndexSource(self.index, model.post_ids, model.item_factors)]

    def fresh_sources(self) -> list[retrieval.Source]:
        fresh = self.fresh
        if fresh is None or not len(fresh.post_ids):
            return []
        return [retrieval.ExactSource(fresh.post_ids, fresh.item_factors)]

    def refresh(self) -> None:
        """Pick up a new side file of fresh posts: one stat every FEED_FRESH_CHECK_SECONDS."""
        now = time.monotonic()
        if now - self.fresh_checked < settings.FEED_FRESH_CHECK_SECONDS:
            return
        self.fresh_checked = now
        stamp = fresh_items_stamp(self.path)
        if stamp != self.fresh_stamp:
            self.fresh, self.fresh_stamp = load_fresh_items(self.path), stamp


_loaded: dict[str, ServedModel] = {}
_lock = threading.Lock()


# The two small reads of every ranked page, prepared once per connection on PostgreSQL: as
# ORM queries each cost about 0.5 ms of Python to build and compile, three times the
# database's part (docs/benchmarks.md). The ORM forms below are the ones to read.
ACTIVE_VERSION_SQL = """
    SELECT id, artifact_path FROM feeds_modelversion
    WHERE kind = %(kind)s AND state = %(state)s ORDER BY id DESC LIMIT 1
"""
CHANGED_SINCE_SQL = """
    SELECT EXISTS (SELECT 1 FROM analytics_event
        WHERE user_id = %(user)s AND created_at >= %(since)s AND id > %(watermark)s
          AND kind = ANY(%(kinds)s) AND post_id IS NOT NULL)
"""


def active_version_row(kind: str, *, stale_ok: bool = True) -> dict | None:
    """The active version's id and artifact path, or None; read at most every
    FEED_SERVING_REFRESH_SECONDS in this process (as the arms are: feeds.experiments), or now
    (`stale_ok=False`: the tasks that work for the version that just activated)."""
    if not stale_ok:
        return _read_active_version(kind)
    return recent(
        ("active-version", str(kind)),
        lambda: _read_active_version(kind),
        settings.FEED_SERVING_REFRESH_SECONDS,
    )


def _read_active_version(kind: str) -> dict | None:
    active = ModelVersion.State.ACTIVE
    if connection.vendor != "postgresql":
        versions = ModelVersion.objects.filter(kind=kind, state=active)
        return versions.values("id", "artifact_path").first()
    with prepared_cursor() as cursor:
        cursor.execute(ACTIVE_VERSION_SQL, {"kind": str(kind), "state": str(active)})
        row = cursor.fetchone()
    return None if row is None else {"id": row[0], "artifact_path": row[1]}


def current_model(kind: str = ModelKind.FEED_ALS, *, stale_ok: bool = True) -> ServedModel | None:
    """The active version of `kind`, loaded once per process; None before any training.
    `stale_ok`: as active_version_row."""
    row = active_version_row(kind, stale_ok=stale_ok)
    served = _loaded.get(kind)
    if row is None:
        return None
    if served is not None and served.version_id == row["id"]:
        served.refresh()
        return served
    with _lock:
        # One BLAS thread: a web process's threads are its parallelism, and OpenBLAS threads
        # spinning against each other made one scoring of 10,000 items fifteen times slower.
        threadpool_limits(1, "blas")
        served = _loaded.get(kind)
        if served is not None and served.version_id == row["id"]:
            return served
        try:
            model = load_factor_model(row["artifact_path"])
            feed = kind == ModelKind.FEED_ALS
            index = retrieval.load_index(row["artifact_path"]) if feed else None
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            # Keep serving what this process already had rather than break the feed.
            log.error("cannot load %s v%s: %s", kind, row["id"], error)
            return _loaded.get(kind)
        params = model.meta.get("params", {})
        served = ServedModel(
            model=model,
            gram=item_gram(model.item_factors),
            regularization=float(params.get("regularization", 0.05)),
            alpha=float(params.get("alpha", 1.0)),
            weights=MatrixWeights(**model.meta.get("weights", {})),
            index=index,
            path=row["artifact_path"],
        )
        served.refresh()
        _loaded[kind] = served
        return served


def forget_loaded_models() -> None:
    """Drop what this process holds (tests, and after deleting artifacts)."""
    _loaded.clear()


@dataclass
class History:
    """A person's confidence per post from their own recent events, weighted exactly as the
    training matrix is (unlikes cancel likes), and the newest event it was read up to."""

    confidences: dict[int, float]
    watermark: int = 0  # the id of the newest event read; 0 for none


def histories(user_ids, weights: MatrixWeights) -> dict[int, History]:
    """`History` of each person, in one read of the event log (their HISTORY_LIMIT newest
    interactions each); people with none get an empty one. The limit is applied by the
    database and the rows are read person by person, so a batch of heavy people never sits
    in memory at once (a worker keeps its largest batch's heap: docs/benchmarks.md)."""
    user_ids = [int(pk) for pk in user_ids]
    rows = Event.objects.filter(
        user_id__in=user_ids, kind__in=weights.kinds(), post_id__isnull=False
    )
    if len(user_ids) == 1:
        rows = rows.order_by("-id")[:HISTORY_LIMIT]
    else:
        newest_first = Window(RowNumber(), partition_by=F("user_id"), order_by=F("id").desc())
        rows = (
            rows.annotate(newest=newest_first)
            .filter(newest__lte=HISTORY_LIMIT)
            .order_by("user_id", "-id")
        )
    columns = rows.values_list("user_id", "post_id", "kind", "dwell_ms", "created_at", "id")
    found = {
        user_id: _history([row[1:] for row in person], weights)
        for user_id, person in groupby(columns.iterator(chunk_size=2000), key=itemgetter(0))
    }
    return {pk: found.get(pk) or History({}) for pk in user_ids}


def _history(rows, weights: MatrixWeights) -> History:
    if not rows:
        return History({})
    posts, kinds, dwell, times, ids = zip(*rows, strict=True)
    values = event_weights(
        np.array(kinds, dtype=np.int16),
        np.array([ms or 0 for ms in dwell], dtype=np.int64),
        np.array([at.timestamp() for at in times], dtype=np.float64),
        weights,
    )
    unique, slots = np.unique(np.array(posts, dtype=np.int64), return_inverse=True)
    totals = np.bincount(slots, weights=values, minlength=len(unique))
    keep = totals > 0
    confidences = dict(zip(unique[keep].tolist(), totals[keep].tolist(), strict=True))
    return History(confidences, watermark=max(ids))


def changed_since(user_id: int, weights: MatrixWeights, *, watermark: int, at: datetime) -> bool:
    """Whether the person has an event that counts for their vector newer than `watermark`,
    the newest event of a fold-in made at `at`. Such an event was recorded after `at`, and
    no event is recorded with a time older than events.services.MAX_AGE, so only the
    person's events since `at - MAX_AGE` are looked at: a short range of their time index."""
    if connection.vendor != "postgresql":
        return Event.objects.filter(
            user_id=user_id,
            created_at__gte=at - MAX_AGE,
            id__gt=watermark,
            kind__in=weights.kinds(),
            post_id__isnull=False,
        ).exists()
    params = {
        "user": int(user_id),
        "since": at - MAX_AGE,
        "watermark": int(watermark),
        "kinds": [int(k) for k in weights.kinds()],
    }
    with prepared_cursor() as cursor:
        cursor.execute(CHANGED_SINCE_SQL, params)
        return bool(cursor.fetchone()[0])


def history_confidences(user_id: int, weights: MatrixWeights) -> dict[int, float]:
    return histories([user_id], weights)[int(user_id)].confidences


GRAM_BLOCK = 1 << 16  # item rows summed in float32 before the float64 total


def item_gram(item_factors) -> np.ndarray:
    """YᵀY in float64, summed from float32 blocks of rows: as exact as a float64 product for
    folding people in (relative error about 1e-7 on the bench world's million posts), but
    without a float64 copy of every factor, at a fifteenth of its time on one BLAS thread
    (1.4 s there, a second of every version load and of every champion's evaluation)."""
    factors = np.asarray(item_factors, dtype=np.float32)
    gram = np.zeros((factors.shape[1], factors.shape[1]), dtype=np.float64)
    for start in range(0, len(factors), GRAM_BLOCK):
        block = factors[start : start + GRAM_BLOCK]
        gram += block.T @ block
    return gram


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


def score_posts(
    served: ServedModel,
    vector: np.ndarray,
    *,
    exclude: set[int],
    limit: int,
    exact=False,
    fresh=True,
):
    """The model's top posts for a vector, as (post id, score), best first: from the
    version's index (feeds.retrieval), or from every item when `exact` (the yardstick);
    with the posts folded in since the version unless `fresh` is off."""
    sources = served.sources() if fresh else served.version_sources()
    if exact:
        sources = [retrieval.ExactSource(served.model.post_ids, served.model.item_factors)]
    return retrieval.retrieve(vector, sources, exclude=exclude, limit=limit)
