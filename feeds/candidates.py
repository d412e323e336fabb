"""Each person's model candidates, computed off the request path and kept in the cache.

A record is the model's best MODEL_CANDIDATES posts for the person (ids and scores), for one
model version, computed from their history up to one event (its watermark). A first page
reads it in one round trip; it is used only when the version is still the active one and the
person did nothing since the watermark (one look at their latest events: no history read),
so it is exactly what the request would compute. If
not (a like since, a new version, a cache that lost it or is down), the request folds the
person in and asks the index itself, then stores the result for the next first page.

A record holds the version's posts only, with the person's vector: the posts folded in since
the version (feeds.fresh_posts) change every minute, so they are scored against that vector
when the record is read (a few thousand dot products), and a record stays valid meanwhile.

`precompute` fills the records in batches: the Celery task `feeds.precompute_candidates`
runs it when a version activates and every minute for the people active recently, with a
bounded number of people per run (FEED_PRECOMPUTE_MAX_PEOPLE).
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from events.models import Event
from feeds import retrieval, serving
from flywheel import soft_cache

log = logging.getLogger(__name__)
MODEL_CANDIDATES = 200
BATCH = 25  # people per read of histories: a worker keeps its largest batch's heap


@dataclass
class ModelCandidates:
    """The model's posts for one person, best first, with their raw scores."""

    version_id: int
    watermark: int  # the newest event folded in
    pairs: list[tuple[int, float]]
    computed_at: datetime
    vector: np.ndarray | None = None  # the person's folded-in vector
    # posts of the person's history the version does not know: never offered as fresh posts
    seen_unknown: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def as_cached(self) -> tuple:
        post_ids = np.array([post for post, _ in self.pairs], dtype=np.int64)
        scores = np.array([score for _, score in self.pairs], dtype=np.float32)
        vector = b"" if self.vector is None else np.asarray(self.vector, np.float32).tobytes()
        seen = np.asarray(self.seen_unknown, dtype=np.int64).tobytes()
        return (
            self.watermark,
            post_ids.tobytes(),
            scores.tobytes(),
            self.computed_at,
            vector,
            seen,
        )

    @classmethod
    def from_cached(cls, version_id: int, value) -> "ModelCandidates | None":
        try:
            watermark, post_ids, scores, computed_at, vector, seen = value
            pairs = zip(
                np.frombuffer(post_ids, dtype=np.int64).tolist(),
                np.frombuffer(scores, dtype=np.float32).tolist(),
                strict=True,
            )
            return cls(
                version_id,
                int(watermark),
                list(pairs),
                computed_at,
                np.frombuffer(vector, dtype=np.float32) if vector else None,
                np.frombuffer(seen, dtype=np.int64),
            )
        except (TypeError, ValueError):
            return None  # unreadable, or stored by an older release: computed again


def _key(version_id: int, user_id: int) -> str:
    return f"feeds:model-candidates:v{int(version_id)}:{int(user_id)}"


def _timeout() -> int:
    return settings.FEED_CANDIDATES_SECONDS


def stored(version_id: int, user_id: int) -> ModelCandidates | None:
    """The person's stored record for this version, or None (a miss, or the cache is down)."""
    value = soft_cache.get(_key(version_id, user_id))
    return None if value is None else ModelCandidates.from_cached(version_id, value)


def store(records: list[ModelCandidates], user_ids: list[int]) -> None:
    soft_cache.set_many(
        {
            _key(record.version_id, user_id): record.as_cached()
            for record, user_id in zip(records, user_ids, strict=True)
        },
        _timeout(),
    )


def forget(version_id: int, user_ids) -> None:
    """Drop these people's stored records for the version (the next page computes them)."""
    soft_cache.delete_many([_key(version_id, pk) for pk in user_ids])


def compute(served, history: serving.History, *, limit: int = MODEL_CANDIDATES):
    """The model's candidates from a person's history: fold in, then the version's index."""
    vector = serving.fold_in(served, history.confidences)
    if vector is None:
        return None
    seen = np.fromiter(history.confidences, dtype=np.int64)
    pairs = serving.score_posts(
        served, vector, exclude=set(seen.tolist()), limit=limit, fresh=False
    )
    unknown = seen[served.model.post_cols(seen) < 0]
    return ModelCandidates(
        served.version_id, history.watermark, pairs, timezone.now(), vector, unknown
    )


def with_fresh(served, record: ModelCandidates, *, limit: int = MODEL_CANDIDATES):
    """The record with the posts folded in since the version, scored against its vector,
    merged in by score."""
    sources = served.fresh_sources()
    if not sources or record.vector is None:
        return record
    found = retrieval.retrieve(record.vector, sources, exclude=record.seen_unknown, limit=limit)
    if not found:
        return record
    pairs = sorted([*record.pairs, *found], key=lambda pair: (-pair[1], -pair[0]))[:limit]
    return replace(record, pairs=pairs)


def _fits(served, record: ModelCandidates) -> bool:
    """Whether a stored record can be this model's: version numbers restart with a new
    database, and a cache that outlived one (or is shared with another) can hold a record of
    the same number from another model, whose vector has another length."""
    return record.vector is None or len(record.vector) == served.model.item_factors.shape[1]


def for_person(served, user_id: int) -> ModelCandidates | None:
    """The request's model candidates: the stored record when it is still exact, else
    computed now (and stored). None when the model cannot place the person."""
    record = stored(served.version_id, user_id)
    if record is not None and not _fits(served, record):
        record = None
    if record is None or serving.changed_since(
        user_id, served.weights, watermark=record.watermark, at=record.computed_at
    ):
        history = serving.histories([user_id], served.weights)[int(user_id)]
        record = compute(served, history)
        if record is None:
            return None
        store([record], [user_id])
    return with_fresh(served, record)


def precompute(user_ids, *, served=None) -> int:
    """Store the model candidates of these people for the active version; how many were
    stored (people the model cannot place yet, and records still exact, are skipped)."""
    served = served or serving.current_model(stale_ok=False)  # the version that just activated
    if served is None:
        return 0
    user_ids = list(dict.fromkeys(int(pk) for pk in user_ids))
    count = 0
    for start in range(0, len(user_ids), BATCH):
        batch = user_ids[start : start + BATCH]
        kept = soft_cache.get_many([_key(served.version_id, pk) for pk in batch])
        records, people = [], []
        for user_id, history in serving.histories(batch, served.weights).items():
            old = kept.get(_key(served.version_id, user_id))
            if old is not None and old[0] == history.watermark:
                continue  # still exact: nothing happened since it was stored
            record = compute(served, history)
            if record is not None:
                records.append(record)
                people.append(user_id)
        store(records, people)
        count += len(records)
    return count


def recently_active(*, minutes: int, limit: int) -> list[int]:
    """The people with any event in the last `minutes`, most recently active first."""
    since = timezone.now() - timedelta(minutes=minutes)
    return list(
        Event.objects.filter(created_at__gte=since, user_id__isnull=False)
        .values("user_id")
        .annotate(last=Max("id"))
        .order_by("-last")
        .values_list("user_id", flat=True)[:limit]
    )
