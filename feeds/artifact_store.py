"""Where model artifacts travel between machines.

By default (embedded, one machine) an artifact is its folder under MODEL_ROOT and nothing
more. With MODEL_BUCKET set, the worker that trained a version also uploads its folder to
S3-compatible object storage (django-storages' S3 backend: AWS S3, MinIO, ...), and a web
process on any machine fetches a version's files once into its own MODEL_ROOT, the local
cache, and memory-maps them from there as before (feeds.artifacts).

Both directions keep the rule "whole or not at all": the upload writes meta.json last, so a
version whose meta.json is in the bucket is complete; a download goes into a temporary folder
and is renamed into place only once every file arrived at its full size, so an interrupted
download is never used (its leftovers are removed and the next load starts over).
"""

import logging
import os
import shutil
import threading
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages

log = logging.getLogger(__name__)
META = "meta.json"


def remote():
    """The object storage of artifacts, or None when they stay in the local folder."""
    return storages["models"] if settings.MODEL_BUCKET else None


def _prefix(folder: Path) -> str:
    # MODEL_ROOT/<kind>/v<id>: the same name in the bucket, whatever MODEL_ROOT is on a host.
    return f"{folder.parent.name}/{folder.name}"


def local_folder(path: str | Path) -> Path:
    """Where this host keeps (or will keep) the artifact stored at `path` on another host."""
    path = Path(path)
    return Path(settings.MODEL_ROOT) / path.parent.name / path.name


def publish(folder: Path) -> None:
    """Upload a complete artifact folder, meta.json last (its presence marks it complete)."""
    store = remote()
    if store is None:
        return
    files = sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.name == META)
    for path in files:
        with path.open("rb") as content:
            store.save(f"{_prefix(folder)}/{path.relative_to(folder).as_posix()}", File(content))


def exists(path: str | Path) -> bool:
    if not path:
        return False
    if (Path(path) / META).exists() or (local_folder(path) / META).exists():
        return True
    store = remote()
    return store is not None and store.exists(f"{_prefix(Path(path))}/{META}")


def fetched(path: str | Path) -> Path:
    """The artifact's folder on this host: as it is when here, else downloaded once from
    object storage into MODEL_ROOT. Raises FileNotFoundError when it is nowhere, and the
    storage's error when a download fails (nothing of it is left behind)."""
    path = Path(path)
    if (path / META).exists():
        return path
    local = local_folder(path)
    if (local / META).exists():
        return local
    store = remote()
    if store is None or not store.exists(f"{_prefix(path)}/{META}"):
        raise FileNotFoundError(f"no artifact at {path}, locally or in object storage")
    temporary = local.with_name(f"{local.name}.download-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        for key in _keys(store, _prefix(path)):
            target = temporary / key[len(_prefix(path)) + 1 :]
            target.parent.mkdir(parents=True, exist_ok=True)
            with store.open(key, "rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            if target.stat().st_size != store.size(key):
                raise OSError(f"{key}: download incomplete")
        try:
            os.replace(temporary, local)
        except OSError:
            if not (local / META).exists():  # not another process's complete copy: a failure
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    log.info("fetched artifact %s into %s", _prefix(path), local)
    return local


def delete(path: str | Path) -> None:
    """Remove a pruned artifact from object storage (local folders are the caller's)."""
    store = remote()
    if store is None or not path:
        return
    for key in _keys(store, _prefix(Path(path))):
        store.delete(key)


def _keys(store, prefix: str) -> list[str]:
    folders, files = store.listdir(prefix)
    keys = [f"{prefix}/{name}" for name in files]
    for folder in folders:
        keys += _keys(store, f"{prefix}/{folder}")
    return keys


def publish_file(folder: Path, name: str) -> None:
    """Upload (overwrite) one file of a published artifact that changes after publishing:
    the fresh-posts side file (feeds.fresh_posts)."""
    store = remote()
    if store is None:
        return
    with (Path(folder) / name).open("rb") as content:
        store.save(f"{_prefix(Path(folder))}/{name}", File(content))


def file_stamp(path: str | Path, name: str) -> int | None:
    """When one file of an artifact last changed, in ns (None when there is none): the
    bucket's copy with object storage (one HEAD request), else the local file."""
    store = remote()
    try:
        if store is None:
            return (Path(path) / name).stat().st_mtime_ns
        return int(store.get_modified_time(f"{_prefix(Path(path))}/{name}").timestamp() * 1e9)
    except (OSError, FileNotFoundError):
        return None
    except Exception as error:  # the storage's own "not found" or connection errors
        log.warning("cannot look at %s of %s: %s", name, path, error)
        return None


def fetched_file(path: str | Path, name: str) -> Path:
    """This host's copy of one changing file of an artifact: downloaded whole (temporary
    name, size checked, renamed) when object storage holds the artifact."""
    store = remote()
    if store is None:
        return Path(path) / name
    key = f"{_prefix(Path(path))}/{name}"
    local = local_folder(path)
    local.mkdir(parents=True, exist_ok=True)
    temporary = local / f".{name}.download-{os.getpid()}-{threading.get_ident()}"
    try:
        with store.open(key, "rb") as source, temporary.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        if temporary.stat().st_size != store.size(key):
            raise OSError(f"{key}: download incomplete")
        os.replace(temporary, local / name)
    finally:
        temporary.unlink(missing_ok=True)
    return local / name
