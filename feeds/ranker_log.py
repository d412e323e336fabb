"""The log of what ranked home pages served, with the features each post had when ranked.

A ranked arm's snapshot keeps each entry's FEATURES (feeds.ranker_features) beside its post;
when a page of it is served, one INSERT records the page's posts, where they were placed and
those features (`ServedCandidate`). Training (feeds.ranker_data) labels them later from the
event log. Kept as long as the raw event log (EVENT_RETENTION_DAYS), pruned daily.
"""

from datetime import timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone

from feeds.models import ServedCandidate
from feeds.ranker_features import FEATURES


def log_served(viewer, *, arm: str, served: list[tuple[int, dict]], at=None) -> int:
    """Record the page's posts, given as (position, snapshot entry), that carry features."""
    at = at or timezone.now()
    rows = [
        ServedCandidate(
            user_id=viewer.pk,
            post_id=entry["post"],
            served_at=at,
            arm=arm[:32],
            position=min(position, 32_767),
            features=entry["features"],
        )
        for position, entry in served
        if entry.get("features")
    ]
    ServedCandidate.objects.bulk_create(rows)
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
            "features": dict(
                zip(
                    FEATURES,
                    np.frombuffer(bytes(row["features"]), np.float32).tolist(),
                    strict=False,
                )
            ),
        }
        for row in rows.values("post_id", "served_at", "arm", "position", "features")
    ]
