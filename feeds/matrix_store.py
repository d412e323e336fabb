"""The maintained interaction matrix: the last saved cells plus the events after them.

A retrain reads only the events after the newest saved cells (`feeds.matrix_cells`), adds
them, and makes the matrix; it then saves the cells up to the *settled* event id, the newest
event inserted more than FEED_MATRIX_SETTLE_SECONDS ago. Event ids are handed out when a row
is inserted but become visible when its transaction commits, so a slow transaction can still
add an event below the newest id seen; events that recent are read again by the next run
instead of being frozen into the saved cells, and nothing is missed or counted twice. The
insert's time is the server's (`recorded_at`, events migration 0002), not `created_at`, which
a beacon may set up to a day back: settling by it would freeze ids still in flight.

Saved cells are files under MODEL_ROOT/feed_als/cells/, named by the weights they were summed
with and their last event id, carrying what the event at that id was (`anchor`), written under
a temporary name and renamed: concurrent runs write identical files, a killed run leaves no
half file, and a run with other weights, a lost folder or another event log just starts from
empty cells, which is a full rebuild.
"""

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from events.roll_ups import settled_event_id
from feeds.matrix import InteractionMatrix, MatrixWeights, read_events
from feeds.matrix_cells import Cells, cells_from_events, matrix_from_cells, merge
from feeds.npz_files import read_npz, write_npz
from feeds.trainable_posts import trainable_ids

KEEP_FILES = 2


def _folder() -> Path:
    return Path(settings.MODEL_ROOT) / "feed_als" / "cells"


def weights_key(weights: MatrixWeights) -> str:
    return hashlib.sha256(json.dumps(asdict(weights), sort_keys=True).encode()).hexdigest()[:12]


def _files(weights: MatrixWeights) -> list[tuple[int, Path]]:
    """(last event id, file) of the saved cells for these weights, newest first."""
    prefix = f"cells-{weights_key(weights)}-"
    found = []
    for path in _folder().glob(f"{prefix}*.npz"):
        try:
            found.append((int(path.stem[len(prefix) :]), path))
        except ValueError:
            continue
    return sorted(found, reverse=True)


CELL_ARRAYS = ("keys", "sums", "newest", "reference", "anchor")


def load_cells(weights: MatrixWeights, up_to: int, oldest: str) -> Cells:
    """The newest saved cells no later than event `up_to` whose anchor still holds
    (`oldest`: oldest_event() at the start of this run); empty cells when there are none."""
    for last_id, path in _files(weights):
        if last_id > up_to:
            continue
        data = read_npz(path, CELL_ARRAYS)
        if data is None:
            continue  # unreadable: an older file or a rebuild will do
        if str(data["anchor"]) != anchor(last_id, oldest):
            continue  # summed from another event log, or before a pruning
        return Cells(
            keys=data["keys"],
            sums=data["sums"],
            newest=data["newest"],
            reference=float(data["reference"]),
            max_event_id=last_id,
        )
    return Cells.empty()


def oldest_event() -> str:
    """When the log's oldest event was made. The daily pruning (events.prune_events)
    deletes the oldest events, whose sums saved cells still hold: cells saved before it
    are not used after it, and the next retrain reads the log whole, as a rebuild would.
    Read once per run, before anything is read from the log, so a pruning that lands
    during the run leaves cells that the next run drops."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(created_at) FROM analytics_event")
        oldest = cursor.fetchone()[0]
    return "" if oldest is None else str(oldest)


def anchor(event_id: int, oldest: str) -> str | None:
    """What the event at a file's last id was, and `oldest`: saved cells are used only while
    both still hold (None when the event is gone: such cells are neither saved nor trusted).
    A MODEL_ROOT shared by two databases, or an event log reset under it, would otherwise
    hand one log's sums to another."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT user_id, post_id, kind, created_at FROM analytics_event WHERE id = %s",
            [event_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return f"{row[0]}:{row[1]}:{row[2]}:{row[3].isoformat()} from {oldest}"


def save_cells(cells: Cells, weights: MatrixWeights, oldest: str) -> None:
    cells_anchor = anchor(cells.max_event_id, oldest)
    if cells_anchor is None:
        return  # its last event went meanwhile (a person deleted): the next run sums again
    write_npz(
        _folder() / f"cells-{weights_key(weights)}-{cells.max_event_id}.npz",
        keys=cells.keys,
        sums=cells.sums,
        newest=cells.newest,
        reference=np.float64(cells.reference),
        anchor=np.str_(cells_anchor),
    )
    for _, old in _files(weights)[KEEP_FILES:]:
        old.unlink(missing_ok=True)


def maintain_interaction_matrix(
    weights: MatrixWeights, *, max_event_id: int, settle_seconds: float | None = None
) -> InteractionMatrix:
    """The same matrix as `build_interaction_matrix(weights, max_event_id=...)`, reading only
    the events after the newest saved cells; the cells up to the settled id are saved for
    the next run. `events` on the result counts the events read this time."""
    if settle_seconds is None:
        settle_seconds = settings.FEED_MATRIX_SETTLE_SECONDS
    oldest = oldest_event()
    settled = min(settled_event_id(max_event_id, settle_seconds), max_event_id)
    cells = load_cells(weights, settled, oldest)
    read = 0
    if settled > cells.max_event_id:
        older = read_events(weights, settled, after_id=cells.max_event_id)
        cells = merge(cells, cells_from_events(older, weights, settled), weights)
        save_cells(cells, weights, oldest)
        read += len(older[0])
    newer = read_events(weights, max_event_id, after_id=settled)
    trainable_users, trainable_posts = trainable_ids(settle_seconds)
    cells = merge(cells, cells_from_events(newer, weights, max_event_id), weights)
    read += len(newer[0])
    return matrix_from_cells(cells, weights, trainable_users, trainable_posts, events=read)
