"""Writing many rows fast: COPY on PostgreSQL (binary for numeric columns), batched inserts on
SQLite. Used by the bulk path of seed_world.

Binary COPY is built with numpy: every row of a batch has the same layout (a field count, then
a length and a value per column, big-endian), so a structured array *is* the COPY stream and
ten million events are encoded in a fraction of a second.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import numpy as np
from django.db import connection

from feeds.matrix import POSTGRES_EPOCH

COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
COPY_END = b"\xff\xff"
BINARY_TYPES = {"int2": ">i2", "int4": ">i4", "int8": ">i8", "float8": ">f8", "time": ">i8"}
BATCH = 500_000


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(table: str, count: int) -> np.ndarray:
    """`count` fresh primary keys for `table`, taken from its sequence on PostgreSQL (so a
    web process inserting at the same time never collides); on SQLite, after the largest id
    (the caller holds the write lock of its transaction)."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
    return np.arange(start, start + count, dtype=np.int64)


def write_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Rows of any values (text, JSON as text, datetimes) into `table`."""
    names = ", ".join(columns)
    count = 0
    if is_postgresql():
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    adapt = connection.ops.adapt_datetimefield_value
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(adapt(v) if isinstance(v, datetime) else v for v in row))
            count += 1
            if len(batch) >= 10_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return count


def write_arrays(table: str, columns: Sequence[tuple], length: int) -> int:
    """`length` rows of fixed-width columns: each column is (name, type, values) with type
    int2, int4, int8, float8, time (unix seconds, as floats) or text (one constant string
    for every row, e.g. the surface "home")."""
    if length <= 0:
        return 0
    for start in range(0, length, BATCH):
        stop = min(start + BATCH, length)
        batch = [(name, kind, _slice(values, start, stop)) for name, kind, values in columns]
        if is_postgresql():
            _copy_binary(table, batch, stop - start)
        else:
            _insert_plain(table, batch, stop - start)
    return length


def _slice(values, start: int, stop: int):
    return values if isinstance(values, str) else np.asarray(values)[start:stop]


def _copy_binary(table: str, columns: list[tuple], length: int) -> None:
    layout = [("fields", ">i2")]
    for i, (_, kind, values) in enumerate(columns):
        layout.append((f"length{i}", ">i4"))
        size = len(values.encode()) if kind == "text" else None
        if size != 0:
            layout.append((f"value{i}", f"S{size}" if kind == "text" else BINARY_TYPES[kind]))
    rows = np.zeros(length, dtype=np.dtype(layout))
    rows["fields"] = len(columns)
    for i, (_, kind, values) in enumerate(columns):
        if kind == "text":
            encoded = values.encode()
            rows[f"length{i}"] = len(encoded)
            if encoded:
                rows[f"value{i}"] = encoded
            continue
        rows[f"length{i}"] = np.dtype(BINARY_TYPES[kind]).itemsize
        if kind == "time":
            rows[f"value{i}"] = np.round((np.asarray(values) - POSTGRES_EPOCH) * 1e6)
        else:
            rows[f"value{i}"] = values
    names = ", ".join(name for name, _, _ in columns)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.write(COPY_SIGNATURE)
        copy.write(rows.tobytes())
        copy.write(COPY_END)


def _insert_plain(table: str, columns: list[tuple], length: int) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    prepared = []
    for _, kind, values in columns:
        if kind == "text":
            prepared.append([values] * length)
        elif kind == "time":
            prepared.append([adapt(datetime.fromtimestamp(t, UTC)) for t in values.tolist()])
        else:
            prepared.append(np.asarray(values).tolist())
    names = ", ".join(name for name, _, _ in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*prepared, strict=True)))
