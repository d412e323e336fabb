"""The model's candidates: maximum inner product search over the item factors.

A version's artifact carries an index of its item factors (`index/`), built by the training
run right after the fit. Web processes open it memory-mapped, so every gunicorn worker on a
machine shares one copy through the page cache, as they share the factor arrays.

The index is norm-ranged (after Yan et al., "Norm-Ranging LSH for Maximum Inner Product
Search", 2018). Items are sorted by the length of their factor vector: the head (the longest
1%, where nearly all of anyone's top 200 lives, since popular posts get long vectors) is
scanned exactly; the rest is cut into ranges of falling length, each a faiss IVF-Flat index
over its items put on a sphere by one extra coordinate, sqrt(M^2 - |y|^2) with M the range's
own longest vector, where the nearest neighbours of (x, 0) are exactly the items of largest
inner product with x. A query walks the ranges in order and stops as soon as a range's
longest vector times the query's cannot beat the k-th best score found: that pruning is
exact, so most queries never leave the head.

Why faiss, and this shape (docs/architecture.md has the measurements):
- faiss reads an IVF index with `IO_FLAG_MMAP`: its inverted lists (all the vectors) stay in
  the file, mapped; only the coarse centroids live in each process. Its HNSW indexes map
  only their vector storage (`IO_FLAG_MMAP_IFC`), the graph is copied into every worker;
  hnswlib loads everything into each process.
- One IVF index over all items, even after the sphere transform, found a tenth of the exact
  top 200 on the bench world: with lengths from 0.03 to 44, the extra coordinate swamps
  every direction. Ranges of similar length keep the transform honest.
- Building it is a k-means on a sample and one assignment pass per range: seconds for a
  million items, next to a fit of half a minute.

`retrieve` merges the index's answer with other sources of (post id, score) pairs, best
first, so small side sources (the newest items' vectors, scanned exactly) can stand beside
it. Its exact counterpart, `ExactSource`, scores every item: the yardstick for recall, and
the fallback for artifacts without an index.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import numpy as np

from feeds import artifact_store

log = logging.getLogger(__name__)

INDEX_DIR = "index"
# The head: the items of largest norm, scanned exactly (most of any top 200 lives there).
HEAD_SHARE, MIN_HEAD, MAX_HEAD = 0.01, 1000, 20000
# The rest, by falling norm, in ranges of these shares of all items, each its own IVF index.
TAIL_SHARES = (0.04, 0.15, 0.30, 0.50)
LISTS_PER_SQRT = 1  # lists of an IVF index: about sqrt(its items)
PROBE_SHARE, MIN_PROBES = 0.05, 8  # a query visits this share of each range's lists
# ... and never fewer lists than hold this many items: on a small catalogue a share of the
# lists is a few dozen items, and recall fell to 0.89 on a 24,000-post world, where scanning
# a range whole costs microseconds. On large ones the share is more than this already.
MIN_SCANNED = 4000
TRAIN_SAMPLE, KMEANS_ITERATIONS = 32, 8  # k-means points per list, and rounds


def faiss_library():
    import faiss  # imported on use: processes that never serve the model do not load it

    faiss.omp_set_num_threads(1)  # gunicorn threads and Celery processes are the parallelism
    return faiss


def _augmented(factors: np.ndarray, radius: float) -> np.ndarray:
    """Items on the sphere of `radius`: (y, sqrt(radius^2 - |y|^2))."""
    factors = np.ascontiguousarray(factors, dtype=np.float32)
    norms = np.einsum("ij,ij->i", factors, factors)
    extra = np.sqrt(np.maximum(radius * radius - norms, 0.0)).astype(np.float32)
    return np.hstack([factors, extra[:, None]])


def _ivf(items: np.ndarray, seed: int):
    """An IVF-Flat index (L2 over items augmented onto a sphere) for inner-product queries."""
    faiss = faiss_library()
    count, dimensions = items.shape
    radius = float(np.sqrt(np.max(np.einsum("ij,ij->i", items, items), initial=0.0)))
    augmented = _augmented(items, radius)
    lists = max(1, min(int(LISTS_PER_SQRT * np.sqrt(count)), count // 8 or 1))
    index = faiss.IndexIVFFlat(faiss.IndexFlatL2(dimensions + 1), dimensions + 1, lists)
    index.cp.niter = KMEANS_ITERATIONS
    index.cp.seed = seed
    index.cp.max_points_per_centroid = TRAIN_SAMPLE
    index.cp.min_points_per_centroid = 1
    rng = np.random.default_rng(seed)
    index.train(augmented[rng.choice(count, min(count, lists * TRAIN_SAMPLE), replace=False)])
    index.add(augmented)  # faiss ids: positions within this range
    return index


def probes_for(lists: int, items: int) -> int:
    per_list = max(items / max(lists, 1), 1.0)
    wanted = max(MIN_PROBES, round(PROBE_SHARE * lists), int(np.ceil(MIN_SCANNED / per_list)))
    return int(min(lists, wanted))


def write_index(item_factors: np.ndarray, folder: Path, *, seed: int = 1) -> None:
    """Build the norm-ranged index of these item factors into `folder`/index:
    `columns.npy` (item columns by falling norm), `head.npy` (the head's factors, scanned
    exactly), `range-N.faiss` (one IVF index per range of the rest) and `ranges.json`."""
    faiss = faiss_library()
    target = Path(folder) / INDEX_DIR
    target.mkdir(parents=True, exist_ok=True)
    factors = np.asarray(item_factors, dtype=np.float32)
    count = len(factors)
    norms = np.sqrt(np.einsum("ij,ij->i", factors, factors))
    columns = np.argsort(-norms, kind="stable").astype(np.int64)
    head = int(min(count, max(MIN_HEAD, min(MAX_HEAD, HEAD_SHARE * count))))
    np.save(target / "columns.npy", columns)
    ranks = np.empty(count, dtype=np.int64)
    ranks[columns] = np.arange(count)
    np.save(target / "ranks.npy", ranks)  # an item column's place in `columns`
    np.save(target / "head.npy", np.ascontiguousarray(factors[columns[:head]]))
    ranges, start = [], head
    for share in TAIL_SHARES:
        end = count if share == TAIL_SHARES[-1] else min(count, start + int(share * count))
        if end <= start:
            continue
        name = f"range-{len(ranges)}.faiss"
        faiss.write_index(_ivf(factors[columns[start:end]], seed), str(target / name))
        ranges.append(
            {"file": name, "start": start, "end": end, "max_norm": float(norms[columns[start]])}
        )
        start = end
    (target / "ranges.json").write_text(json.dumps({"head": head, "ranges": ranges}))


class NormRangedIndex:
    """Maximum inner product search over items split by norm (as in norm-ranging LSH): the
    head exactly, each further range through its IVF index, and a range is skipped when its
    largest norm times the query's cannot beat the k-th best score found so far (exact
    pruning: most queries never leave the head)."""

    def __init__(self, folder: Path):
        faiss = faiss_library()
        folder = Path(folder)
        layout = json.loads((folder / "ranges.json").read_text())
        self.columns = np.load(folder / "columns.npy", mmap_mode="r")
        self.ranks = np.load(folder / "ranks.npy", mmap_mode="r")
        self.head = np.load(folder / "head.npy", mmap_mode="r")
        self.ranges = []
        for entry in layout["ranges"]:
            flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY
            index = faiss.read_index(str(folder / entry["file"]), flags)
            index.nprobe = probes_for(index.nlist, index.ntotal)
            # Mapped lists are "on disk" to faiss, which would start 32 threads per search
            # to prefetch them: ten times the search itself. The page cache holds them.
            faiss.downcast_InvertedLists(index.invlists).prefetch_nthread = 0
            self.ranges.append((index, entry["start"], entry["max_norm"]))

    def search(self, vector: np.ndarray, k: int, item_factors, exclude: np.ndarray):
        """(item columns, exact scores) of the best k found, unordered, leaving out the
        `exclude`d item columns."""
        vector = np.asarray(vector, dtype=np.float32)
        excluded = np.sort(np.asarray(self.ranks[exclude])) if len(exclude) else exclude
        head = len(self.head)
        columns = [np.asarray(self.columns[:head])]
        scores = [np.asarray(self.head @ vector, dtype=np.float32)]
        scores[0][excluded[excluded < head]] = -np.inf
        threshold = _kth_best(scores[0], k)
        length = float(np.linalg.norm(vector))
        query = np.zeros((1, len(vector) + 1), dtype=np.float32)
        query[0, :-1] = vector
        for index, start, max_norm in self.ranges:
            if max_norm * length <= threshold:
                break  # nothing from here down can enter the top k
            mine = excluded[(excluded >= start) & (excluded < start + index.ntotal)] - start
            _, positions = index.search(query, int(min(k + len(mine), index.ntotal)))
            positions = positions[0][positions[0] >= 0]
            positions = np.sort(positions[~np.isin(positions, mine)]) + start
            found = np.asarray(self.columns[positions])
            columns.append(found)
            scores.append(np.asarray(item_factors[found] @ vector, dtype=np.float32))
            threshold = max(threshold, _kth_best(scores[-1], k))
        columns, scores = np.concatenate(columns), np.concatenate(scores)
        if len(scores) > k:
            best = np.argpartition(-scores, k - 1)[:k]
            columns, scores = columns[best], scores[best]
        return columns, scores


def _kth_best(scores: np.ndarray, k: int) -> float:
    return float(np.partition(scores, -k)[-k]) if 0 < k <= len(scores) else -np.inf


def load_index(folder: Path) -> NormRangedIndex | None:
    """The version's index, memory-mapped and read-only; None when the artifact has none.
    A version that is not on this host is fetched from object storage first."""
    path = Path(folder) / INDEX_DIR
    if not (path / "ranges.json").exists():
        path = artifact_store.fetched(folder) / INDEX_DIR
    return NormRangedIndex(path) if (path / "ranges.json").exists() else None


class Source(Protocol):
    """Anything that can answer "the best k posts for this vector" with real scores."""

    def search(
        self, vector: np.ndarray, k: int, exclude: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(post ids, scores) of the best k posts for the vector, none of `exclude`."""


class IndexSource:
    """The approximate index over a version's item factors."""

    def __init__(self, index: NormRangedIndex, post_ids: np.ndarray, item_factors: np.ndarray):
        self.index, self.post_ids, self.item_factors = index, post_ids, item_factors

    def search(self, vector, k, exclude):
        columns = _columns(self.post_ids, exclude)
        columns, scores = self.index.search(vector, int(k), self.item_factors, columns)
        return np.asarray(self.post_ids[columns], dtype=np.int64), scores


class ExactSource:
    """Every item scored: the yardstick, and the way without an index."""

    def __init__(self, post_ids: np.ndarray, item_factors: np.ndarray):
        self.post_ids, self.item_factors = post_ids, item_factors

    def search(self, vector, k, exclude):
        scores = np.asarray(self.item_factors @ vector, dtype=np.float32)
        scores[_columns(self.post_ids, exclude)] = -np.inf
        k = min(int(k), len(scores))
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        top = np.argpartition(-scores, k - 1)[:k]
        return np.asarray(self.post_ids[top], dtype=np.int64), scores[top]


def _columns(post_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The columns of the `wanted` post ids that the (ascending) id map knows."""
    if not len(wanted) or not len(post_ids):
        return np.empty(0, dtype=np.int64)
    index = np.minimum(np.searchsorted(post_ids, wanted), len(post_ids) - 1)
    return index[np.asarray(post_ids[index]) == wanted]


def retrieve(
    vector: np.ndarray, sources: Iterable[Source], *, exclude: Iterable[int] = (), limit: int
) -> list[tuple[int, float]]:
    """The best `limit` (post id, score) pairs over every source, best first, without the
    excluded posts; a post found by two sources counts once."""
    excluded = np.unique(np.fromiter(exclude, dtype=np.int64))
    found_ids, found_scores = [], []
    for source in sources:
        post_ids, scores = source.search(vector, limit, excluded)
        found_ids.append(post_ids)
        found_scores.append(scores)
    if not found_ids:
        return []
    post_ids = np.concatenate(found_ids)
    scores = np.concatenate(found_scores)
    keep = np.isfinite(scores)
    post_ids, scores = post_ids[keep], scores[keep]
    order = np.lexsort((-post_ids, -scores))  # best first; ties: the newer post
    post_ids, scores = post_ids[order], scores[order]
    _, first = np.unique(post_ids, return_index=True)
    first.sort()
    post_ids, scores = post_ids[first][:limit], scores[first][:limit]
    return list(zip(post_ids.tolist(), scores.tolist(), strict=True))
