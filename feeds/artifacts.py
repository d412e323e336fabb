"""Model artifacts on disk: one folder per version under MODEL_ROOT, written whole or not at all.

    MODEL_ROOT/feed_als/v12/
        user_factors.npy   float32, users x factors
        item_factors.npy   float32, posts x factors
        user_ids.npy       int64, row -> user id
        post_ids.npy       int64, column -> post id
        meta.json          version, kind, params, max_event_id, created_at
        items.faiss        the feed model's index of its item factors (feeds.retrieval)
        fresh.npz          vectors of posts newer than the version (feeds.fresh_posts)

The folder is written under a temporary name and renamed when complete, so a reader never
sees half an artifact and a killed training leaves only a temporary folder behind. Factor
arrays are plain .npy files loaded with mmap_mode="r": every web worker on a machine shares
one copy through the page cache instead of holding its own.

With MODEL_BUCKET set, a finished folder is also uploaded to object storage, and a host that
does not have a version fetches it into its own MODEL_ROOT once (feeds.artifact_store).
"""

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from feeds import artifact_store
from feeds.npz_files import read_npz, write_npz

ARRAYS = ("user_factors", "item_factors", "user_ids", "post_ids")


def version_dir(kind: str, version_id: int) -> Path:
    return Path(settings.MODEL_ROOT) / kind / f"v{version_id}"


@dataclass
class FactorModel:
    version_id: int
    kind: str
    user_factors: np.ndarray
    item_factors: np.ndarray
    user_ids: np.ndarray
    post_ids: np.ndarray
    meta: dict

    @property
    def max_event_id(self) -> int:
        return int(self.meta.get("max_event_id", 0))

    def user_row(self, user_id: int) -> int | None:
        return _position(self.user_ids, user_id)

    def user_rows(self, user_ids: np.ndarray) -> np.ndarray:
        """Rows of many people at once; -1 for people the model does not know."""
        return _positions(self.user_ids, user_ids)

    def post_col(self, post_id: int) -> int | None:
        return _position(self.post_ids, post_id)

    def post_cols(self, post_ids: np.ndarray) -> np.ndarray:
        """Columns of many posts at once; -1 for posts the model does not know."""
        return _positions(self.post_ids, post_ids)


def _position(sorted_ids: np.ndarray, value: int) -> int | None:
    """Where an id sits in an ascending id map (the matrix builds them sorted), by binary
    search: no per-process dictionary of a million entries to build from the memory map."""
    index = int(np.searchsorted(sorted_ids, value))
    if index < len(sorted_ids) and int(sorted_ids[index]) == int(value):
        return index
    return None


def _positions(sorted_ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.int64)
    if not len(sorted_ids):
        return np.full(len(values), -1, dtype=np.int64)
    index = np.searchsorted(sorted_ids, values)
    clipped = np.minimum(index, len(sorted_ids) - 1)
    return np.where(np.asarray(sorted_ids[clipped]) == values, clipped, -1)


def save_factor_model(
    kind: str,
    version_id: int,
    *,
    user_factors,
    item_factors,
    user_ids,
    post_ids,
    meta: dict,
    extras: Callable[[Path, dict[str, np.ndarray]], None] | None = None,
) -> Path:
    """Write a factor model's artifact (`save_artifact`). `extras(folder, arrays)` writes
    more files beside the arrays (already ordered by id)."""
    # Rows ordered by id, so lookups are a binary search (see FactorModel.user_row).
    user_ids = np.asarray(user_ids, dtype=np.int64)
    post_ids = np.asarray(post_ids, dtype=np.int64)
    by_user = np.argsort(user_ids, kind="stable")
    by_post = np.argsort(post_ids, kind="stable")
    arrays = {
        "user_factors": np.ascontiguousarray(np.asarray(user_factors)[by_user], dtype=np.float32),
        "item_factors": np.ascontiguousarray(np.asarray(item_factors)[by_post], dtype=np.float32),
        "user_ids": user_ids[by_user],
        "post_ids": post_ids[by_post],
    }

    def write(folder: Path) -> None:
        for name, array in arrays.items():
            np.save(folder / f"{name}.npy", array)
        if extras is not None:
            extras(folder, arrays)

    return save_artifact(kind, version_id, meta=meta, write=write)


def save_artifact(kind: str, version_id: int, *, meta: dict, write: Callable[[Path], None]) -> Path:
    """Write a version's files (`write(folder)`, then meta.json) under a temporary name,
    then rename the folder into place and publish it."""
    final = version_dir(kind, version_id)
    temporary = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    write(temporary)
    (temporary / "meta.json").write_text(
        json.dumps({**meta, "version_id": version_id, "kind": kind}, default=str)
    )
    shutil.rmtree(final, ignore_errors=True)
    os.replace(temporary, final)
    artifact_store.publish(final)
    return final


def load_factor_model(path: str | Path) -> FactorModel:
    path = artifact_store.fetched(path)
    meta = json.loads((path / "meta.json").read_text())
    arrays = {name: np.load(path / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
    return FactorModel(version_id=int(meta["version_id"]), kind=meta["kind"], meta=meta, **arrays)


def delete_artifact(path: str | Path) -> None:
    if path:
        shutil.rmtree(path, ignore_errors=True)
        artifact_store.delete(path)


FRESH_ITEMS = "fresh.npz"


@dataclass(frozen=True)
class FreshItems:
    """Vectors for posts a version did not know, folded in after it (feeds.fresh_posts)."""

    post_ids: np.ndarray  # ascending
    item_factors: np.ndarray
    max_event_id: int  # every event up to this id was read


def save_fresh_items(folder, post_ids, item_factors, *, max_event_id: int) -> None:
    """Replace the version's side file whole (written under a temporary name, then renamed)
    on this host, and in object storage when artifacts live there."""
    local = artifact_store.fetched(folder)
    post_ids = np.asarray(post_ids, dtype=np.int64)
    order = np.argsort(post_ids, kind="stable")
    write_npz(
        local / FRESH_ITEMS,
        post_ids=post_ids[order],
        item_factors=np.asarray(item_factors, dtype=np.float32)[order],
        max_event_id=np.int64(max_event_id),
    )
    artifact_store.publish_file(local, FRESH_ITEMS)


def load_fresh_items(folder) -> FreshItems | None:
    """The version's side file, or None when there is none (or it cannot be read)."""
    try:
        path = artifact_store.fetched_file(folder, FRESH_ITEMS)
    except Exception:
        return None  # none here, and none in object storage
    data = read_npz(path, ("post_ids", "item_factors", "max_event_id"))
    if data is None:
        return None
    return FreshItems(
        post_ids=data["post_ids"],
        item_factors=data["item_factors"],
        max_event_id=int(data["max_event_id"]),
    )


def fresh_items_stamp(folder) -> int | None:
    """When the side file last changed (None without one): one stat, or one HEAD request to
    object storage, tells a web process whether to read it again."""
    return artifact_store.file_stamp(folder, FRESH_ITEMS)
