"""The confidence matrix as aggregated cells, which can be kept current instead of rebuilt.

A cell is one (person, post) pair with the signed sum of its events' confidences: a like and
its unlike cancel, so the sum may be 0 or negative until the matrix is made. Cells are kept
for every person and post, excluded or not: who may be trained on changes (opt-outs,
suspensions, hidden and deleted posts), so exclusions are applied only when a matrix is made,
exactly as the full rebuild (`feeds.matrix.build_interaction_matrix`) applies them.

With time decay every sum is decayed to one `reference` time. Moving the reference later is
one global rescale (exponential decay multiplies), so adding newer events keeps every sum
exact; each cell also keeps its newest event's time, because the full rebuild decays from the
newest event it keeps, which depends on the exclusions of the day.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from feeds.matrix import (
    InteractionMatrix,
    MatrixWeights,
    dense_index,
    event_weights,
    member_mask,
)

ID_BITS = 32  # a cell's key is person id << 32 | post id, so one sort orders both
ID_LIMIT = 1 << ID_BITS
NO_TIMES = np.empty(0, dtype=np.float64)


@dataclass
class Cells:
    keys: np.ndarray  # int64, ascending: person id << 32 | post id
    sums: np.ndarray  # float64 signed confidence, decayed to `reference` (with decay)
    newest: np.ndarray  # float64 Unix time of each cell's newest event (with decay only)
    reference: float  # the time sums are decayed to; 0 without decay
    max_event_id: int  # every event up to this id is in the sums

    @classmethod
    def empty(cls, max_event_id: int = 0) -> "Cells":
        return cls(np.empty(0, np.int64), np.empty(0), NO_TIMES, 0.0, max_event_id)

    def __len__(self) -> int:
        return len(self.keys)


def _rescaled(cells: Cells, reference: float, weights: MatrixWeights) -> np.ndarray:
    if not weights.half_life_days or cells.reference == reference:
        return cells.sums
    age_days = (reference - cells.reference) / 86400.0
    return cells.sums * np.power(0.5, age_days / weights.half_life_days)


def cells_from_events(events, weights: MatrixWeights, max_event_id: int) -> Cells:
    """Aggregate event columns (user, post, kind, dwell, time) into cells."""
    users, posts, kinds, dwell, times = events
    if not len(users):
        return Cells.empty(max_event_id)
    if users.max() >= ID_LIMIT or posts.max() >= ID_LIMIT:
        raise ValueError("person and post ids must stay below 2**32 for the matrix cells")
    decays = bool(weights.half_life_days)
    reference = float(times.max()) if decays else 0.0
    values = event_weights(kinds, dwell, times, weights, newest=reference if decays else None)
    keys = (users.astype(np.int64) << ID_BITS) | posts.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    newest = np.maximum.reduceat(times[order], starts) if decays else NO_TIMES
    sums = np.add.reduceat(values[order], starts)
    return Cells(keys[starts], sums, newest, reference, max_event_id)


def merge(old: Cells, new: Cells, weights: MatrixWeights) -> Cells:
    """`old` plus the events of `new` (which come after it): matching cells add up, the rest
    are inserted in order. Linear in the cells, with no sort of the old ones."""
    if not len(new):
        return Cells(old.keys, old.sums, old.newest, old.reference, new.max_event_id)
    reference = max(old.reference, new.reference)
    old_sums, new_sums = _rescaled(old, reference, weights), _rescaled(new, reference, weights)
    at = np.searchsorted(old.keys, new.keys)
    found = at < len(old.keys)
    found[found] = old.keys[at[found]] == new.keys[found]
    sums = np.array(old_sums, dtype=np.float64, copy=True)
    sums[at[found]] += new_sums[found]
    decays = bool(weights.half_life_days)
    newest = np.array(old.newest, copy=True)
    if decays:
        newest[at[found]] = np.maximum(newest[at[found]], new.newest[found])
    fresh, where = ~found, at[~found]
    return Cells(
        keys=np.insert(old.keys, where, new.keys[fresh]),
        sums=np.insert(sums, where, new_sums[fresh]),
        newest=np.insert(newest, where, new.newest[fresh]) if decays else NO_TIMES,
        reference=reference,
        max_event_id=new.max_event_id,
    )


def matrix_from_cells(
    cells: Cells,
    weights: MatrixWeights,
    trainable_users: np.ndarray,
    trainable_posts: np.ndarray,
    *,
    events: int,
) -> InteractionMatrix:
    """The matrix the full rebuild would make from the same events: excluded people and
    posts dropped, decay counted from the newest kept event, sums clipped at 0."""
    users, posts = cells.keys >> ID_BITS, cells.keys & (ID_LIMIT - 1)
    keep = member_mask(users, trainable_users) & member_mask(posts, trainable_posts)
    values = cells.sums[keep]
    if weights.half_life_days and keep.any():
        age_days = (cells.newest[keep].max() - cells.reference) / 86400.0
        values = values * np.power(0.5, age_days / weights.half_life_days)
    # Cells are sorted by (person, post), so they already are the CSR layout: no conversion,
    # and each person's row starts where their id first appears.
    users = users[keep]
    starts = np.flatnonzero(np.diff(users, prepend=-1))  # ids are never negative
    user_ids = users[starts]
    indptr = np.append(starts, len(users)).astype(np.int64)
    post_ids, cols = dense_index(posts[keep])
    index_type = np.int32 if len(cols) < np.iinfo(np.int32).max else np.int64
    matrix = sp.csr_matrix(
        (
            np.clip(values, 0, None).astype(np.float32),
            cols.astype(index_type),
            indptr.astype(index_type),
        ),
        shape=(len(user_ids), len(post_ids)),
    )
    matrix.eliminate_zeros()
    return InteractionMatrix(
        matrix=matrix,
        user_ids=user_ids,
        post_ids=post_ids,
        max_event_id=cells.max_event_id,
        events=events,
    )
