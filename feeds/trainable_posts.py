"""The posts the recommender may train on, kept current from what changed instead of read whole.

Reading every post with its flags and its author's (feeds.matrix.TRAINABLE_POSTS_SQL) scans
the post table: a quarter of a second on the bench world's million posts, in every retrain
and every fold-in of fresh posts, however little changed. A post stops or starts being
trainable in four ways, each read here without a scan:
- it is made: the ids above the saved watermark (the primary key);
- it is deleted: `feeds_posttombstone`, written by a trigger on the post table for every
  delete, cascades included (feeds.models.PostTombstone);
- it is hidden by a moderator, or its author is suspended: few, read whole through partial
  indexes (`post_hidden`, `user_inactive`) every time, so unhiding and reinstating are seen.

The state saved under MODEL_ROOT is the ids of the posts that existed up to the watermark,
with what the post at the watermark was (`anchor`, as feeds.matrix_store's cells have).
As with the event log (feeds.matrix_store), an id is handed out at insert but visible at
commit, so the watermark moves only up to posts older than FEED_MATRIX_SETTLE_SECONDS, and
tombstones are read from that long before the state was read. A state older than
TOMBSTONE_DAYS (tombstones are pruned after that), unreadable, or from another post table
(its anchor post is not there) is dropped, and the posts are read whole, which is also what
the first run does.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from feeds import matrix
from feeds.matrix import TRAINABLE_USERS_SQL, copy_ids, member_mask
from feeds.models import PostTombstone

TOMBSTONE_DAYS = 7
EXCLUDED_POSTS_SQL = (
    "SELECT id FROM social_post WHERE is_hidden UNION ALL "
    "SELECT p.id FROM accounts_user a JOIN social_post p ON p.author_id = a.id "
    "WHERE NOT a.is_active"
)


@dataclass
class SavedPosts:
    ids: np.ndarray  # int64, ascending: the posts that existed up to `watermark`
    watermark: int  # every post up to this id had committed when the state was read
    read_at: float  # the database's clock (Unix time) when the state was read
    anchor: str  # what the post at `watermark` was

    @classmethod
    def nothing(cls) -> "SavedPosts":
        return cls(np.empty(0, np.int64), 0, 0.0, "")


def _path() -> Path:
    return Path(settings.MODEL_ROOT) / "feed_als" / "posts.npz"


def anchor(post_id: int) -> str:
    """What the post at a state's watermark was: a MODEL_ROOT shared by two databases, or a
    post table emptied under it, would otherwise hand one table's posts to another."""
    if not post_id:
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT author_id, created_at FROM social_post WHERE id = %s", [post_id])
        row = cursor.fetchone()
    return "gone" if row is None else f"{post_id}:{row[0]}:{row[1].isoformat()}"


def load_saved() -> SavedPosts:
    try:
        with np.load(_path()) as data:
            return SavedPosts(
                ids=data["ids"],
                watermark=int(data["watermark"]),
                read_at=float(data["read_at"]),
                anchor=str(data["anchor"]),
            )
    except (OSError, ValueError, KeyError):
        return SavedPosts.nothing()


def save(state: SavedPosts) -> None:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        np.savez(
            handle,
            ids=state.ids,
            watermark=np.int64(state.watermark),
            read_at=np.float64(state.read_at),
            anchor=np.str_(state.anchor),
        )
    os.replace(temporary, path)


def _clock() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT extract(epoch FROM now())::float8")
        return float(cursor.fetchone()[0])


def _settled_post_id(after: int, before: float) -> int:
    """The newest post id above `after` made before Unix time `before`, else `after`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(MAX(id), %s) FROM social_post WHERE id > %s "
            "AND created_at < to_timestamp(%s)",
            [after, after, before],
        )
        return int(cursor.fetchone()[0])


def trainable_ids(settle_seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """feeds.matrix.trainable_ids, with the posts kept current (on PostgreSQL)."""
    if connection.vendor != "postgresql":
        return matrix.trainable_ids()
    return copy_ids(TRAINABLE_USERS_SQL), trainable_posts(settle_seconds)


def trainable_posts(settle_seconds: float | None = None) -> np.ndarray:
    """The ids of the posts that may be trained on now, ascending: what
    feeds.matrix.TRAINABLE_POSTS_SQL reads, from the saved state and what changed since."""
    if settle_seconds is None:
        settle_seconds = settings.FEED_MATRIX_SETTLE_SECONDS
    now, saved = _clock(), load_saved()
    tombstones_from = saved.read_at - settle_seconds
    if saved.anchor != anchor(saved.watermark) or tombstones_from < now - TOMBSTONE_DAYS * 86400:
        saved = SavedPosts.nothing()  # a pruned tombstone may be missing: read whole
        tombstones_from = 0.0
    made = np.sort(copy_ids(f"SELECT id FROM social_post WHERE id > {int(saved.watermark)}"))
    gone = copy_ids(
        "SELECT post_id AS id FROM feeds_posttombstone "
        f"WHERE deleted_at >= to_timestamp({float(tombstones_from)})"
    )
    existing = np.concatenate((saved.ids, made))  # ascending: made ids are above the old
    if len(gone):
        existing = existing[~member_mask(existing, gone)]
    watermark = _settled_post_id(int(saved.watermark), now - settle_seconds)
    if watermark != saved.watermark or len(gone):
        kept = existing[: np.searchsorted(existing, watermark, side="right")]
        save(SavedPosts(kept, watermark, now, anchor(watermark)))
    excluded = copy_ids(EXCLUDED_POSTS_SQL)
    return existing[~member_mask(existing, excluded)] if len(excluded) else existing


def prune_tombstones() -> int:
    """Delete tombstones no saved state can still need."""
    cutoff = timezone.now() - timezone.timedelta(days=TOMBSTONE_DAYS)
    deleted, _ = PostTombstone.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted
