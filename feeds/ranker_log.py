"""The log of what ranked home pages served, with the features each post had when ranked.

A ranked arm's snapshot keeps each entry's FEATURES (feeds.ranker_features) beside its post;
when a page of it is served, one INSERT records the page's posts, where they were placed and
those features (`ServedCandidate`). Training (feeds.ranker_data) labels them later from the
event log. Kept as long as the raw event log (EVENT_RETENTION_DAYS), pruned daily.
"""

from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from feeds.models import ServedCandidate
from feeds.ranker_features import FEATURES, logged_row
from flywheel.prepared import BytesArray, IntArray, prepared_cursor

# One statement a page, prepared once per connection: the page's rows travel as arrays. The
# ORM's bulk_create built 20 model instances and compiled its INSERT on every page, which
# doubled a next page's cost (docs/benchmarks.md).
INSERT_SQL = """
    INSERT INTO feeds_servedcandidate (user_id, post_id, served_at, arm, position, features)
    SELECT %(user)s, served.post, %(at)s, %(arm)s, served.position, served.features
    FROM unnest(%(posts)s::bigint[], %(positions)s::smallint[], %(features)s::bytea[])
        AS served (post, position, features)
"""
# The log is training data that nobody is shown or charged by, so its commit need not wait
# for the WAL to reach the disk: the statement turns synchronous_commit off for its own
# transaction (set_config's is_local), costing no extra round trip. A crash may lose the
# last fraction of a second of served rows and nothing else; the flush was most of the
# insert's time (docs/benchmarks.md). Inside an atomic block the setting would also relax
# whatever else that transaction commits, so there the plain statement runs.
ASYNC_COMMIT_INSERT_SQL = f"""
    WITH async_commit AS MATERIALIZED (
        SELECT set_config('synchronous_commit', 'off', true) AS setting
    )
    {INSERT_SQL.strip()} CROSS JOIN async_commit
"""


def log_served(viewer, *, arm: str, served: list[tuple[int, dict]], at=None) -> int:
    """Record the page's posts, given as (position, snapshot entry), that carry features."""
    rows = [(position, entry) for position, entry in served if entry.get("features")]
    if not rows:
        return 0
    params = {
        "user": viewer.pk,
        "at": at or timezone.now(),
        "arm": arm[:32],
        "posts": IntArray(entry["post"] for _, entry in rows),
        "positions": IntArray(min(position, 32_767) for position, _ in rows),
        "features": BytesArray(bytes(entry["features"]) for _, entry in rows),
    }
    if connection.vendor != "postgresql":  # the same rows through the ORM
        ServedCandidate.objects.bulk_create(
            ServedCandidate(user_id=params["user"], post_id=post, served_at=params["at"],
                            arm=params["arm"], position=position, features=features)
            for post, position, features in zip(
                params["posts"], params["positions"], params["features"], strict=True
            )
        )  # fmt: skip
        return len(rows)
    with prepared_cursor() as cursor:
        cursor.execute(
            INSERT_SQL if connection.in_atomic_block else ASYNC_COMMIT_INSERT_SQL, params
        )
    return len(rows)


def prune_served(*, older_than_days: int | None = None) -> int:
    """Delete served records past the event log's retention period."""
    days = settings.EVENT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = ServedCandidate.objects.filter(served_at__lt=cutoff).delete()
    return deleted


def export_rows(user) -> list[dict]:
    """The person's served posts for their data export, each with its named features."""
    rows = ServedCandidate.objects.filter(user=user).order_by("id")
    return [
        {
            "post_id": row["post_id"],
            "served_at": row["served_at"],
            "arm": row["arm"],
            "position": row["position"],
            **_named_features(row["features"]),
        }
        for row in rows.values("post_id", "served_at", "arm", "position", "features")
    ]


def _named_features(raw) -> dict:
    """{"features": {name: value}}; a row logged under an earlier set of FEATURES keeps its
    values unnamed, since today's names would put them under the wrong ones."""
    values = logged_row(raw)
    if values is None:
        earlier = np.frombuffer(bytes(raw), np.float32).tolist()
        return {"features": {}, "features_of_an_earlier_release": earlier}
    return {"features": dict(zip(FEATURES, values.tolist(), strict=True))}
