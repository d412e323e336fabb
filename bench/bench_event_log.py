"""The event log against its size: what decides when to partition it by month.

    .venv/bin/python bench/bench_event_log.py [events,events,...]

Default sizes: 1,000,000, 4,000,000 and 12,000,000 events. At each size the log is refilled
in time order over the retention period (EVENT_RETENTION_DAYS, 180 days: the oldest day then
holds 1/180 of the log, as it does in a log that has run for the whole period), physically
in the order a running site writes it. It measures, in its own database
(BENCH_DATABASE_URL, default flywheel_bench_event_log), with its own backend's CPU time
(psutil) beside the wall time, since CPU is what the work costs whatever else runs:
  - ingestion: `events_ingest` (the beacon path) for 200 batches of 50 clicks, per event;
  - pruning by rows, as today: `events_prune` deleting the oldest day (committed), then the
    VACUUM that makes its space reusable, and the WAL both wrote;
  - pruning by partition, the alternative: a table holding the same day's rows with the
    log's indexes, dropped (what detaching and dropping a month's partition costs);
  - the dashboards' raw reads: `engagement_by_arm` over the last day (the daily rollup) and
    the last hour (the live one).
Prints one line per size, then each cost's exponent against the log's size.
"""

import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flywheel_bench_event_log"
)
from world import done, ensure_world, setup_django, step

DEFAULT_SIZES = [1_000_000, 4_000_000, 12_000_000]
PEOPLE, POSTS = 2_000, 20_000
BATCHES, BATCH = 200, 50
READS = 5


def backend_cpu(cursor) -> float:
    import psutil

    cursor.execute("SELECT pg_backend_pid()")
    times = psutil.Process(cursor.fetchone()[0]).cpu_times()
    return times.user + times.system


class Meter:
    """Wall and backend CPU seconds of the block, and the WAL it wrote."""

    def __init__(self, cursor):
        self.cursor = cursor

    def __enter__(self):
        self.cursor.execute("SELECT pg_current_wal_insert_lsn()")
        self.lsn = self.cursor.fetchone()[0]
        self.cpu, self.wall = backend_cpu(self.cursor), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = backend_cpu(self.cursor) - self.cpu
        self.cursor.execute("SELECT pg_current_wal_insert_lsn() - %s::pg_lsn", [self.lsn])
        self.wal_mb = float(self.cursor.fetchone()[0]) / 1e6


def refill(cursor, events: int, days: int) -> None:
    """`events` rows of the bench mix, oldest first, evenly over the last `days` days."""
    started = step(f"{events:,} events in time order")
    cursor.execute("TRUNCATE analytics_event RESTART IDENTITY")
    chunk = 2_000_000
    for offset in range(0, events, chunk):
        cursor.execute(
            """
            INSERT INTO analytics_event (kind, user_id, post_id, dwell_ms, surface, arm, query,
                created_at)
            SELECT CASE WHEN r < 0.5 THEN 1 WHEN r < 0.75 THEN 2 WHEN r < 0.88 THEN 4
                        WHEN r < 0.95 THEN 3 ELSE 6 END,
                1 + floor(%(people)s * power(random(), 1.5))::int,
                1 + floor(%(posts)s * power(random(), 2.5))::int,
                CASE WHEN r >= 0.5 AND r < 0.75 THEN (random() * 60000)::int END,
                'home', 'personalised', '',
                now() - %(days)s * interval '1 day' * (1 - g::float8 / %(events)s)
            FROM (SELECT g, random() AS r
                  FROM generate_series(%(first)s, %(last)s) AS g) AS draws
            """,
            {
                "people": PEOPLE, "posts": POSTS, "days": days, "events": events,
                "first": offset + 1, "last": min(offset + chunk, events),
            },
        )  # fmt: skip
        print(".", end="", flush=True)
    cursor.execute("VACUUM ANALYZE analytics_event")
    done(started)


def table_mb(cursor) -> float:
    cursor.execute("SELECT pg_total_relation_size('analytics_event')")
    return cursor.fetchone()[0] / 1e6


def measure_ingest(cursor) -> float:
    """Backend CPU microseconds per event through the beacon path."""
    from django.contrib.auth import get_user_model

    from events.services import events_ingest

    people = list(get_user_model().objects.order_by("pk")[:BATCHES])
    run = time.time_ns()
    with Meter(cursor) as meter:
        for n, person in enumerate(people):
            items = [
                {"kind": "click", "post": 1 + (n * BATCH + i) % POSTS, "surface": "home",
                 "key": f"log-{run}-{n}-{i}"}
                for i in range(BATCH)
            ]  # fmt: skip
            events_ingest(
                user=person,
                items=items,
                visible_post_authors=lambda ids: dict.fromkeys(ids, 0),
                existing_person_ids=set,
            )
    return meter.cpu / (len(people) * BATCH) * 1e6


def measure_prune(cursor, days: int) -> dict:
    """Delete the oldest day by rows (today's pruning), vacuum, and the partition way."""
    from events.services import events_prune

    cursor.execute("ALTER TABLE analytics_event SET (autovacuum_enabled = false)")
    cutoff = f"now() - interval '{days - 1} days'"
    cursor.execute(
        f"CREATE TABLE day_partition AS SELECT * FROM analytics_event WHERE created_at < {cutoff}"
    )
    cursor.execute("CREATE INDEX ON day_partition (created_at)")
    cursor.execute("CREATE INDEX ON day_partition (user_id, created_at)")
    with Meter(cursor) as delete:
        rows = events_prune(older_than_days=days - 1)
    with Meter(cursor) as vacuum:
        cursor.execute("VACUUM analytics_event")
    with Meter(cursor) as drop:
        cursor.execute("DROP TABLE day_partition")
    cursor.execute("ALTER TABLE analytics_event RESET (autovacuum_enabled)")
    return {"rows": rows, "delete": delete, "vacuum": vacuum, "drop": drop}


def measure_read(cursor, hours: int) -> float:
    """Median wall milliseconds of the rollup's raw read over the last `hours`."""
    from datetime import timedelta

    from django.utils import timezone

    from analytics.engagement import engagement_by_arm

    end = timezone.now()
    times = []
    for _ in range(READS):
        started = time.perf_counter()
        engagement_by_arm(start=end - timedelta(hours=hours), end=end)
        times.append(time.perf_counter() - started)
    return sorted(times)[READS // 2] * 1000


def slope(sizes, values) -> float:
    xs, ys = [math.log(s) for s in sizes], [math.log(max(v, 1e-9)) for v in values]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    top = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return top / sum((x - mean_x) ** 2 for x in xs)


def main() -> None:
    sizes = [int(s) for s in sys.argv[1].split(",")] if len(sys.argv) > 1 else DEFAULT_SIZES
    setup_django()
    from django.conf import settings
    from django.db import connection

    days = settings.EVENT_RETENTION_DAYS
    ensure_world(users=PEOPLE, posts=POSTS, events=0)
    rows = []
    with connection.cursor() as cursor:
        for size in sizes:
            print(f"log of {size:,} events over {days} days")
            refill(cursor, size, days)
            mb = table_mb(cursor)
            started = step("ingest, prune, read")
            ingest_us = measure_ingest(cursor)
            day_ms, hour_ms = measure_read(cursor, 24), measure_read(cursor, 1)
            prune = measure_prune(cursor, days)
            done(started)
            rows.append((size, mb, ingest_us, prune, day_ms, hour_ms))
    print()
    print(
        "    events  table+idx | ingest CPU us/ev | prune 1 day: rows  delete s (CPU)"
        "  vacuum s (CPU)  WAL MB | drop partition ms | read day ms  hour ms"
    )
    for size, mb, ingest_us, prune, day_ms, hour_ms in rows:
        delete, vacuum, drop = prune["delete"], prune["vacuum"], prune["drop"]
        print(
            f"{size:>10,} {mb:>8,.0f} MB | {ingest_us:>16.1f} | {prune['rows']:>17,}"
            f"  {delete.wall:>5.2f} ({delete.cpu:.2f})  {vacuum.wall:>7.2f} ({vacuum.cpu:.2f})"
            f"  {delete.wal_mb + vacuum.wal_mb:>6.1f} | {drop.wall * 1000:>17.1f}"
            f" | {day_ms:>11.1f}  {hour_ms:>7.1f}"
        )
    if len(rows) > 1:
        sizes = [row[0] for row in rows]
        print("\nexponent b in cost ~ events^b (0: flat, 1: linear):")
        for name, values in [
            ("ingest CPU per event", [row[2] for row in rows]),
            ("prune delete + vacuum CPU", [r[3]["delete"].cpu + r[3]["vacuum"].cpu for r in rows]),
            ("prune per deleted row", [
                (r[3]["delete"].cpu + r[3]["vacuum"].cpu) / max(r[3]["rows"], 1) for r in rows
            ]),
            ("read of the last day", [row[4] for row in rows]),
            ("read of the last hour", [row[5] for row in rows]),
        ]:  # fmt: skip
            print(f"  {name:<28} b = {slope(sizes, values):5.2f}")


if __name__ == "__main__":
    main()
