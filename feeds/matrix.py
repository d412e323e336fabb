"""The user x post confidence matrix the recommender trains on, built from the event log.

PostgreSQL streams the rows with binary `COPY ... TO STDOUT` straight into one buffer that
numpy reads as big-endian records: no ORM objects, no per-row Python. SQLite (the embedded
default) runs the same query as a plain cursor. Both give the same matrix for the same data.
"""

import io
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.db import connection

from analytics.models import EventKind

SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class MatrixWeights:
    """Confidence added by each kind of interaction. Unlikes and unshares subtract."""

    like: float = 4.0
    share: float = 6.0
    comment: float = 5.0
    click: float = 1.0
    impression: float = 0.0
    dwell_per_second: float = 0.2
    dwell_cap_seconds: float = 30.0
    half_life_days: float | None = None  # None: no time decay

    def kinds(self) -> list[int]:
        kinds = [EventKind.LIKE, EventKind.UNLIKE, EventKind.SHARE, EventKind.UNSHARE]
        if self.comment:
            kinds.append(EventKind.COMMENT)
        if self.click:
            kinds.append(EventKind.CLICK)
        if self.impression:
            kinds.append(EventKind.IMPRESSION)
        if self.dwell_per_second:
            kinds.append(EventKind.DWELL)
        return [int(k) for k in kinds]


@dataclass
class InteractionMatrix:
    matrix: sp.csr_matrix  # users x posts, float32 confidences
    user_ids: np.ndarray  # row index -> user id
    post_ids: np.ndarray  # column index -> post id
    max_event_id: int  # the data window: every event up to and including this id
    events: int  # raw events read
    _user_rows: dict = field(default_factory=dict, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def row_of(self, user_id: int) -> int | None:
        if not self._user_rows:
            self._user_rows = {int(u): i for i, u in enumerate(self.user_ids)}
        return self._user_rows.get(int(user_id))


PLAIN_COLUMNS = (
    "e.user_id, e.post_id, e.kind, COALESCE(e.dwell_ms, 0), "
    "(julianday(e.created_at) - 2440587.5) * 86400.0"
)
# Fixed-width binary columns, so every COPY row has the same size and numpy can read them.
COPY_COLUMNS = (
    "e.user_id::int8, e.post_id::int8, e.kind::int2, COALESCE(e.dwell_ms, 0)::int4, "
    "EXTRACT(EPOCH FROM e.created_at)::float8"
)


def _select_sql(kinds: list[int], max_event_id: int, columns: str) -> str:
    kind_list = ",".join(str(int(k)) for k in kinds)
    return f"""
        SELECT {columns}
        FROM analytics_event e
        JOIN accounts_user u ON u.id = e.user_id
        JOIN social_post p ON p.id = e.post_id
        JOIN accounts_user a ON a.id = p.author_id
        WHERE e.id <= {int(max_event_id)}
          AND e.kind IN ({kind_list})
          AND u.is_active AND u.personalised_feed
          AND NOT p.is_hidden AND a.is_active
    """


# One COPY row: field count, then (length, value) for each of the five columns.
COPY_ROW = np.dtype(
    [
        ("nfields", ">i2"),
        ("l_user", ">i4"), ("user", ">i8"),
        ("l_post", ">i4"), ("post", ">i8"),
        ("l_kind", ">i4"), ("kind", ">i2"),
        ("l_dwell", ">i4"), ("dwell", ">i4"),
        ("l_time", ">i4"), ("time", ">f8"),
    ]
)  # fmt: skip
COPY_HEADER = 11 + 4 + 4  # signature, flags, header-extension length
COPY_TRAILER = 2


def _read_postgresql(kinds, max_event_id) -> tuple[np.ndarray, ...]:
    sql = _select_sql(kinds, max_event_id, COPY_COLUMNS)
    buffer = io.BytesIO()
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy,
    ):
        for block in copy:
            buffer.write(block)
    raw = buffer.getbuffer()
    extension = int.from_bytes(raw[15:19], "big")
    start = COPY_HEADER + extension
    count = (len(raw) - start - COPY_TRAILER) // COPY_ROW.itemsize
    rows = np.frombuffer(raw, dtype=COPY_ROW, count=count, offset=start)
    return (
        rows["user"].astype(np.int64),
        rows["post"].astype(np.int64),
        rows["kind"].astype(np.int16),
        rows["dwell"].astype(np.int64),
        rows["time"].astype(np.float64),
    )


def _read_plain(kinds, max_event_id) -> tuple[np.ndarray, ...]:
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(kinds, max_event_id, PLAIN_COLUMNS))
        rows = cursor.fetchall()
    if not rows:
        return tuple(np.empty(0, dtype=t) for t in (np.int64, np.int64, np.int16, np.int64, float))
    table = np.array(rows, dtype=np.float64)
    return (
        table[:, 0].astype(np.int64),
        table[:, 1].astype(np.int64),
        table[:, 2].astype(np.int16),
        table[:, 3].astype(np.int64),
        table[:, 4],
    )


def latest_event_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM analytics_event")
        return int(cursor.fetchone()[0])


def event_weights(kind, dwell_ms, times, weights: MatrixWeights) -> np.ndarray:
    """Confidence contributed by each event, signed (unlike/unshare subtract), decayed."""
    table = np.zeros(max(int(k) for k in EventKind) + 1, dtype=np.float64)
    table[EventKind.LIKE] = weights.like
    table[EventKind.UNLIKE] = -weights.like
    table[EventKind.SHARE] = weights.share
    table[EventKind.UNSHARE] = -weights.share
    table[EventKind.COMMENT] = weights.comment
    table[EventKind.CLICK] = weights.click
    table[EventKind.IMPRESSION] = weights.impression
    values = table[kind]
    is_dwell = kind == EventKind.DWELL
    seconds = np.minimum(dwell_ms[is_dwell] / 1000.0, weights.dwell_cap_seconds)
    values[is_dwell] = seconds * weights.dwell_per_second
    if weights.half_life_days and len(times):
        age_days = (times.max() - times) / SECONDS_PER_DAY
        values = values * np.power(0.5, age_days / weights.half_life_days)
    return values


def build_interaction_matrix(
    weights: MatrixWeights | None = None, *, max_event_id: int | None = None
) -> InteractionMatrix:
    """Build the confidence matrix from every event up to `max_event_id` (default: all).

    Hidden posts, posts by suspended people, suspended people and people who turned the
    personalised feed off are left out. Deleted posts and accounts have no rows to join.
    """
    weights = weights or MatrixWeights()
    if max_event_id is None:
        max_event_id = latest_event_id()
    read = _read_postgresql if connection.vendor == "postgresql" else _read_plain
    users, posts, kinds, dwell, times = read(weights.kinds(), max_event_id)
    values = event_weights(kinds, dwell, times, weights)
    user_ids, rows = np.unique(users, return_inverse=True)
    post_ids, cols = np.unique(posts, return_inverse=True)
    matrix = sp.coo_matrix(
        (values, (rows, cols)), shape=(len(user_ids), len(post_ids))
    ).tocsr()  # sums repeated (user, post) pairs, so a like and its unlike cancel
    matrix.data = np.clip(matrix.data, 0, None).astype(np.float32)
    matrix.eliminate_zeros()
    return InteractionMatrix(
        matrix=matrix.astype(np.float32),
        user_ids=user_ids,
        post_ids=post_ids,
        max_event_id=max_event_id,
        events=len(users),
    )
