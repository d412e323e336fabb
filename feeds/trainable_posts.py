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
tombstones (stamped when the row was deleted) are read from TOMBSTONE_LOOKBACK before the
state was read: a delete that commits later than that is the only thing that could be
missed, and the posts are read whole at least once a day (WHOLE_READ_HOURS), which bounds
any such miss. A state that is older than that, unreadable, or from another post table
(its anchor post is not there) is dropped, and the posts are read whole, which is also what
the first run does.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from feeds import matrix
from feeds.matrix import TRAINABLE_USERS_SQL, copy_ids, member_mask
from feeds.models import PostTombstone
from feeds.npz_files import read_npz, write_npz

TOMBSTONE_DAYS = 7
TOMBSTONE_LOOKBACK = 3600.0  # seconds: longer than any transaction that deletes posts
WHOLE_READ_HOURS = 24
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
    whole_at: float  # when the posts were last read whole

    @classmethod
    def nothing(cls) -> "SavedPosts":
        return cls(np.empty(0, np.int64), 0, 0.0, "", 0.0)


def _path() -> Path:
    return Path(settings.MODEL_ROOT) / "feed_als" / "posts.npz"


def anchor(post_id: int) -> str | None:
    """What the post at a state's watermark was (None when it is gone: such a state is
    neither saved nor trusted). A MODEL_ROOT shared by two databases, or a post table
    emptied under it, would otherwise hand one table's posts to another."""
    if not post_id:
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT author_id, created_at FROM social_post WHERE id = %s", [post_id])
        row = cursor.fetchone()
    return None if row is None else f"{post_id}:{row[0]}:{row[1].isoformat()}"


STATE_ARRAYS = ("ids", "watermark", "read_at", "anchor", "whole_at")


def load_saved() -> SavedPosts:
    data = read_npz(_path(), STATE_ARRAYS)
    if data is None or not math.isfinite(data["read_at"]) or not math.isfinite(data["whole_at"]):
        return SavedPosts.nothing()
    return SavedPosts(
        ids=data["ids"],
        watermark=int(data["watermark"]),
        read_at=float(data["read_at"]),
        anchor=str(data["anchor"]),
        whole_at=float(data["whole_at"]),
    )


def save(state: SavedPosts) -> None:
    write_npz(
        _path(),
        ids=state.ids,
        watermark=np.int64(state.watermark),
        read_at=np.float64(state.read_at),
        anchor=np.str_(state.anchor),
        whole_at=np.float64(state.whole_at),
    )


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
    # Read whole once a day: a state is then at most a day old, and the tombstones it needs
    # are kept for TOMBSTONE_DAYS.
    trusted = saved.whole_at > now - WHOLE_READ_HOURS * 3600 and saved.anchor == anchor(
        saved.watermark
    )
    if not trusted:
        saved = SavedPosts.nothing()
    made = np.sort(copy_ids(f"SELECT id FROM social_post WHERE id > {int(saved.watermark)}"))
    existing = np.concatenate((saved.ids, made))  # ascending: made ids are above the old
    gone = np.empty(0, dtype=np.int64)
    if trusted:
        tombstones_from = saved.read_at - max(settle_seconds, TOMBSTONE_LOOKBACK)
        gone = copy_ids(
            "SELECT post_id AS id FROM feeds_posttombstone "
            f"WHERE deleted_at >= to_timestamp({float(tombstones_from)})"
        )
        existing = existing[~member_mask(existing, gone)] if len(gone) else existing
    watermark = _settled_post_id(int(saved.watermark), now - settle_seconds)
    if not trusted or watermark != saved.watermark or len(gone):
        mark = anchor(watermark)
        if mark is not None:
            kept = existing[: np.searchsorted(existing, watermark, side="right")]
            save(SavedPosts(kept, watermark, now, mark, now if not trusted else saved.whole_at))
    excluded = copy_ids(EXCLUDED_POSTS_SQL)
    return existing[~member_mask(existing, excluded)] if len(excluded) else existing


def prune_tombstones() -> int:
    """Delete tombstones no saved state can still need (a day past what a state may use)."""
    cutoff = timezone.now() - timezone.timedelta(days=TOMBSTONE_DAYS + 1)
    deleted, _ = PostTombstone.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted
