"""New posts in the active model within a minute, before any retrain.

A version knows the posts that had interactions up to its `max_event_id`; a post made (or
first liked) after that has no vector, so until the next retrain only the "fresh" source
could show it. Every 30 s the task `feeds.fold_in_fresh_posts` reads the events since the
version, and gives each post the version does not know a vector with the least-squares step
ALS itself takes for an item (implicit's `recalculate_item`, which `partial_fit_items` uses,
against the version's fixed user factors), from the people the version knows who engaged
with it. People the version does not know are folded in at request time from their own
history (feeds.serving); a post only such people engaged with waits for the next retrain.

The vectors go to `fresh.npz` (feeds.artifacts) beside the version's artifact: a side file,
not a new version, because the version's factors, index and evaluation stay what its gate
judged, and a web process picks the file up with one stat every few seconds (feeds.serving)
instead of loading a whole artifact. The next retrain learns the posts properly and its
artifact starts with no side file. The file is rewritten whole (temporary name, then rename)
each time something happened, so a reader never sees half of it.
"""

import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from feeds import registry
from feeds.artifacts import FactorModel, load_factor_model, load_fresh_items, save_fresh_items
from feeds.matrix import MatrixWeights, latest_event_id, read_events
from feeds.matrix_cells import cells_from_events, matrix_from_cells
from feeds.models import ModelKind
from feeds.trainable_posts import trainable_ids


def new_post_vectors(model: FactorModel, up_to: int) -> tuple[np.ndarray, np.ndarray]:
    """(post ids, vectors) of the posts `model` does not know that people it knows engaged
    with, from the events after its data window up to event `up_to`: implicit's own
    least-squares step for items (`recalculate_item`) against the version's user factors."""
    weights = MatrixWeights(**model.meta.get("weights", {}))
    params = model.meta.get("params", {})
    events = read_events(weights, up_to, after_id=model.max_event_id)
    trainable_users, trainable_posts = trainable_ids()
    known_users = np.intersect1d(trainable_users, model.user_ids, assume_unique=True)
    new_posts = np.setdiff1d(trainable_posts, model.post_ids, assume_unique=True)
    cells = cells_from_events(events, weights, up_to)
    fresh = matrix_from_cells(cells, weights, known_users, new_posts, events=len(events[0]))
    # Posts x the version's people: the rows implicit's item step reads.
    by_post = fresh.matrix.T.tocsr()
    engaged = np.diff(by_post.indptr) > 0  # a like and its unlike cancel to nothing
    by_post = by_post[engaged]
    by_post.indices = model.user_rows(fresh.user_ids)[by_post.indices].astype(np.int32)
    by_post = sp.csr_matrix(
        (by_post.data, by_post.indices, by_post.indptr),
        shape=(by_post.shape[0], len(model.user_ids)),
    )
    post_ids = fresh.post_ids[engaged]
    if not len(post_ids):
        return post_ids, np.empty((0, model.user_factors.shape[1]), dtype=np.float32)
    with threadpool_limits(1, "blas"):  # implicit checks the BLAS threads when built
        als = AlternatingLeastSquares(
            factors=model.user_factors.shape[1],
            regularization=float(params.get("regularization", 0.05)),
            alpha=float(params.get("alpha", 1.0)),
        )
        als.user_factors = np.array(model.user_factors, dtype=np.float32)  # implicit writes it
        vectors = als.recalculate_item(np.arange(len(post_ids)), by_post)
    return post_ids, np.asarray(vectors, dtype=np.float32)


def fold_in_fresh_posts() -> int:
    """Refresh the active feed version's side file; the number of posts it holds. Cheap when
    nothing happened: one look at the newest event id against the file's watermark."""
    active = registry.active_version(ModelKind.FEED_ALS)
    if active is None or not active.artifact_path:
        return 0
    newest = latest_event_id()
    current = load_fresh_items(active.artifact_path)
    if current is not None and current.max_event_id >= newest:
        return len(current.post_ids)
    model = load_factor_model(active.artifact_path)
    if newest <= model.max_event_id:
        return 0
    post_ids, vectors = new_post_vectors(model, newest)
    save_fresh_items(active.artifact_path, post_ids, vectors, max_event_id=newest)
    return len(post_ids)
