"""Offline evaluation on a time-based hold-out, and the quality gate.

A sample of people (FEED_EVAL_USERS) has each person's most recent interactions (the newest
FEED_EVAL_HOLDOUT share of the posts they engaged with, at least one) taken out of the
training matrix. The model is fitted once, on that matrix, and judged on whether it puts the
held-out posts in its top 20; a popularity baseline is judged on the same people in the same
run. The served model is that same fit: the few held-out interactions it did not see come
back at request time, when serving folds each person's whole history into their vector.

Evaluating a sample with implicit's batch `recommend` keeps the cost small beside the fit.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.db.models import Max

from analytics.models import Event, EventKind
from feeds.matrix import InteractionMatrix, MatrixWeights

K = 20
RECALL = f"recall@{K}"
NDCG = f"ndcg@{K}"


@dataclass
class HoldOut:
    train: sp.csr_matrix  # the interaction matrix without the held-out interactions
    rows: np.ndarray  # matrix rows of the people evaluated
    held: sp.csr_matrix  # len(rows) x posts: what each of them did most recently

    @property
    def held_out(self) -> int:
        return int(self.held.nnz)


def positive_kinds(weights: MatrixWeights) -> list[int]:
    """Event kinds that add confidence (unlike and unshare take it away)."""
    by_kind = {
        EventKind.LIKE: weights.like,
        EventKind.SHARE: weights.share,
        EventKind.COMMENT: weights.comment,
        EventKind.CLICK: weights.click,
        EventKind.IMPRESSION: weights.impression,
        EventKind.DWELL: weights.dwell_per_second,
    }
    return [int(kind) for kind, weight in by_kind.items() if weight > 0]


def _latest_interactions(user_ids, max_event_id: int, kinds: list[int]):
    """(user id, post id, time of the latest positive event, its id) for these people: one
    grouped query on the (user, time) index, a few thousand people at a time."""
    rows = []
    for start in range(0, len(user_ids), 2000):
        chunk = [int(u) for u in user_ids[start : start + 2000]]
        rows.extend(
            Event.objects.filter(
                user_id__in=chunk, id__lte=max_event_id, kind__in=kinds, post_id__isnull=False
            )
            .values("user_id", "post_id")
            .annotate(last_at=Max("created_at"), last_id=Max("id"))
            .values_list("user_id", "post_id", "last_at", "last_id")
        )
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), empty
    users, posts, times, ids = zip(*rows, strict=True)
    return (
        np.array(users, dtype=np.int64),
        np.array(posts, dtype=np.int64),
        np.array([t.timestamp() for t in times], dtype=np.float64),
        np.array(ids, dtype=np.int64),
    )


def split_holdout(
    interactions: InteractionMatrix,
    *,
    sample_users: int,
    fraction: float,
    seed: int,
    weights: MatrixWeights,
) -> HoldOut:
    """Hold out each sampled person's most recent interactions."""
    matrix = interactions.matrix.tocsr()
    matrix.sort_indices()
    n_items = matrix.shape[1]
    counts = np.diff(matrix.indptr)
    candidates = np.flatnonzero(counts >= 2)  # one to learn from, one to predict
    rng = np.random.default_rng(seed)
    size = min(sample_users, len(candidates))
    rows = np.sort(rng.choice(candidates, size=size, replace=False)) if size else candidates[:0]

    users, posts, times, ids = _latest_interactions(
        interactions.user_ids[rows], interactions.max_event_id, positive_kinds(weights)
    )
    # Map ids to matrix positions; drop posts the matrix left out (hidden, deleted...).
    user_pos = np.searchsorted(interactions.user_ids[rows], users)
    cols = np.searchsorted(interactions.post_ids, posts)
    known = cols < len(interactions.post_ids)
    known[known] = interactions.post_ids[cols[known]] == posts[known]
    user_pos, cols, times, ids = user_pos[known], cols[known], times[known], ids[known]
    # Newest first within each person.
    order = np.lexsort((-ids, -times, user_pos))
    user_pos, cols = user_pos[order], cols[order]
    starts = np.searchsorted(user_pos, np.arange(len(rows) + 1))

    drop = []  # positions in matrix.data of held-out interactions
    held_rows, held_cols = [], []
    for i, row in enumerate(rows):
        lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
        row_cols = matrix.indices[lo:hi]
        recent = cols[starts[i] : starts[i + 1]]
        recent = recent[np.isin(recent, row_cols)]  # still positive in the matrix
        n_hold = min(max(1, int(fraction * len(row_cols))), len(row_cols) - 1, len(recent))
        if n_hold <= 0:
            continue
        hold = recent[:n_hold]
        drop.append(lo + np.searchsorted(row_cols, hold))
        held_rows.append(np.full(n_hold, i))
        held_cols.append(hold)

    train = matrix.copy()
    if drop:
        train.data[np.concatenate(drop)] = 0
        train.eliminate_zeros()
    held_r = np.concatenate(held_rows) if held_rows else np.zeros(0, dtype=np.int64)
    held_c = np.concatenate(held_cols) if held_cols else np.zeros(0, dtype=np.int64)
    held = sp.csr_matrix(
        (np.ones(len(held_r), dtype=np.float32), (held_r, held_c)), shape=(len(rows), n_items)
    )
    evaluated = np.flatnonzero(np.diff(held.indptr) > 0)
    return HoldOut(train=train, rows=rows[evaluated], held=held[evaluated])


def model_recommendations(model, holdout: HoldOut, k: int = K, batch: int = 1000) -> np.ndarray:
    """The model's top k unseen posts for each evaluated person (-1 where it has none)."""
    out = np.full((len(holdout.rows), k), -1, dtype=np.int64)
    k = min(k, holdout.train.shape[1])
    for start in range(0, len(holdout.rows), batch):
        rows = holdout.rows[start : start + batch]
        ids, scores = model.recommend(
            rows, holdout.train[rows], N=k, filter_already_liked_items=True
        )
        ids = np.where(np.isfinite(scores), ids, -1)
        out[start : start + len(rows), : ids.shape[1]] = ids
    return out


def popularity_recommendations(holdout: HoldOut, k: int = K) -> np.ndarray:
    """The most popular posts (by people who engaged) each person has not seen yet."""
    train = holdout.train
    popularity = np.bincount(train.indices, minlength=train.shape[1])
    longest = int(np.diff(train.indptr)[holdout.rows].max()) if len(holdout.rows) else 0
    top = min(train.shape[1], k + longest)
    head = np.argpartition(-popularity, top - 1)[:top] if top else np.zeros(0, dtype=np.int64)
    head = head[np.lexsort((head, -popularity[head]))]  # most popular first, ties by column
    out = np.full((len(holdout.rows), k), -1, dtype=np.int64)
    for i, row in enumerate(holdout.rows):
        seen = train.indices[train.indptr[row] : train.indptr[row + 1]]
        unseen = head[~np.isin(head, seen)][:k]
        out[i, : len(unseen)] = unseen
    return out


def ranking_metrics(recommended: np.ndarray, held: sp.csr_matrix, n_items: int) -> dict:
    """recall@k (hits over min(held out, k)), nDCG@k with binary relevance, and catalogue
    coverage (share of all posts that appear in anyone's top k)."""
    k = recommended.shape[1]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)
    recalls, ndcgs = [], []
    for i in range(len(recommended)):
        truth = held.indices[held.indptr[i] : held.indptr[i + 1]]
        if not len(truth):
            continue
        hits = np.isin(recommended[i], truth) & (recommended[i] >= 0)
        relevant = min(len(truth), k)
        recalls.append(hits.sum() / relevant)
        ndcgs.append((hits * discounts).sum() / ideal[relevant - 1])
    shown = np.unique(recommended[recommended >= 0])
    return {
        RECALL: round(float(np.mean(recalls)), 6) if recalls else 0.0,
        NDCG: round(float(np.mean(ndcgs)), 6) if ndcgs else 0.0,
        "coverage": round(len(shown) / n_items, 6) if n_items else 0.0,
    }


def evaluate(model, holdout: HoldOut) -> dict:
    """The model and the popularity baseline, on the same people and the same hold-out."""
    n_items = holdout.train.shape[1]
    return {
        "k": K,
        "eval_users": len(holdout.rows),
        "held_out": holdout.held_out,
        "model": ranking_metrics(model_recommendations(model, holdout), holdout.held, n_items),
        "baseline": ranking_metrics(popularity_recommendations(holdout), holdout.held, n_items),
    }


def quality_gate(
    metrics: dict,
    *,
    active_metrics: dict | None,
    baseline_lift: float,
    active_ratio: float,
) -> str:
    """Why this version must not serve, or "" if it may: it has to beat the popularity
    baseline on recall@20 and must not be clearly worse than the version serving now (whose
    figure comes from its own run, on its own hold-out)."""
    ours = metrics["model"][RECALL]
    baseline = metrics["baseline"][RECALL]
    if not ours > baseline * baseline_lift:
        need = f"{baseline_lift:g} x " if baseline_lift != 1 else ""
        return f"{RECALL} {ours:.4f} does not beat {need}the popularity baseline's {baseline:.4f}."
    active = ((active_metrics or {}).get("model") or {}).get(RECALL)
    if active is not None and ours < active * active_ratio:
        return f"{RECALL} {ours:.4f} is below {active_ratio:g} x the active version's {active:.4f}."
    return ""


def metric_rows(metrics: dict) -> list[tuple[str, float | None, float | None]]:
    """(metric, this version, popularity baseline) for display side by side."""
    model = (metrics or {}).get("model") or {}
    baseline = (metrics or {}).get("baseline") or {}
    return [(name, model.get(name), baseline.get(name)) for name in (RECALL, NDCG, "coverage")]
