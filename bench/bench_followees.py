"""The candidate statement's branch for people followed: what an index-only query costs a
person following 50, 200 or 1,000 people on the bench world (which has no follow graph: the
follows are inserted for one person inside a transaction that is rolled back).

    .venv/bin/python bench/bench_followees.py
"""

import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from world import setup_django

VIEWER = 150001


def main():
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from feeds.candidate_pool import FOLLOWING_DAYS, FOLLOWING_LIMIT
    from social.selectors import VISIBLE_POST_SQL

    branch = f"""
        SELECT p.id FROM social_post p JOIN accounts_user u ON u.id = p.author_id
        LEFT JOIN social_group g ON g.id = p.group_id
        WHERE p.author_id IN (SELECT followee_id FROM social_follow WHERE follower_id = %(viewer)s)
          AND p.created_at >= %(since)s AND {VISIBLE_POST_SQL}
        ORDER BY p.id DESC LIMIT {FOLLOWING_LIMIT}
    """
    params = {"viewer": VIEWER, "since": timezone.now() - timedelta(days=FOLLOWING_DAYS)}
    for followees in (50, 200, 1000):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO social_follow (follower_id, followee_id, created_at)"
                " SELECT %s, g, now() FROM generate_series(2, %s) g",
                [VIEWER, followees + 1],
            )
            cursor.execute("ANALYZE social_follow")
            times = []
            for _ in range(30):
                started = time.perf_counter()
                cursor.execute(branch, params)
                found = cursor.fetchall()
                times.append(time.perf_counter() - started)
            transaction.set_rollback(True)
        print(
            f"{followees:>5} followees: {len(found)} posts, median"
            f" {statistics.median(times) * 1000:.2f} ms, p90 {sorted(times)[26] * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()
