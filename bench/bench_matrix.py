"""Interaction-matrix build speed: our COPY-into-numpy path against the server's own ceiling.

    .venv/bin/python bench/bench_matrix.py [users posts events]

Builds (or reuses) a generated world in the flywheel_bench database, then measures, in the
same run: the server streaming the same query to /dev/null (the ceiling), and
build_interaction_matrix (COPY -> numpy -> scipy CSR). Prints rows per second and the ratio.
"""

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from world import ensure_world, peak_memory_mb, setup_django


def main():
    sizes = (
        [int(x) for x in sys.argv[1:4]] if len(sys.argv) >= 4 else [200_000, 1_000_000, 10_000_000]
    )
    setup_django()
    ensure_world(users=sizes[0], posts=sizes[1], events=sizes[2])

    from django.db import connection

    from feeds.matrix import (
        COPY_COLUMNS,
        TRAINABLE_POSTS_SQL,
        TRAINABLE_USERS_SQL,
        MatrixWeights,
        build_interaction_matrix,
        events_sql,
        latest_event_id,
    )

    weights = MatrixWeights()
    max_id = latest_event_id()
    sql = events_sql(weights.kinds(), max_id, COPY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS q")
        rows = cursor.fetchone()[0]
    print(f"rows selected by the matrix query: {rows:,} of {max_id:,} events")

    best_server = float("inf")
    for _ in range(3):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            # the same three queries the build streams: events, trainable people and posts
            for query in (sql, TRAINABLE_USERS_SQL, TRAINABLE_POSTS_SQL):
                cursor.execute(f"COPY ({query}) TO '/dev/null' (FORMAT BINARY)")
            best_server = min(best_server, time.perf_counter() - started)

    best_build = float("inf")
    for attempt in range(3):
        if attempt == 2:
            tracemalloc.start()
        started = time.perf_counter()
        result = build_interaction_matrix(weights, max_event_id=max_id)
        best_build = min(best_build, time.perf_counter() - started)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    server_rate = rows / best_server
    build_rate = rows / best_build
    users, posts = result.shape
    print(f"matrix: {users:,} users x {posts:,} posts, {result.matrix.nnz:,} non-zeros")
    print(f"server COPY to /dev/null : {best_server:6.2f} s  {server_rate / 1e6:5.2f} M rows/s")
    print(f"build_interaction_matrix : {best_build:6.2f} s  {build_rate / 1e6:5.2f} M rows/s")
    print(f"ratio to the ceiling     : {build_rate / server_rate:.2f}")
    print(
        f"peak memory: {traced_peak / 2**20:,.0f} MB traced by Python during one build, "
        f"{peak_memory_mb():,.0f} MB process peak RSS"
    )


if __name__ == "__main__":
    main()
