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

from events.models import EventKind

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


# Fixed-width binary columns, so every COPY row has the same size and numpy can read it.
# created_at travels as PostgreSQL's binary timestamp: microseconds since 2000-01-01.
COPY_COLUMNS = "user_id, post_id, kind, COALESCE(dwell_ms, 0)::int4, created_at"
PLAIN_COLUMNS = (
    "user_id, post_id, kind, COALESCE(dwell_ms, 0), (julianday(created_at) - 2440587.5) * 86400.0"
)
POSTGRES_EPOCH = 946_684_800  # 2000-01-01 in Unix seconds
NO_TIMES = np.empty(0, dtype=np.float64)  # without time decay the times are not needed


def events_sql(kinds: list[int], max_event_id: int, columns: str, after_id: int = 0) -> str:
    """One scan of the event log (ids after `after_id`, up to `max_event_id`), no joins:
    exclusions are applied afterwards with id masks, which is several times faster than
    joining 10 million events to users and posts."""
    kind_list = ",".join(str(int(k)) for k in kinds)
    return (
        f"SELECT {columns} FROM analytics_event "
        f"WHERE id > {int(after_id)} AND id <= {int(max_event_id)} "
        f"AND kind IN ({kind_list}) AND user_id IS NOT NULL AND post_id IS NOT NULL"
    )


# People whose activity trains the model, and posts the model may learn about.
TRAINABLE_USERS_SQL = "SELECT id FROM accounts_user WHERE is_active AND personalised_feed"
# Suspended people are few: an anti-join against them beats joining every post to its author.
TRAINABLE_POSTS_SQL = (
    "SELECT p.id FROM social_post p WHERE NOT p.is_hidden AND NOT EXISTS "
    "(SELECT 1 FROM accounts_user a WHERE a.id = p.author_id AND NOT a.is_active)"
)

# One COPY row: field count, then (length, value) for each of the five columns.
COPY_ROW = np.dtype(
    [
        ("nfields", ">i2"),
        ("l_user", ">i4"), ("user", ">i8"),
        ("l_post", ">i4"), ("post", ">i8"),
        ("l_kind", ">i4"), ("kind", ">i2"),
        ("l_dwell", ">i4"), ("dwell", ">i4"),
        ("l_time", ">i4"), ("time", ">i8"),
    ]
)  # fmt: skip
ARRAY_ELEMENT = np.dtype([("length", ">i4"), ("id", ">i8")])  # of a binary int8[]
INT8_OID = 20
COPY_HEADER = 11 + 4 + 4  # signature, flags, header-extension length
COPY_TRAILER = 2


def _copy_out(sql: str) -> memoryview:
    """The whole binary `COPY (sql) TO STDOUT` stream, header and trailer included."""
    buffer = io.BytesIO()
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy,
    ):
        for block in copy:
            buffer.write(block)
    return buffer.getbuffer()


def _first_row(raw: memoryview) -> int:
    """Where the first row starts, past the signature, flags and header extension."""
    return COPY_HEADER + int.from_bytes(raw[15:19], "big")


def copy_binary(sql: str, row: np.dtype) -> np.ndarray:
    """Run `COPY (sql) TO STDOUT (FORMAT BINARY)` into one buffer and view it as records."""
    raw = _copy_out(sql)
    if len(raw) <= COPY_HEADER:
        return np.empty(0, dtype=row)
    start = _first_row(raw)
    count = (len(raw) - start - COPY_TRAILER) // row.itemsize
    return np.frombuffer(raw, dtype=row, count=count, offset=start)


def copy_ids(sql: str) -> np.ndarray:
    """The `id` column of a query as int64, sent as one array in one COPY row: libpq hands
    over a COPY stream one message per row, and a million messages cost seconds in the read
    loop where one array costs a few milliseconds."""
    raw = _copy_out(f"SELECT array_agg(id::int8) FROM ({sql}) AS ids WHERE id IS NOT NULL")
    at = _first_row(raw) + 2  # past the row's field count
    length = int.from_bytes(raw[at : at + 4], "big", signed=True)
    if length < 0:  # array_agg of no rows is NULL
        return np.empty(0, dtype=np.int64)
    dimensions, has_nulls, element_type = np.frombuffer(raw, ">i4", count=3, offset=at + 4)
    if dimensions == 0:
        return np.empty(0, dtype=np.int64)
    if (dimensions, has_nulls, element_type) != (1, 0, INT8_OID):
        raise ValueError(f"expected a one-dimensional int8[] without NULLs from {sql!r}")
    size = int(np.frombuffer(raw, ">i4", count=1, offset=at + 16)[0])  # then its lower bound
    elements = np.frombuffer(raw, dtype=ARRAY_ELEMENT, count=size, offset=at + 24)
    return elements["id"].astype(np.int64)


def _read_postgresql(kinds, max_event_id, *, with_times: bool, after_id: int = 0):
    rows = copy_binary(events_sql(kinds, max_event_id, COPY_COLUMNS, after_id), COPY_ROW)
    times = rows["time"].astype(np.float64) / 1e6 + POSTGRES_EPOCH if with_times else NO_TIMES
    return (
        rows["user"].astype(np.int64),
        rows["post"].astype(np.int64),
        rows["kind"].astype(np.int16),
        rows["dwell"].astype(np.int64),
        times,
    )


def _read_plain(kinds, max_event_id, *, with_times: bool, after_id: int = 0):
    with connection.cursor() as cursor:
        cursor.execute(events_sql(kinds, max_event_id, PLAIN_COLUMNS, after_id))
        table = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 5)
    return (
        table[:, 0].astype(np.int64),
        table[:, 1].astype(np.int64),
        table[:, 2].astype(np.int16),
        table[:, 3].astype(np.int64),
        table[:, 4],
    )


def read_events(weights: MatrixWeights, max_event_id: int, after_id: int = 0):
    """The weighted kinds of events after `after_id` up to `max_event_id`, as columns (user,
    post, kind, dwell, time)."""
    read = _read_postgresql if connection.vendor == "postgresql" else _read_plain
    return read(
        weights.kinds(), max_event_id, with_times=bool(weights.half_life_days), after_id=after_id
    )


def trainable_ids() -> tuple[np.ndarray, np.ndarray]:
    """The ids of the people and the posts that may be trained on, now."""
    if connection.vendor == "postgresql":
        return copy_ids(TRAINABLE_USERS_SQL), copy_ids(TRAINABLE_POSTS_SQL)
    with connection.cursor() as cursor:
        cursor.execute(TRAINABLE_USERS_SQL)
        users = np.array([r[0] for r in cursor.fetchall()], dtype=np.int64)
        cursor.execute(TRAINABLE_POSTS_SQL)
        posts = np.array([r[0] for r in cursor.fetchall()], dtype=np.int64)
    return users, posts


def member_mask(values: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """values[i] in allowed, by direct lookup in a boolean table indexed by id (ids are
    dense integers, so this is linear where np.isin would sort)."""
    if not len(values):
        return np.zeros(0, dtype=bool)
    size = int(max(values.max(), allowed.max() if len(allowed) else 0)) + 1
    table = np.zeros(size, dtype=bool)
    table[allowed] = True
    return table[values]


def dense_index(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like np.unique(ids, return_inverse=True) for non-negative integer ids, without a sort."""
    if not len(ids):
        return ids, ids
    present = np.zeros(int(ids.max()) + 1, dtype=bool)
    present[ids] = True
    unique = np.flatnonzero(present)
    position = np.cumsum(present) - 1
    return unique.astype(np.int64), position[ids]


def latest_event_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM analytics_event")
        return int(cursor.fetchone()[0])


def event_weights(kind, dwell_ms, times, weights: MatrixWeights, newest=None) -> np.ndarray:
    """Confidence contributed by each event, signed (unlike/unshare subtract), decayed by its
    age before `newest` (default: the newest of `times`)."""
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
        age_days = ((times.max() if newest is None else newest) - times) / SECONDS_PER_DAY
        values = values * np.power(0.5, age_days / weights.half_life_days)
    return values


def build_interaction_matrix(
    weights: MatrixWeights | None = None, *, max_event_id: int | None = None
) -> InteractionMatrix:
    """Build the confidence matrix from every event up to `max_event_id` (default: all).

    Hidden posts, posts by suspended people, suspended people and people who turned the
    personalised feed off are left out, and so are deleted posts and accounts.
    """
    weights = weights or MatrixWeights()
    if max_event_id is None:
        max_event_id = latest_event_id()
    users, posts, kinds, dwell, times = read_events(weights, max_event_id)
    trainable_users, trainable_posts = trainable_ids()
    read_count = len(users)
    # Weigh every event first: then only three columns, not five, go through the mask. Decay
    # counts from the newest event the matrix keeps, as if the others had never been read.
    keep = member_mask(users, trainable_users) & member_mask(posts, trainable_posts)
    newest = times[keep].max() if len(times) and keep.any() else None
    values = event_weights(kinds, dwell, times, weights, newest=newest)
    if not keep.all():
        users, posts, values = users[keep], posts[keep], values[keep]
    user_ids, rows = dense_index(users)
    post_ids, cols = dense_index(posts)
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
        events=read_count,
    )
