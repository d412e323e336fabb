"""Small `.npz` state files (saved matrix cells, trainable posts, fresh post vectors) written
whole and read without trusting them.

Written under a temporary name, flushed to disk and renamed: a reader sees the old file or
the new one, never half of one, and a crash between the write and the rename leaves no
empty file under the real name. Read as a plain dict, or None when the file is missing or
damaged in any way (numpy raises EOFError or zipfile.BadZipFile, not only OSError, for a
cut file): the callers then rebuild what the file held.
"""

import os
from pathlib import Path

import numpy as np


def write_npz(path: Path, **arrays) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_npz(path: Path, names: tuple[str, ...]) -> dict | None:
    """The named arrays, loaded into memory; None when any is missing or unreadable."""
    try:
        with np.load(path) as data:
            return {name: data[name] for name in names}
    except Exception:
        return None
