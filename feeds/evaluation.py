"""Offline evaluation on a time-based hold-out: the new version, the popularity baseline and
the active version, on the same people and the same held-out interactions, in the same run.

A sample of people (FEED_EVAL_USERS) has each person's most recent interactions (the newest
FEED_EVAL_HOLDOUT share of the posts they engaged with, at least one) taken out of the
training matrix; only interactions the active version never saw are held out (first made
after its data window, `after_event_id`), so the comparison does not favour the version
that learnt the answers. The new model is fitted once, on that matrix.

Every version is scored the way serving scores it (feeds.serving): each person's vector is
folded in from their training interactions with the same least-squares step, then the
version's top 20 unseen posts are compared with what they did. People the active version
never saw are folded in like everyone else. Posts it never saw it cannot recommend: their
held-out interactions count as misses for it, because that is what keeping it would cost
(new posts would never come from the model), and comparing only on old posts would hide
exactly the staleness a retrain is for. The served model is the same fit: the few held-out
interactions it did not see come back at request time, when serving folds each person's
whole history into their vector.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.db.models import Max, Min
from implicit.cpu.topk import topk

from events.models import Event, EventKind
from feeds import gates
from feeds.artifacts import FactorModel
from feeds.matrix import InteractionMatrix, MatrixWeights
from feeds.serving import item_gram, solve_vector

K = 20
RECALL = f"recall@{K}"
NDCG = f"ndcg@{K}"


@dataclass
class HoldOut:
    train: sp.csr_matrix  # the interaction matrix without the held-out interactions
    rows: np.ndarray  # matrix rows of the people evaluated
    held: sp.csr_matrix  # len(rows) x posts: what each of them did most recently
    after_event_id: int = 0  # only interactions first made after this event were held out
    max_event_id: int = 0  # the data window the hold-out was cut from

    @property
    def held_out(self) -> int:
        return int(self.held.nnz)

    def describe(self, *, fraction: float, seed: int) -> dict:
        """Which hold-out the metrics come from, stored with them."""
        return {
            "what": "each sampled person's most recent interactions",
            "fraction": fraction,
            "seed": seed,
            "after_event_id": self.after_event_id,
            "max_event_id": self.max_event_id,
            "people": len(self.rows),
            "interactions": self.held_out,
        }


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
    """(user id, post id, time of the latest positive event, its id, the first one's id) for
    these people: one grouped query on the (user, time) index, a few thousand at a time."""
    rows = []
    for start in range(0, len(user_ids), 2000):
        chunk = [int(u) for u in user_ids[start : start + 2000]]
        rows.extend(
            Event.objects.filter(
                user_id__in=chunk, id__lte=max_event_id, kind__in=kinds, post_id__isnull=False
            )
            .values("user_id", "post_id")
            .annotate(last_at=Max("created_at"), last_id=Max("id"), first_id=Min("id"))
            .values_list("user_id", "post_id", "last_at", "last_id", "first_id")
        )
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), empty, empty
    users, posts, times, ids, firsts = zip(*rows, strict=True)
    return (
        np.array(users, dtype=np.int64),
        np.array(posts, dtype=np.int64),
        np.array([t.timestamp() for t in times], dtype=np.float64),
        np.array(ids, dtype=np.int64),
        np.array(firsts, dtype=np.int64),
    )


def split_holdout(
    interactions: InteractionMatrix,
    *,
    sample_users: int,
    fraction: float,
    seed: int,
    weights: MatrixWeights,
    after_event_id: int = 0,
) -> HoldOut:
    """Hold out each sampled person's most recent interactions, among those first made after
    `after_event_id` (the active version's data window: what it never saw)."""
    matrix = interactions.matrix.tocsr()
    matrix.sort_indices()
    n_items = matrix.shape[1]
    counts = np.diff(matrix.indptr)
    candidates = np.flatnonzero(counts >= 2)  # one to learn from, one to predict
    rng = np.random.default_rng(seed)
    size = min(sample_users, len(candidates))
    rows = np.sort(rng.choice(candidates, size=size, replace=False)) if size else candidates[:0]

    users, posts, times, ids, firsts = _latest_interactions(
        interactions.user_ids[rows], interactions.max_event_id, positive_kinds(weights)
    )
    # Map ids to matrix positions; drop posts the matrix left out (hidden, deleted...) and
    # interactions the active version learnt from.
    user_pos = np.searchsorted(interactions.user_ids[rows], users)
    cols = np.searchsorted(interactions.post_ids, posts)
    known = cols < len(interactions.post_ids)
    known[known] = interactions.post_ids[cols[known]] == posts[known]
    known &= firsts > after_event_id
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
    return HoldOut(
        train=train,
        rows=rows[evaluated],
        held=held[evaluated],
        after_event_id=after_event_id,
        max_event_id=interactions.max_event_id,
    )


@dataclass
class Scorer:
    """A version's item factors laid out in the hold-out's post columns (zeros for posts it
    does not know), and what folding a person in needs."""

    item_factors: np.ndarray  # hold-out posts x factors
    known: np.ndarray  # per hold-out post: does this version know it?
    gram: np.ndarray  # YᵀY over every post the version knows
    regularization: float
    alpha: float

    @classmethod
    def from_factors(cls, item_factors, *, regularization: float, alpha: float) -> "Scorer":
        """A version fitted on this very matrix (the challenger)."""
        factors = np.asarray(item_factors, dtype=np.float32)
        known = np.ones(len(factors), dtype=bool)
        return cls(factors, known, item_gram(factors), regularization, alpha)

    @classmethod
    def from_artifact(cls, model: FactorModel, post_ids: np.ndarray) -> "Scorer":
        """A stored version (the champion), mapped onto the hold-out's posts."""
        params = model.meta.get("params", {})
        all_factors = np.asarray(model.item_factors, dtype=np.float32)
        columns = model.post_cols(post_ids)
        known = columns >= 0
        factors = np.zeros((len(post_ids), all_factors.shape[1]), dtype=np.float32)
        factors[known] = all_factors[columns[known]]
        return cls(
            factors,
            known,
            item_gram(all_factors),
            float(params.get("regularization", 0.05)),
            float(params.get("alpha", 1.0)),
        )

    def vector(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray | None:
        keep = self.known[columns]
        if not keep.any():
            return None  # nothing to place this person by: no recommendations
        return solve_vector(
            self.gram, self.regularization, self.alpha, self.item_factors[columns[keep]],
            values[keep],
        )  # fmt: skip


def recommendations(scorer: Scorer, holdout: HoldOut, k: int = K) -> np.ndarray:
    """The version's top k unseen posts for each evaluated person, as serving would pick
    them (-1 where it has none): exact scores over every post, the top k selected by
    implicit's `topk` (a heap in C++, where numpy's argpartition over a million scores per
    person cost the evaluation most of its time)."""
    train, n_items = holdout.train, holdout.train.shape[1]
    out = np.full((len(holdout.rows), k), -1, dtype=np.int64)
    k = min(k, n_items)
    if not k:
        return out
    unknown = np.flatnonzero(~scorer.known).astype(np.int32)
    filtered = -np.finfo(np.float32).max  # the score topk gives a filtered post
    batch = max(1, min(100, 2**25 // n_items))  # 128 MB of scores at a time
    for start in range(0, len(holdout.rows), batch):
        rows = holdout.rows[start : start + batch]
        vectors = np.zeros((len(rows), scorer.item_factors.shape[1]), dtype=np.float32)
        placed = np.zeros(len(rows), dtype=bool)
        for i, row in enumerate(rows):
            lo, hi = train.indptr[row], train.indptr[row + 1]
            vector = scorer.vector(train.indices[lo:hi], train.data[lo:hi])
            if vector is not None:
                vectors[i], placed[i] = vector, True
        top, scores = topk(
            scorer.item_factors,
            vectors,
            k,
            filter_query_items=train[rows],  # what each person has already seen
            filter_items=unknown if len(unknown) else None,
            num_threads=1,
        )
        found = (scores > filtered) & placed[:, None]
        out[start : start + len(rows), :k] = np.where(found, top, -1)
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


def person_recalls(recommended: np.ndarray, held: sp.csr_matrix) -> np.ndarray:
    """Each person's recall@k: hits over min(held out, k)."""
    k = recommended.shape[1]
    recalls = np.zeros(len(recommended))
    for i in range(len(recommended)):
        truth = held.indices[held.indptr[i] : held.indptr[i + 1]]
        hits = np.isin(recommended[i], truth) & (recommended[i] >= 0)
        recalls[i] = hits.sum() / max(1, min(len(truth), k))
    return recalls


def ranking_metrics(recommended: np.ndarray, held: sp.csr_matrix, n_items: int) -> dict:
    """recall@k (hits over min(held out, k)), nDCG@k with binary relevance, and catalogue
    coverage (share of all posts that appear in anyone's top k)."""
    k = recommended.shape[1]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)
    ndcgs = []
    for i in range(len(recommended)):
        truth = held.indices[held.indptr[i] : held.indptr[i + 1]]
        if not len(truth):
            continue
        hits = np.isin(recommended[i], truth) & (recommended[i] >= 0)
        ndcgs.append((hits * discounts).sum() / ideal[min(len(truth), k) - 1])
    recalls = person_recalls(recommended, held)[np.diff(held.indptr) > 0]
    shown = np.unique(recommended[recommended >= 0])
    return {
        RECALL: round(float(np.mean(recalls)), 6) if len(recalls) else None,
        NDCG: round(float(np.mean(ndcgs)), 6) if ndcgs else None,
        "coverage": round(len(shown) / n_items, 6) if n_items else 0.0,
    }


def evaluate(
    challenger: Scorer,
    holdout: HoldOut,
    champion: Scorer | None = None,
    *,
    champion_ratio: float = 1.0,
) -> dict:
    """The new version, the popularity baseline and the active version (when there is one),
    on the same people and the same hold-out; with the paired 95% interval of (the new
    version's recall - champion_ratio x the active one's) over the people."""
    n_items = holdout.train.shape[1]
    ours = recommendations(challenger, holdout)
    metrics = {
        "k": K,
        "eval_users": len(holdout.rows),
        "held_out": holdout.held_out,
        "model": ranking_metrics(ours, holdout.held, n_items),
        "baseline": ranking_metrics(popularity_recommendations(holdout), holdout.held, n_items),
        "champion": None,
    }
    if champion is not None:
        theirs = recommendations(champion, holdout)
        metrics["champion"] = ranking_metrics(theirs, holdout.held, n_items)
        if len(holdout.rows) >= 2:
            low, high = gates.paired_interval(
                lambda a, b: np.mean(a) - champion_ratio * np.mean(b),
                person_recalls(ours, holdout.held),
                person_recalls(theirs, holdout.held),
            )
            metrics["champion"]["shortfall"] = [round(low, 6), round(high, 6)]
    return metrics


def quality_gate(
    metrics: dict,
    *,
    rules: gates.Rules,
    min_held_out: int,
    min_people: int,
    champion_version: int | None = None,
) -> gates.Verdict:
    """The shared gate on recall@20 (feeds.gates): enough held-out interactions from enough
    people, beat the popularity baseline, and not fall below `rules.champion_ratio` times the
    active version on the same hold-out."""
    champion = metrics.get("champion") or {}
    return gates.judge(
        evidence=[
            gates.Count("held-out interactions", metrics["held_out"], min_held_out),
            gates.Count("people", metrics["eval_users"], min_people),
        ],
        main=gates.Scores(
            RECALL,
            metrics["model"][RECALL],
            metrics["baseline"][RECALL],
            champion.get(RECALL),
            meaning="it recommends no better than showing everyone the most popular posts",
            shortfall=champion.get("shortfall"),
        ),
        baseline_name="the popularity baseline",
        rules=rules,
        champion_version=champion_version,
    )


def metric_rows(metrics: dict) -> list[tuple[str, float | None, float | None, float | None]]:
    """(metric, this version, popularity baseline, the active version then) on the same
    hold-out, for display side by side."""
    model = (metrics or {}).get("model") or {}
    baseline = (metrics or {}).get("baseline") or {}
    champion = (metrics or {}).get("champion") or {}
    return [
        (name, model.get(name), baseline.get(name), champion.get(name))
        for name in (RECALL, NDCG, "coverage")
    ]
