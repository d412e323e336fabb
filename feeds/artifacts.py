"""Model artifacts on disk: one folder per version under MODEL_ROOT, written whole or not at all.

    MODEL_ROOT/feed_als/v12/
        user_factors.npy   float32, users x factors
        item_factors.npy   float32, posts x factors
        user_ids.npy       int64, row -> user id
        post_ids.npy       int64, column -> post id
        meta.json          version, kind, params, max_event_id, created_at

The folder is written under a temporary name and renamed when complete, so a reader never
sees half an artifact and a killed training leaves only a temporary folder behind. Factor
arrays are plain .npy files loaded with mmap_mode="r": every web worker on a machine shares
one copy through the page cache instead of holding its own.
"""

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

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
    _user_rows: dict | None = field(default=None, repr=False)
    _post_cols: dict | None = field(default=None, repr=False)

    @property
    def max_event_id(self) -> int:
        return int(self.meta.get("max_event_id", 0))

    def user_row(self, user_id: int) -> int | None:
        if self._user_rows is None:
            self._user_rows = {int(u): i for i, u in enumerate(self.user_ids)}
        return self._user_rows.get(int(user_id))

    def post_col(self, post_id: int) -> int | None:
        if self._post_cols is None:
            self._post_cols = {int(p): i for i, p in enumerate(self.post_ids)}
        return self._post_cols.get(int(post_id))


def save_factor_model(
    kind: str,
    version_id: int,
    *,
    user_factors,
    item_factors,
    user_ids,
    post_ids,
    meta: dict,
) -> Path:
    """Write the artifact under a temporary name, then rename it into place."""
    final = version_dir(kind, version_id)
    temporary = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    arrays = {
        "user_factors": np.ascontiguousarray(user_factors, dtype=np.float32),
        "item_factors": np.ascontiguousarray(item_factors, dtype=np.float32),
        "user_ids": np.asarray(user_ids, dtype=np.int64),
        "post_ids": np.asarray(post_ids, dtype=np.int64),
    }
    for name, array in arrays.items():
        np.save(temporary / f"{name}.npy", array)
    (temporary / "meta.json").write_text(
        json.dumps({**meta, "version_id": version_id, "kind": kind}, default=str)
    )
    shutil.rmtree(final, ignore_errors=True)
    os.replace(temporary, final)
    return final


def load_factor_model(path: str | Path) -> FactorModel:
    path = Path(path)
    meta = json.loads((path / "meta.json").read_text())
    arrays = {name: np.load(path / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
    return FactorModel(version_id=int(meta["version_id"]), kind=meta["kind"], meta=meta, **arrays)


def delete_artifact(path: str | Path) -> None:
    if path:
        shutil.rmtree(path, ignore_errors=True)
